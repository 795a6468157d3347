/**
 * A group member over kafkajs, turned from kafkajs's push model (`run({ eachBatch })`) into the
 * port's pull model (`poll`, then `commit`).
 *
 * kafkajs fetches and hands each batch to `eachBatch`, which puts it on a small queue, marks it
 * fetched (`resolveOffset`, so the next fetch goes on from there) and returns, unless the queue
 * is full: then it waits, heartbeating so the member stays in the group. `poll` takes records
 * off the queue and remembers, per partition, the offset after the last one it returned.
 * Nothing is committed until `commit`: kafkajs runs with `autoCommit: false`.
 *
 * After every (re)join kafkajs starts each partition again from the group's committed offset,
 * so the queue is dropped then; records polled but not committed come again (at least once).
 */
import type { Kafka, Consumer as KafkaJsConsumer, KafkaMessage, RetryOptions } from 'kafkajs';
import { badFlag, LoglabError } from '../errors';
import type {
  CommitResult,
  ConsumedRecord,
  Consumer,
  MessageHeaders,
  PollOptions,
  PollResult,
  RecordBatch,
  SubscribeOptions,
  TopicPartition,
  TopicPartitionOffset,
  ValueAs,
} from './broker';
import { DEFAULT_POLL_RECORDS, DEFAULT_POLL_WAIT_MS } from './broker';
import { isRebalanceError, kafkaError } from './kafka-errors';

export interface KafkaConsumerSettings {
  readonly address: string;
  readonly retry: RetryOptions;
  /** A member that stops heartbeating is dropped from its group after this long (10 s). */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** How long a fetch waits on the broker for new records (500 ms). */
  readonly maxWaitMs: number;
  /** Records fetched ahead of `poll` before kafkajs is made to wait (50,000). */
  readonly prefetchRecords: number;
  /** Bytes one fetch takes from a partition; kafkajs's default (1 MB) when absent. */
  readonly maxBytesPerPartition?: number;
}

type Value = string | Buffer;

