/**
 * The at-least-once consumer loop: poll, process, commit, until told to stop.
 *
 * A record is committed only after `handle` has returned for it, and, with `committable`, only
 * once the handlers say they are done with it (a detector holding records back in its partition
 * merge is not done with them: committer.ts); if `handle` throws, nothing of that poll is
 * committed and the error propagates, so the records come again. Aborting the signal (wire it
 * to SIGINT for Ctrl-C) lets a waiting poll return at once, or the batch in hand finish; then
 * `onStop` finishes what the handlers still hold, the last commit is made, and the loop
 * returns. Closing the consumer is the caller's job.
 */
import { badFlag } from '../errors';
import type { CommitResult, Consumer, RecordBatch, TopicPartitionOffset } from './broker';
import { createCommitter } from './committer';

export interface RunConsumerOptions {
  readonly signal?: AbortSignal;
  /** Stop after exactly this many records: polls never ask for more than what is left. */
  readonly maxRecords?: number;
  /** Stop at the first poll that finds nothing (read what is there, then return). */
  readonly stopWhenIdle?: boolean;
  /** Records per poll (10,000). */
  readonly pollRecords?: number;
  readonly maxWaitMs?: number;
  /**
   * A poll found nothing to read (and the loop goes on): what is held back waiting for more,
   * such as the detector's partition merge, may be released now.
   */
  readonly onIdle?: () => void | Promise<void>;
  /**
   * Per partition read, the offset of the first record the handlers are not done with: only
   * that far is committed. Absent: every record handled (committer.ts).
   */
  readonly committable?: () => readonly TopicPartitionOffset[];
  /** While records flow, commit at most this often (0, the default: after every poll). */
  readonly commitIntervalMs?: number;
  /** Clock of the commit interval, in ms (`performance.now`). */
  readonly now?: () => number;
  /**
   * The loop stopped (not on an error of `handle`): finish what the handlers hold (the
   * detector's last windows) before the last commit, which then covers it.
   */
  readonly onStop?: () => void | Promise<void>;
}

export type StopReason = 'aborted' | 'closed' | 'max' | 'idle';

export interface RunConsumerSummary {
  readonly records: number;
  readonly polls: number;
  readonly commits: number;
  /** Commits the group refused while rebalancing: those records are delivered again. */
  readonly refusedCommits: number;
  /**
   * True when records this loop handled were still not committed when it returned: the last
   * commit was refused even after the retries, or the group took their partitions away first.
   * They will be delivered again (to this group), at least once.
   */
  readonly uncommitted: boolean;
  readonly stoppedBy: StopReason;
}

export async function runConsumer<V>(
  consumer: Consumer<V>,
  handle: (batches: readonly RecordBatch<V>[]) => void | Promise<void>,
  options: RunConsumerOptions = {},
): Promise<RunConsumerSummary> {
  const max = options.maxRecords ?? Number.POSITIVE_INFINITY;
  if (!(max >= 0)) throw badFlag(`maxRecords must be zero or more, got ${options.maxRecords}`);
  const pollRecords = options.pollRecords ?? 10_000;
  let records = 0;
  let polls = 0;
  let commits = 0;
  let refusedCommits = 0;
  /** The latest commit was refused (the group was rebalancing). */
  let refusedLast = false;
  /** A rebalance took partitions away before their handled records were committed. */
  let lost = false;
  const committer = createCommitter({
    done: options.committable,
    intervalMs: options.commitIntervalMs,
    now: options.now,
  });
  const tally = (committed: CommitResult | null) => {
    if (committed === null) return;
    if (committed.kind === 'committed') {
      // A later commit covers what a refused one held, unless the partition went elsewhere.
      commits++;
      refusedLast = false;
      if (committed.revoked.length > 0) lost = true;
    } else {
      refusedCommits++;
      refusedLast = true;
    }
  };
  let stoppedBy: StopReason;
  for (;;) {
    if (options.signal?.aborted) {
      stoppedBy = 'aborted';
      break;
    }
    if (records >= max) {
      stoppedBy = 'max';
      break;
    }
    const result = await consumer.poll({
      maxRecords: Math.min(pollRecords, max - records),
      maxWaitMs: options.maxWaitMs,
      signal: options.signal,
    });
    polls++;
    if (result.kind === 'stopped') {
      stoppedBy = result.reason;
      break;
    }
    if (result.kind === 'idle') {
      if (options.stopWhenIdle) {
        stoppedBy = 'idle';
        break;
      }
      await options.onIdle?.();
      // What the handlers let go of now (partitions gone quiet) is committed at once.
      tally(await committer.commit(consumer));
      continue;
    }
    await handle(result.batches);
    records += result.count;
    committer.handled();
    tally(await committer.commit(consumer, 'due'));
  }
  await options.onStop?.();
  // What the interval or the handlers held back, and a last commit refused in a rebalance as
  // the loop ended: once the member has rejoined, the partitions it kept can still be committed.
  if (stoppedBy !== 'closed') await committer.commitLast(consumer, tally);
  return { records, polls, commits, refusedCommits, uncommitted: refusedLast || lost, stoppedBy };
}
