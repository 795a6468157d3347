/**
 * A group member over kafkajs, turned from kafkajs's push model (`run({ eachBatch })`) into the
 * port's pull model (`poll`, then `commit`).
 *
 * kafkajs fetches and hands each batch to `eachBatch`, which puts its messages on a small queue
 * as they are, marks them fetched (`resolveOffset`, so the next fetch goes on from there) and
 * returns, unless the queue is full (by records or by value bytes, whichever comes first): then
 * it waits, heartbeating so the member stays in the group. `poll` takes messages off the queue
 * and makes the port's records of them; `pollRaw` hands their offsets and value buffers on
 * untouched. Either remembers, per partition, the offset after the last record it returned.
 * Nothing is committed until `commit`: kafkajs runs with `autoCommit: false`.
 *
 * After every (re)join kafkajs starts each partition again from the group's committed offset,
 * so the queue is dropped then; records polled but not committed come again (at least once).
 * The join is also where `onAssignment` hears what changed. kafkajs's runner rejoins only
 * between batches (a batch in `eachBatch` finishes first, its heartbeat throwing the rebalance
 * error), but `eachBatch` here only queues: what `poll` returned earlier may still be in the
 * caller's hands while the group has already given its partition to another member.
 */

import type { Kafka, Consumer as KafkaJsConsumer, KafkaMessage, RetryOptions } from 'kafkajs';
import { LoglabError } from '../errors';
import type {
  CommitResult,
  ConsumedRecord,
  Consumer,
  MessageHeaders,
  PollOptions,
  PollResult,
  RawBatch,
  RawPollResult,
  RawValue,
  RecordBatch,
  SubscribeOptions,
  TopicPartition,
  TopicPartitionOffset,
  ValueAs,
} from './broker';
import { DEFAULT_POLL_RECORDS, DEFAULT_POLL_WAIT_MS } from './broker';
import {
  advancePosition,
  IDLE,
  type NoRecords,
  pollLimit,
  STOPPED_ABORTED,
  STOPPED_CLOSED,
  tpKey,
} from './consumer-positions';
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
  /**
   * Value bytes fetched ahead of `poll` before kafkajs is made to wait (8 MiB). The bound that
   * matters when a member catches up a backlog: each queued message keeps its whole fetch
   * response alive.
   */
  readonly prefetchBytes: number;
  /** Bytes one fetch takes from a partition; kafkajs's default (1 MB) when absent. */
  readonly maxBytesPerPartition?: number;
}

type Value = string | Buffer;

/** What a poll of either kind returns when it has no records. */

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

/** Messages of one partition that `eachBatch` queued and `poll` has not taken yet. */
interface Fetched {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  /** The first message not taken yet. */
  from: number;
  /** Value bytes of the messages not taken yet. */
  bytes: number;
  readonly highWatermark: number;
}

const EMPTY = Buffer.alloc(0);

function valueBytes(messages: readonly KafkaMessage[], from: number, to: number): number {
  let bytes = 0;
  for (let i = from; i < to; i++) bytes += messages[i].value?.length ?? 0;
  return bytes;
}

function toRecords(
  topic: string,
  partition: number,
  messages: readonly KafkaMessage[],
  from: number,
  to: number,
  as: ValueAs,
): ConsumedRecord<Value>[] {
  const out: ConsumedRecord<Value>[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    const m = messages[i];
    const raw = m.value;
    out[i - from] = {
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

  const queue: Fetched[] = [];
  /** Records and value bytes on the queue. */
  let queued = 0;
  let queuedBytes = 0;
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
    const gained = next.filter((tp) => !assigned.has(tpKey(tp.topic, tp.partition)));
    const lost = assignment.filter((tp) => !nextKeys.has(tpKey(tp.topic, tp.partition)));
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
    queuedBytes = 0;
    if (gained.length > 0 || lost.length > 0) {
      opts.onAssignment?.({ assigned: gained, revoked: lost });
    }
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
        const messages = batch.messages;
        if (messages.length > 0) {
          const bytes = valueBytes(messages, 0, messages.length);
          queue.push({
            topic: batch.topic,
            partition: batch.partition,
            messages,
            from: 0,
            bytes,
            highWatermark: Number(batch.highWatermark),
          });
          queued += messages.length;
          queuedBytes += bytes;
          wakeData();
        }
        resolveOffset(batch.lastOffset());
        while (
          (queued > settings.prefetchRecords || queuedBytes > settings.prefetchBytes) &&
          !closed &&
          crash === null &&
          isRunning()
        ) {
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

  /**
   * Takes up to `max` queued messages, a run of one partition at a time, handing each run to
   * `emit`, and moves each partition's position past the last one taken.
   */
  function take(max: number, emit: (f: Fetched, from: number, to: number) => void): number {
    let count = 0;
    while (count < max && queue.length > 0) {
      const head = queue[0];
      const from = head.from;
      const to = Math.min(head.messages.length, from + max - count);
      emit(head, from, to);
      if (to === head.messages.length) {
        queue.shift();
        queuedBytes -= head.bytes;
      } else {
        const bytes = valueBytes(head.messages, from, to);
        head.from = to;
        head.bytes -= bytes;
        queuedBytes -= bytes;
      }
      count += to - from;
      const next = Number(head.messages[to - 1].offset) + 1;
      advancePosition(positions, head.topic, head.partition, next);
    }
    queued -= count;
    wakeRoom();
    return count;
  }

  /** Waits for records as `poll` does: null once there are some, else what to return. */
  async function ready(pollOpts: PollOptions): Promise<NoRecords | null> {
    pollLimit(pollOpts, dataWaiter !== null);
    if (crash !== null) throw crash;
    if (closed) return STOPPED_CLOSED;
    if (pollOpts.signal?.aborted) return STOPPED_ABORTED;
    if (queued > 0) return null;
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
    return queued === 0 ? IDLE : null;
  }

  return {
    groupId: opts.groupId,
    memberId: () => memberId,
    assignment: () => assignment,

    async poll(pollOpts: PollOptions = {}): Promise<PollResult<Value>> {
      const wait = await ready(pollOpts);
      if (wait !== null) return wait;
      const batches: RecordBatch<Value>[] = [];
      const count = take(pollOpts.maxRecords ?? DEFAULT_POLL_RECORDS, (f, from, to) => {
        batches.push({
          topic: f.topic,
          partition: f.partition,
          records: toRecords(f.topic, f.partition, f.messages, from, to, as),
          highWatermark: f.highWatermark,
        });
      });
      return { kind: 'records', batches, count };
    },

    async pollRaw(pollOpts: PollOptions = {}): Promise<RawPollResult> {
      const wait = await ready(pollOpts);
      if (wait !== null) return wait;
      const batches: RawBatch[] = [];
      const count = take(pollOpts.maxRecords ?? DEFAULT_POLL_RECORDS, (f, from, to) => {
        const offsets: number[] = new Array(to - from);
        const values: RawValue[] = new Array(to - from);
        for (let i = from; i < to; i++) {
          const m = f.messages[i];
          offsets[i - from] = Number(m.offset);
          values[i - from] = m.value ?? EMPTY;
        }
        batches.push({
          topic: f.topic,
          partition: f.partition,
          offsets,
          values,
          highWatermark: f.highWatermark,
        });
      });
      return { kind: 'records', batches, count };
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
      queuedBytes = 0;
      wakeData();
      wakeRoom();
      await consumer.disconnect().catch(() => undefined);
    },
  };
}
