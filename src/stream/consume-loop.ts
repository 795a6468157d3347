/**
 * The at-least-once consumer loop: poll, process, commit, until told to stop.
 *
 * A record is committed only after `handle` has returned for it; if `handle` throws, nothing of
 * that poll is committed and the error propagates, so the records come again. Aborting the
 * signal (wire it to SIGINT for Ctrl-C) lets a waiting poll return at once, or the batch in hand
 * finish and be committed; then the loop returns. Closing the consumer is the caller's job.
 */
import { badFlag } from '../errors';
import type { Consumer, RecordBatch } from './broker';

export interface RunConsumerOptions {
  readonly signal?: AbortSignal;
  /** Stop after exactly this many records: polls never ask for more than what is left. */
  readonly maxRecords?: number;
  /** Stop at the first poll that finds nothing (read what is there, then return). */
  readonly stopWhenIdle?: boolean;
  /** Records per poll (10,000). */
  readonly pollRecords?: number;
  readonly maxWaitMs?: number;
}

export type StopReason = 'aborted' | 'closed' | 'max' | 'idle';

export interface RunConsumerSummary {
  readonly records: number;
  readonly polls: number;
  readonly commits: number;
  /** Commits the group refused while rebalancing: those records are delivered again. */
  readonly refusedCommits: number;
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
      continue;
    }
    await handle(result.batches);
    records += result.count;
    const committed = await consumer.commit();
    if (committed.kind === 'committed') commits++;
    else refusedCommits++;
  }
  return { records, polls, commits, refusedCommits, stoppedBy };
}
