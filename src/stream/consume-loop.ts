/**
 * The at-least-once consumer loop: poll, process, commit, until told to stop.
 *
 * A record is committed only after `handle` has returned for it; if `handle` throws, nothing of
 * that poll is committed and the error propagates, so the records come again. Aborting the
 * signal (wire it to SIGINT for Ctrl-C) lets a waiting poll return at once, or the batch in hand
 * finish and be committed; then the loop returns. Closing the consumer is the caller's job.
 */
import { badFlag } from '../errors';
import type { CommitResult, Consumer, RecordBatch } from './broker';

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

/** Tries of a refused last commit, and the pause before each: a rejoin takes about a second. */
/** A refused last commit (a rebalance as the loop ends) is tried again this often, this far apart. */
export const FINAL_COMMIT_TRIES = 10;
export const FINAL_COMMIT_PAUSE_MS = 300;

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
  const tally = (committed: CommitResult) => {
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
      continue;
    }
    await handle(result.batches);
    records += result.count;
    tally(await consumer.commit());
  }
  // The last commit was refused (a rebalance as the loop ended): once the member has rejoined,
  // the records of partitions it kept can still be committed. Try a few times before giving up.
  for (let i = 0; refusedLast && stoppedBy !== 'closed' && i < FINAL_COMMIT_TRIES; i++) {
    await new Promise((resolve) => setTimeout(resolve, FINAL_COMMIT_PAUSE_MS));
    tally(await consumer.commit());
  }
  return { records, polls, commits, refusedCommits, uncommitted: refusedLast || lost, stoppedBy };
}
