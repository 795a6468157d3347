/**
 * The embedded broker's consumer side: poll and commit for one group member. Delivery semantics
 * are described once, in ./memory-broker; which partitions a member owns, and from which offset
 * it starts on them, is ./memory-groups' business.
 *
 * `poll` reads straight from the partition logs: one slice of records per partition, no promise
 * per message, and no timer when there is data or the caller will not wait. A poll with nothing
 * to read waits in `waiting` until a produce to one of its topics, a rebalance or a close wakes
 * it, or its time runs out.
 */
import { badFlag, LoglabError } from '../errors';
import type {
  CommitResult,
  Consumer,
  PollOptions,
  PollResult,
  RawBatch,
  RawPollResult,
  RecordBatch,
  TopicPartitionOffset,
} from './broker';
import { DEFAULT_POLL_RECORDS, DEFAULT_POLL_WAIT_MS } from './broker';
import { type Member, saveCommitted } from './memory-groups';
import { endOffset, type PartitionLog, readLog, type Value } from './memory-log';
import type { MaybeYield } from './memory-yield';

/** What a poll of either kind returns when it has no records. */
type NoRecords = Exclude<RawPollResult, { kind: 'records' }>;

const STOPPED_CLOSED: NoRecords = { kind: 'stopped', reason: 'closed' };
const STOPPED_ABORTED: NoRecords = { kind: 'stopped', reason: 'aborted' };
const IDLE: NoRecords = { kind: 'idle' };

/** What a member's consumer shares with the rest of the broker. */
export interface ConsumerWiring {
  /** Members whose poll is waiting for data. */
  readonly waiting: Set<Member>;
  readonly leave: (member: Member) => void;
  readonly maybeYield: MaybeYield;
}

/** Wakes the waiting polls that read `topic`, after a produce to it. */
export function wakeReaders(waiting: ReadonlySet<Member>, topic: string): void {
  for (const m of waiting) {
    if (m.topics.includes(topic)) m.wake?.();
  }
}

/**
 * Up to `max` records from the member's partitions, a run of one partition at a time handed to
 * `emit` (array indexes [from, to) of its log, its end offset); how many, 0 when none has any.
 */
function collect(
  member: Member,
  max: number,
  emit: (log: PartitionLog, from: number, to: number, end: number) => void,
): number {
  const owned = member.owned;
  const n = owned.length;
  if (n === 0) return 0;
  let count = 0;
  // Start at a different partition each poll so a small maxRecords cannot starve one.
  const start = member.rr++ % n;
  for (let i = 0; i < n && count < max; i++) {
    const o = owned[(start + i) % n];
    const log = o.log;
    // Retention removed what the member had not read yet: skip to the oldest record left.
    if (o.position < log.base) o.position = log.base;
    const end = endOffset(log);
    if (o.position >= end) continue;
    const take = Math.min(end - o.position, max - count);
    const from = o.position - log.base;
    emit(log, from, from + take, end);
    o.position += take;
    count += take;
  }
  return count;
}

function records(
  member: Member,
  max: number,
): Extract<PollResult<Value>, { kind: 'records' }> | null {
  const batches: RecordBatch<Value>[] = [];
  const count = collect(member, max, (log, from, to, end) => {
    const records = readLog(log, from, to, member.valueAs);
    batches.push({ topic: log.topic, partition: log.partition, records, highWatermark: end });
  });
  return count === 0 ? null : { kind: 'records', batches, count };
}

function rawRecords(
  member: Member,
  max: number,
): Extract<RawPollResult, { kind: 'records' }> | null {
  const batches: RawBatch[] = [];
  const count = collect(member, max, (log, from, to, end) => {
    const offsets: number[] = new Array(to - from);
    for (let i = from; i < to; i++) offsets[i - from] = log.base + i;
    const values = log.values.slice(from, to);
    batches.push({
      topic: log.topic,
      partition: log.partition,
      offsets,
      values,
      highWatermark: end,
    });
  });
  return count === 0 ? null : { kind: 'records', batches, count };
}

function waitForData(
  member: Member,
  ms: number,
  signal: AbortSignal | undefined,
  waiting: Set<Member>,
): Promise<'data' | 'timeout' | 'aborted'> {
  return new Promise((resolve) => {
    const done = (outcome: 'data' | 'timeout' | 'aborted') => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      member.wake = null;
      waiting.delete(member);
      resolve(outcome);
    };
    const onAbort = () => done('aborted');
    const timer = setTimeout(() => done('timeout'), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    member.wake = () => done('data');
    waiting.add(member);
  });
}

export function createMemoryConsumer(member: Member, wiring: ConsumerWiring): Consumer<Value> {
  const { waiting, leave, maybeYield } = wiring;

  /** One poll, of either kind: `take` reads the records, null when there are none. */
  async function read<R extends { kind: 'records'; count: number }>(
    opts: PollOptions,
    take: (member: Member, max: number) => R | null,
  ): Promise<R | NoRecords> {
    const max = opts.maxRecords ?? DEFAULT_POLL_RECORDS;
    if (!Number.isInteger(max) || max < 1) {
      throw badFlag(`maxRecords must be a positive integer, got ${max}`);
    }
    if (member.wake !== null) {
      throw new LoglabError('INTERNAL', 'poll called while another poll is waiting');
    }
    if (member.closed) return STOPPED_CLOSED;
    if (opts.signal?.aborted) return STOPPED_ABORTED;
    let result = take(member, max);
    if (result === null) {
      const waitMs = opts.maxWaitMs ?? DEFAULT_POLL_WAIT_MS;
      // No timer for a poll that must not wait: even setTimeout(0) costs a millisecond.
      if (waitMs <= 0) return IDLE;
      const outcome = await waitForData(member, waitMs, opts.signal, waiting);
      if (member.closed) return STOPPED_CLOSED;
      if (outcome === 'aborted') return STOPPED_ABORTED;
      result = take(member, max);
      if (result === null) return IDLE;
    }
    await maybeYield(result.count);
    return result;
  }

  return {
    groupId: member.group.id,
    memberId: () => member.memberId,
    assignment: () => member.owned.map((o) => ({ topic: o.topic, partition: o.partition })),

    poll(opts: PollOptions = {}): Promise<PollResult<Value>> {
      return read(opts, records);
    },

    pollRaw(opts: PollOptions = {}): Promise<RawPollResult> {
      return read(opts, rawRecords);
    },

    async commit(offsets?: readonly TopicPartitionOffset[]): Promise<CommitResult> {
      const group = member.group;
      const done: TopicPartitionOffset[] = [];
      const revoked = member.revoked;
      member.revoked = [];
      const save = (topic: string, partition: number, offset: number) => {
        saveCommitted(group, topic, partition, offset);
        done.push({ topic, partition, offset });
      };
      if (offsets === undefined) {
        for (const o of member.owned) {
          if (o.position === o.committedPosition) continue;
          save(o.topic, o.partition, o.position);
          o.committedPosition = o.position;
        }
      } else {
        for (const c of offsets) {
          const o = member.owned.find((x) => x.topic === c.topic && x.partition === c.partition);
          if (!o) {
            revoked.push({ topic: c.topic, partition: c.partition });
            continue;
          }
          save(c.topic, c.partition, c.offset);
          o.committedPosition = c.offset;
        }
      }
      return { kind: 'committed', offsets: done, revoked };
    },

    async close(): Promise<void> {
      leave(member);
    },
  };
}