const STOPPED_CLOSED: PollResult<never> = { kind: 'stopped', reason: 'closed' };
const STOPPED_ABORTED: PollResult<never> = { kind: 'stopped', reason: 'aborted' };
const IDLE: PollResult<never> = { kind: 'idle' };

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function headersOf(raw: KafkaMessage['headers']): MessageHeaders | undefined {
  if (!raw) return undefined;
  let out: Record<string, string> | undefined;
  for (const name in raw) {
    const v = raw[name];
    if (v === undefined) continue;
    // Kafka allows a header name more than once; the last value wins, as in a plain object.
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (out === undefined) out = {};
    out[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}

function toRecords(
  topic: string,
  partition: number,
  messages: readonly KafkaMessage[],
  as: ValueAs,
): ConsumedRecord<Value>[] {
  const out: ConsumedRecord<Value>[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const raw = m.value;
    out[i] = {
      topic,
      partition,
      offset: Number(m.offset),
      key: m.key === null ? null : m.key.toString('utf8'),
      value: as === 'buffer' ? (raw ?? Buffer.alloc(0)) : raw === null ? '' : raw.toString('utf8'),
      timestamp: Number(m.timestamp),
      headers: headersOf(m.headers),
    };
  }
  return out;
}

export async function subscribeKafka(
  kafka: Kafka,
  settings: KafkaConsumerSettings,
  opts: SubscribeOptions<ValueAs>,
): Promise<Consumer<Value>> {
  const as: ValueAs = opts.valueAs ?? 'string';
  const context = { groupId: opts.groupId };
  const consumer: KafkaJsConsumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    maxWaitTimeInMs: settings.maxWaitMs,
    ...(settings.maxBytesPerPartition
      ? { maxBytesPerPartition: settings.maxBytesPerPartition }
      : {}),
    allowAutoTopicCreation: false,
    // A crash (broker gone past the retries) ends this member: every later poll or commit
    // throws that one error.
    retry: { ...settings.retry, restartOnFailure: async () => false },
  });

  const queue: RecordBatch<Value>[] = [];
  let queued = 0;
  let assigned = new Set<string>();
  let assignment: TopicPartition[] = [];
  let memberId = '';
  let crash: LoglabError | null = null;
  let closed = false;
  /** Offset after the last record `poll` returned, per partition. */
  const positions = new Map<string, TopicPartitionOffset>();
  const committedAt = new Map<string, number>();
  let revoked: TopicPartition[] = [];
  let dataWaiter: (() => void) | null = null;
  let roomWaiter: (() => void) | null = null;

  const wakeData = () => dataWaiter?.();
  const wakeRoom = () => roomWaiter?.();

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    memberId = payload.memberId;
    const next: TopicPartition[] = [];
    for (const topic of Object.keys(payload.memberAssignment).sort()) {
      for (const partition of [...payload.memberAssignment[topic]].sort((a, b) => a - b)) {
        next.push({ topic, partition });
      }
    }
    const nextKeys = new Set(next.map((tp) => tpKey(tp.topic, tp.partition)));
    for (const [key, pos] of positions) {
      if (nextKeys.has(key)) continue;
      const reported = revoked.some((r) => r.topic === pos.topic && r.partition === pos.partition);
      if (pos.offset !== committedAt.get(key) && !reported) {
        revoked.push({ topic: pos.topic, partition: pos.partition });
      }
      positions.delete(key);
      committedAt.delete(key);
    }
    assignment = next;
    assigned = nextKeys;
    queue.length = 0;
    queued = 0;
    wakeRoom();
    wakeData();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crash = kafkaError(payload.error, settings.address, context);
    wakeData();
    wakeRoom();
  });

  function waitFor(
    set: (wake: (() => void) | null) => void,
    ms: number,
    signal?: AbortSignal,
  ): Promise<'woken' | 'timeout' | 'aborted'> {
    return new Promise((resolve) => {
      const done = (outcome: 'woken' | 'timeout' | 'aborted') => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set(null);
        resolve(outcome);
      };
      const onAbort = () => done('aborted');
      const timer = setTimeout(() => done('timeout'), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      set(() => done('woken'));
    });
  }

  try {
    await consumer.connect();
    await consumer.subscribe({
      topics: [...opts.topics],
      fromBeginning: opts.fromBeginning ?? false,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (closed || !isRunning() || isStale()) return;
        if (!assigned.has(tpKey(batch.topic, batch.partition))) return;
        if (batch.messages.length > 0) {
          queue.push({
            topic: batch.topic,
            partition: batch.partition,
            records: toRecords(batch.topic, batch.partition, batch.messages, as),
            highWatermark: Number(batch.highWatermark),
          });
          queued += batch.messages.length;
          wakeData();
        }
        resolveOffset(batch.lastOffset());
        while (queued > settings.prefetchRecords && !closed && crash === null && isRunning()) {
          await waitFor((w) => {
            roomWaiter = w;
          }, settings.heartbeatIntervalMs);
          // A rebalance shows up here as an error: thrown on, kafkajs rejoins the group.
          if (!closed && isRunning()) await heartbeat();
        }
      },
    });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError(err, settings.address, context);
  }
  // `run` resolves after the first join, or after a crash while joining.
  if (crash !== null) {
    await consumer.disconnect().catch(() => undefined);
    throw crash;
  }

  function take(max: number): PollResult<Value> {
    const batches: RecordBatch<Value>[] = [];
    let count = 0;
    while (count < max && queue.length > 0) {
      const head = queue[0];
      const room = max - count;
      let batch = head;
      if (head.records.length <= room) {
        queue.shift();
      } else {
        batch = { ...head, records: head.records.slice(0, room) };
        queue[0] = { ...head, records: head.records.slice(room) };
      }
      batches.push(batch);
      count += batch.records.length;
      const last = batch.records[batch.records.length - 1];
      const key = tpKey(batch.topic, batch.partition);
      // After a rejoin kafkajs reads again from the committed offset: records this member
      // already returned come once more, and must not move the commit position back.
      const before = positions.get(key);
      if (before === undefined || last.offset + 1 > before.offset) {
        positions.set(key, {
          topic: batch.topic,
          partition: batch.partition,
          offset: last.offset + 1,
        });
      }
    }
    queued -= count;
    wakeRoom();
    return { kind: 'records', batches, count };
  }

  return {
    groupId: opts.groupId,
    memberId: () => memberId,
    assignment: () => assignment,

    async poll(pollOpts: PollOptions = {}): Promise<PollResult<Value>> {
      const max = pollOpts.maxRecords ?? DEFAULT_POLL_RECORDS;
      if (!Number.isInteger(max) || max < 1) {
        throw badFlag(`maxRecords must be a positive integer, got ${max}`);
      }
      if (dataWaiter !== null) {
        throw new LoglabError('INTERNAL', 'poll called while another poll is waiting');
      }
      if (crash !== null) throw crash;
      if (closed) return STOPPED_CLOSED;
      if (pollOpts.signal?.aborted) return STOPPED_ABORTED;
      if (queued === 0) {
        const outcome = await waitFor(
          (w) => {
            dataWaiter = w;
          },
          pollOpts.maxWaitMs ?? DEFAULT_POLL_WAIT_MS,
          pollOpts.signal,
        );
        if (crash !== null) throw crash;
        if (closed) return STOPPED_CLOSED;
        if (outcome === 'aborted') return STOPPED_ABORTED;
        if (queued === 0) return IDLE;
      }
      return take(max);
    },

    async commit(offsets?: readonly TopicPartitionOffset[]): Promise<CommitResult> {
      if (crash !== null) throw crash;
      if (closed) throw new LoglabError('INTERNAL', 'commit called on a closed consumer');
      // Partitions lost in a rebalance are reported by the first commit that goes through; a
      // refused or failed one puts them back for the next.
      const pending = revoked;
      revoked = [];
      const putBack = () => {
        revoked = [...pending, ...revoked];
      };
      const lost = [...pending];
      const list: TopicPartitionOffset[] = [];
      if (offsets === undefined) {
        for (const [key, pos] of positions) {
          if (committedAt.get(key) !== pos.offset) list.push(pos);
        }
      } else {
        for (const o of offsets) {
          if (assigned.has(tpKey(o.topic, o.partition))) list.push(o);
          else lost.push({ topic: o.topic, partition: o.partition });
        }
      }
      if (list.length === 0) return { kind: 'committed', offsets: [], revoked: lost };
      try {
        await consumer.commitOffsets(
          list.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
        );
      } catch (err) {
        putBack();
        if (isRebalanceError(err)) return { kind: 'rebalancing', offsets: list };
        throw kafkaError(err, settings.address, context);
      }
      // kafkajs skips the commit silently once its runner has stopped (a crash): say so.
      if (crash !== null) {
        putBack();
        throw crash;
      }
      for (const o of list) committedAt.set(tpKey(o.topic, o.partition), o.offset);
      return { kind: 'committed', offsets: list, revoked: lost };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      queue.length = 0;
      queued = 0;
      wakeData();
      wakeRoom();
      await consumer.disconnect().catch(() => undefined);
    },
  };
}
