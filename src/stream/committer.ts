/**
 * The commits of a consumer loop, for both of ours: the stream's (consume-loop.ts, under
 * `loglab stream` and the demo) and detection's (pipeline/run-detection.ts, `loglab detect`).
 *
 * What is committed is what the loop's handlers are done with (`done`), not what was polled:
 * the detector's partition merge holds records back, for seconds, waiting for slower
 * partitions, and a commit past them would lose their alerts to a crash (the group resumes
 * after them). With several handlers a partition's offset is the smallest any of them gives.
 * Without `done`, a handler is done with a poll when it returns, and the commit is the
 * consumer's own positions (`loglab consume`).
 *
 * While records flow a loop commits `due`: at most once an `intervalMs` (detection's 1 s:
 * run-detection.ts says what a commit per poll cost on real Kafka). An idle poll and the end of
 * a loop commit `now`. Only partitions whose offset moved are sent. The last commit, refused
 * because the group was rebalancing as the loop ended, is tried again (`commitLast`): once the
 * member has rejoined, the partitions it kept can still be committed.
 */
import type { CommitResult, Consumer, TopicPartition, TopicPartitionOffset } from './broker';
import { tpKey } from './consumer-positions';

/** A refused last commit is tried again this often, this far apart: a rejoin takes about a second. */
export const FINAL_COMMIT_TRIES = 10;
export const FINAL_COMMIT_PAUSE_MS = 300;
/** How often the stream's and detection's loops commit while records flow (see the module docblock). */
export const DEFAULT_COMMIT_INTERVAL_MS = 1000;

export interface CommitterOptions {
  /**
   * Per partition read, the offset of the first record not done with: what may be committed.
   * Absent: everything handed to the handlers (the consumer's positions).
   */
  readonly done?: () => readonly TopicPartitionOffset[];
  /** While records flow, commit at most this often (0, the default: after every poll). */
  readonly intervalMs?: number;
  /** Clock of the interval, in ms (`performance.now`). */
  readonly now?: () => number;
}

export interface Committer {
  /** Records were handed to the handlers since the last commit (needed only without `done`). */
  handled(): void;
  /**
   * Commits what is done and not committed yet; `due` only when the last commit is at least
   * `intervalMs` old. Null when nothing was sent.
   */
  commit(consumer: Consumer<unknown>, when?: 'due' | 'now'): Promise<CommitResult | null>;
  /**
   * The loop's last commit: `now`, and while the group refuses it, again up to
   * FINAL_COMMIT_TRIES times FINAL_COMMIT_PAUSE_MS apart (a commit refused just before counts
   * as the first try). Each result goes to `tally`; the last one is returned.
   */
  commitLast(
    consumer: Consumer<unknown>,
    tally: (result: CommitResult) => void,
  ): Promise<CommitResult | null>;
  /** Offsets the group holds after a commit made outside `commit`. */
  committed(offsets: readonly TopicPartitionOffset[]): void;
  /** Partitions the member lost: nothing is known of what the group holds for them any more. */
  forget(partitions: readonly TopicPartition[]): void;
}

/**
 * A commit between a revoke and the assignment after it: the librdkafka member owns nothing
 * then, so it sends nothing and lists every partition as revoked, yet the handlers still have
 * the ones the group gives back (`onAssignment` tells only what changed, once the new
 * assignment comes). Taken as committed, the last commit stopped there, and the partitions kept
 * through the rebalance missed their final offsets; it is refused instead, so it is tried again.
 * (What the group holds of every partition revoked is forgotten first, so the next try sends
 * them all.)
 */
function keptThroughRevoke(
  result: Extract<CommitResult, { kind: 'committed' }>,
  done: readonly TopicPartitionOffset[],
): CommitResult {
  const still = new Set(done.map((o) => tpKey(o.topic, o.partition)));
  if (!result.revoked.some((tp) => still.has(tpKey(tp.topic, tp.partition)))) return result;
  const refusedOffsets = done.filter((o) =>
    result.revoked.some((tp) => tp.topic === o.topic && tp.partition === o.partition),
  );
  return { kind: 'rebalancing', offsets: refusedOffsets };
}

export function createCommitter(options: CommitterOptions = {}): Committer {
  const { done } = options;
  const intervalMs = options.intervalMs ?? 0;
  const now = options.now ?? (() => performance.now());
  /** Offset the group holds, per partition, as far as this member knows. */
  const held = new Map<string, number>();
  let lastAt = Number.NEGATIVE_INFINITY;
  /** The latest commit sent was refused (the group was rebalancing). */
  let refused = false;
  /** Without `done`: records handled since the last commit the group accepted. */
  let pending = false;

  const committed = (offsets: readonly TopicPartitionOffset[]) => {
    for (const o of offsets) held.set(tpKey(o.topic, o.partition), o.offset);
  };
  const forget = (partitions: readonly TopicPartition[]) => {
    for (const tp of partitions) held.delete(tpKey(tp.topic, tp.partition));
  };

  const commit = async (consumer: Consumer<unknown>, when: 'due' | 'now' = 'now') => {
    if (when === 'due' && now() - lastAt < intervalMs) return null;
    let result: CommitResult;
    if (done === undefined) {
      if (!pending) return null;
      lastAt = now();
      result = await consumer.commit();
      if (result.kind === 'committed') pending = false;
    } else {
      const changed = done().filter((o) => held.get(tpKey(o.topic, o.partition)) !== o.offset);
      if (changed.length === 0) return null;
      lastAt = now();
      result = await consumer.commit(changed);
    }
    if (result.kind === 'committed') {
      committed(result.offsets);
      forget(result.revoked);
      if (done !== undefined && result.revoked.length > 0) {
        result = keptThroughRevoke(result, done());
      }
    }
    refused = result.kind === 'rebalancing';
    return result;
  };

  return {
    handled() {
      pending = true;
    },
    commit,
    async commitLast(consumer, tally) {
      let result: CommitResult | null = null;
      const attempt = async () => {
        result = await commit(consumer);
        if (result === null) refused = false;
        else tally(result);
      };
      if (!refused) await attempt();
      for (let i = 0; refused && i < FINAL_COMMIT_TRIES; i++) {
        await new Promise((resolve) => setTimeout(resolve, FINAL_COMMIT_PAUSE_MS));
        await attempt();
      }
      return result;
    },
    committed,
    forget,
  };
}
