/**
 * A group member over librdkafka's native `KafkaConsumer`. librdkafka's own threads fetch ahead
 * and heartbeat; `consume(n)` takes up to n records off its queue (on a libuv worker thread),
 * waiting only for the first. Nothing is committed until `commit` (`enable.auto.commit` and
 * `enable.auto.offset.store` off).
 *
 * A pump keeps one `consume` call running at all times, into a buffer that `poll` takes from,
 * for one reason: librdkafka serves group rebalances only inside a `consume` call, and under the
 * eager protocol the whole group waits (up to max.poll.interval.ms, 5 minutes) for a member that
 * does not call it. A member that is busy, or idle between polls, must still let others join, as
 * kafkajs's members do. When the buffer holds `prefetchRecords`, the pump pauses the member's
 * partitions: its `consume` calls then return nothing but still serve the rebalances.
 *
 * - Group protocol: Kafka's classic, eager `roundrobin` assignor, as kafkajs's default, so a
 *   rebalance revokes everything and assigns again; librdkafka then reads each partition from
 *   the group's committed offset (records polled but not committed come again, at least once).
 *   `onAssignment` is told the difference between the assignment before the revoke and the one
 *   after, so a partition kept through the rebalance is in neither list, as on kafkajs.
 * - `commit` resolves when the group coordinator has answered, as on kafkajs. The binding's
 *   `commitCb` only queues the commit (librdkafka's commitAsync): a member killed right after
 *   it lost commits it had reported made, and a commit the group refused passed for done. The
 *   answer comes through librdkafka's `offset_commit_cb`, served inside the pump's `consume`
 *   calls, and is matched to the commit by its offsets.
 * - `subscribe` resolves once the pump has served the first assignment.
 * - An aborted `poll` returns `stopped` at once; nothing is lost, the records stay buffered.
 * - The binding does not expose the broker's member id: `memberId()` is the client id and a
 *   random suffix, stable for the member's life.
 * - Where the CPU goes (300,000 messages, 2 cores at load 15-30): on the main thread the binding
 *   makes an object, two Buffers (value and key, each its own malloc) and a topic string per
 *   message. A bare `consume(10000)` loop that drops them costs 4.6-5.3 µs per message, kcat
 *   0.6 µs. This file's own functions are about 5% of the samples: a buffer read without
 *   slicing, ownership checked once per partition run and records made as they come were
 *   measured, alternating with this code, at -0.2 to +1.2 µs: no gain, so not taken.
 * - Why the pump takes 1,000 records a call (PUMP_RECORDS): a `commit`'s answer reaches this
 *   thread only once the `consume` call running when it came has returned, so a commit waits
 *   about one call. At 10,000 a call that was 60-390 ms (mean 150-390) per commit, and a loop
 *   that commits after every poll (runConsumer) spent most of its time waiting while the
 *   buffer grew (holding 20,000-40,000 records, which then outlive young-generation GCs);
 *   at 1,000 a commit waits 8-20 ms. Measured on 300,000 messages with runConsumer, the sizes
 *   alternating, two rounds at load 10-11: 10,000 a call 21,500-36,400 messages/s at 10-12.8
 *   µs CPU each; 2,000 36,100-68,100 at 6.9-8.4 µs; 1,000 56,200-84,900 at 7.5-8.7 µs; 500
 *   53,900-90,400 at 7.5-9.8 µs (more calls and commits each second).
 */

import { randomUUID } from 'node:crypto';
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
  LostPartitions,
  type NoRecords,
  planCommit,
  pollLimit,
  STOPPED_ABORTED,
  STOPPED_CLOSED,
  tpKey,
} from './consumer-positions';
import type {
  RdConfig,
  RdConsumer,
  RdError,
  RdkafkaModule,
  RdMessage,
  RdTopicPartition,
} from './rdkafka-api';
import { isRdCommitRefusedForNow, isRdRebalanceError, rdkafkaError } from './rdkafka-errors';

export interface RdConsumerSettings {
  readonly address: string;
  readonly connectTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** How long a fetch waits on the broker for new records (fetch.wait.max.ms). */
  readonly fetchMaxWaitMs: number;
  /** How long `subscribe` waits for the first assignment. */
  readonly joinTimeoutMs: number;
  /** Records taken off librdkafka ahead of `poll` before the pump pauses (50,000). */
  readonly prefetchRecords: number;
  readonly debug: boolean;
}

type Value = string | Buffer;

/** Records per `consume` call of the pump, and how long one waits when nothing is there. */
const PUMP_RECORDS = 1_000;
const PUMP_WAIT_MS = 100;
const ASSIGN = -175;
const REVOKE = -174;
/** What a poll of either kind returns when it has no records. */

const EMPTY = Buffer.alloc(0);

/** A commit's offsets as one string, in any order: how a coordinator's answer finds its commit. */
function commitKey(list: readonly { topic: string; partition: number; offset?: number }[]): string {
  return list
    .map((o) => `${o.topic}\u0000${o.partition}\u0000${o.offset ?? -1}`)
    .sort()
    .join('\u0001');
}

interface PendingCommit {
  readonly key: string;
  readonly settle: (err: RdError | null) => void;
}

function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function headersOf(raw: RdMessage['headers']): MessageHeaders | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const out: Record<string, string> = {};
  // Kafka allows a header name more than once; the last value wins, as in a plain object.
  for (const h of raw) {
    for (const name in h) {
      const v = h[name];
      out[name] = typeof v === 'string' ? v : v.toString('utf8');
    }
  }
  return out;
}

function toRecord(m: RdMessage, as: ValueAs): ConsumedRecord<Value> {
  const raw = m.value;
  const key = m.key;
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key:
      key === null || key === undefined
        ? null
        : typeof key === 'string'
          ? key
          : key.toString('utf8'),
    value: as === 'buffer' ? (raw ?? Buffer.alloc(0)) : raw === null ? '' : raw.toString('utf8'),
    timestamp: m.timestamp ?? 0,
    headers: headersOf(m.headers),
  };
}

export async function subscribeRdkafka(
  rd: RdkafkaModule,
  settings: RdConsumerSettings,
  opts: SubscribeOptions<ValueAs>,
): Promise<Consumer<Value>> {
  const as: ValueAs = opts.valueAs ?? 'string';
  const context = { groupId: opts.groupId };
  const clientId = opts.clientId ?? 'loglab';
  const memberId = `${clientId}-${randomUUID()}`;

  /** Records consumed but not yet returned by `poll`, in the order librdkafka gave them. */
  let buffer: RdMessage[] = [];
  let assignment: TopicPartition[] = [];
  let assigned = new Set<string>();
  /** The assignment before an eager revoke, to tell `onAssignment` only what changed. */
  let beforeRevoke: TopicPartition[] | null = null;
  let firstAssignment = false;
  let closed = false;
  let failure: LoglabError | null = null;
  const positions = new Map<string, TopicPartitionOffset>();
  const committedAt = new Map<string, number>();
  const revoked = new LostPartitions();
  let paused = false;
  let pumping: Promise<void> | null = null;
  let dataWaiter: (() => void) | null = null;
  const wakeData = () => dataWaiter?.();
  /** Commits queued in librdkafka, waiting for the coordinator's answer, oldest first. */
  const pendingCommits: PendingCommit[] = [];

  function onOffsetCommit(err: RdError | undefined, parts: RdTopicPartition[]): void {
    if (pendingCommits.length === 0) return;
    const key = commitKey(parts ?? []);
    const i = pendingCommits.findIndex((c) => c.key === key);
    // Answers come in the order the commits went out; the oldest is the fallback.
    const [done] = pendingCommits.splice(Math.max(i, 0), 1);
    done.settle(err ?? null);
  }

  /** Settles every waiting commit with an error: the member stopped before they were answered. */
  function failPendingCommits(): void {
    // ERR__STATE: `commit` throws the member's failure if there is one, else reports a refusal.
    const err: RdError = { message: 'the member stopped before the group answered', code: -172 };
    for (const c of pendingCommits.splice(0)) c.settle(err);
  }

  function onRebalance(
    this: RdConsumer,
    err: RdError | undefined,
    parts: RdTopicPartition[],
  ): void {
    const code = err?.code;
    try {
      if (code === ASSIGN) {
        consumer.assign(parts);
        paused = false;
        applyAssignment(parts.map((p) => ({ topic: p.topic, partition: p.partition })));
      } else if (code === REVOKE) {
        consumer.unassign();
        beforeRevoke ??= assignment;
        // `assignment()` goes on listing the old partitions until the new ones come, as a
        // kafkajs member does until its rejoin; records and commits follow `assigned`.
        assigned = new Set();
        paused = false;
        // Records fetched for partitions this member no longer owns go to the new owner.
        buffer = [];
      } else if (err) {
        failure = rdkafkaError(err, settings.address, context);
      }
    } catch (e) {
      if (!closed) failure = rdkafkaError(e, settings.address, context);
    }
    wakeData();
  }

  function applyAssignment(next: TopicPartition[]): void {
    next.sort(byTopicPartition);
    const before = beforeRevoke ?? assignment;
    beforeRevoke = null;
    const nextKeys = new Set(next.map((tp) => tpKey(tp.topic, tp.partition)));
    const beforeKeys = new Set(before.map((tp) => tpKey(tp.topic, tp.partition)));
    const gained = next.filter((tp) => !beforeKeys.has(tpKey(tp.topic, tp.partition)));
    const lost = before.filter((tp) => !nextKeys.has(tpKey(tp.topic, tp.partition)));
    for (const [key, pos] of positions) {
      if (nextKeys.has(key)) continue;
      if (pos.offset !== committedAt.get(key)) revoked.note(pos);
      positions.delete(key);
      committedAt.delete(key);
    }
    assignment = next;
    assigned = nextKeys;
    firstAssignment = true;
    if (!closed && (gained.length > 0 || lost.length > 0)) {
      opts.onAssignment?.({ assigned: gained, revoked: lost });
    }
  }

  const config: RdConfig = {
    'bootstrap.servers': settings.address,
    'group.id': opts.groupId,
    'client.id': clientId,
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'partition.assignment.strategy': 'roundrobin',
    'session.timeout.ms': settings.sessionTimeoutMs,
    'heartbeat.interval.ms': settings.heartbeatIntervalMs,
    'fetch.wait.max.ms': settings.fetchMaxWaitMs,
    'allow.auto.create.topics': false,
    'socket.connection.setup.timeout.ms': settings.connectTimeoutMs,
    log_level: settings.debug ? 7 : 0,
    ...(settings.debug ? { debug: 'cgrp,fetch' } : {}),
    rebalance_cb: onRebalance as (...args: never[]) => void,
    offset_commit_cb: onOffsetCommit as (...args: never[]) => void,
  };
  // A topic-level property: in the global config the (empty) topic config would override it.
  const topicConfig: RdConfig = { 'auto.offset.reset': opts.fromBeginning ? 'earliest' : 'latest' };
  const consumer: RdConsumer = new rd.KafkaConsumer(config, topicConfig);
  consumer.on('event.error', (err: RdError) => {
    // Fatal errors end the member; the others are librdkafka telling of its own retries.
    if (err.isFatal) failure = rdkafkaError(err, settings.address, context);
  });
  consumer.setDefaultIsTimeoutOnlyForFirstMessage?.(true);

  /** One `consume` call; its records are appended to `buffer`. */
  function consumeOnce(): Promise<void> {
    return new Promise<void>((resolve) => {
      consumer.consume(PUMP_RECORDS, (err, messages) => {
        if (err) {
          if (!closed && !isRdRebalanceError(err) && err.code !== -185) {
            failure = rdkafkaError(err, settings.address, context);
          }
        } else {
          // A record of a partition revoked while this call ran belongs to the next owner.
          for (const m of messages) {
            if (assigned.has(tpKey(m.topic, m.partition))) buffer.push(m);
          }
        }
        resolve();
      });
    });
  }

  /** Keeps one `consume` running until the member closes or fails (see the docblock). */
  async function pump(): Promise<void> {
    consumer.setDefaultConsumeTimeout(PUMP_WAIT_MS);
    while (!closed && failure === null) {
      const full = buffer.length >= settings.prefetchRecords;
      if (full !== paused && assignment.length > 0) {
        const parts = assignment.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
        if (full) consumer.pause(parts);
        else consumer.resume(parts);
        paused = full;
      }
      await consumeOnce();
      if (buffer.length > 0 || failure !== null) wakeData();
    }
    failPendingCommits();
    wakeData();
  }

  function waitForData(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        dataWaiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      dataWaiter = done;
    });
  }

  async function disconnect(): Promise<void> {
    if (pumping !== null) await pumping;
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }

  try {
    await new Promise<void>((resolve, reject) => {
      consumer.connect({ timeout: settings.connectTimeoutMs }, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
    consumer.subscribe([...opts.topics]);
    pumping = pump();
    const deadline = Date.now() + settings.joinTimeoutMs;
    while (!firstAssignment && failure === null) {
      if (Date.now() >= deadline) {
        throw new LoglabError(
          'SERVICE_DOWN',
          `the Kafka broker at ${settings.address} gave group "${opts.groupId}" no partitions within ${settings.joinTimeoutMs} ms`,
          { retriable: true, context },
        );
      }
      await waitForData(100);
    }
    if (failure !== null) throw failure;
  } catch (err) {
    closed = true;
    await disconnect().catch(() => undefined);
    throw rdkafkaError(err, settings.address, context);
  }

  /**
   * Takes up to `max` buffered records, hands each run of one partition to `emit` (indexes
   * [from, to) of `taken`, and its high watermark) and moves that partition's position past it.
   */
  function take(
    max: number,
    emit: (taken: readonly RdMessage[], from: number, to: number, high: number) => void,
  ): number {
    const n = Math.min(max, buffer.length);
    const taken = buffer.slice(0, n);
    buffer = buffer.slice(n);
    let from = 0;
    for (let i = 0; i < taken.length; i++) {
      const m = taken[i];
      const next = taken[i + 1];
      if (next === undefined || next.topic !== m.topic || next.partition !== m.partition) {
        let high = m.offset + 1;
        try {
          const w = consumer.getWatermarkOffsets(m.topic, m.partition);
          if (w.highOffset > high) high = w.highOffset;
        } catch {
          // No cached watermark yet: the record's own end is the best known.
        }
        emit(taken, from, i + 1, high);
        from = i + 1;
        advancePosition(positions, m.topic, m.partition, m.offset + 1);
      }
    }
    return n;
  }

  /** Waits for records as `poll` does: null once there are some, else what to return. */
  async function ready(pollOpts: PollOptions): Promise<NoRecords | null> {
    pollLimit(pollOpts, dataWaiter !== null);
    if (failure !== null) throw failure;
    if (closed) return STOPPED_CLOSED;
    const signal = pollOpts.signal;
    if (signal?.aborted) return STOPPED_ABORTED;
    if (buffer.length > 0) return null;
    await waitForData(pollOpts.maxWaitMs ?? DEFAULT_POLL_WAIT_MS, signal);
    if (failure !== null) throw failure;
    if (closed) return STOPPED_CLOSED;
    if (signal?.aborted) return STOPPED_ABORTED;
    return buffer.length === 0 ? IDLE : null;
  }

  return {
    groupId: opts.groupId,
    memberId: () => memberId,
    assignment: () => assignment,

    async poll(pollOpts: PollOptions = {}): Promise<PollResult<Value>> {
      const wait = await ready(pollOpts);
      if (wait !== null) return wait;
      const batches: RecordBatch<Value>[] = [];
      const count = take(pollOpts.maxRecords ?? DEFAULT_POLL_RECORDS, (taken, from, to, high) => {
        const records: ConsumedRecord<Value>[] = new Array(to - from);
        for (let i = from; i < to; i++) records[i - from] = toRecord(taken[i], as);
        const { topic, partition } = taken[from];
        batches.push({ topic, partition, records, highWatermark: high });
      });
      return { kind: 'records', batches, count };
    },

    async pollRaw(pollOpts: PollOptions = {}): Promise<RawPollResult> {
      const wait = await ready(pollOpts);
      if (wait !== null) return wait;
      const batches: RawBatch[] = [];
      const count = take(pollOpts.maxRecords ?? DEFAULT_POLL_RECORDS, (taken, from, to, high) => {
        const offsets: number[] = new Array(to - from);
        const values: RawValue[] = new Array(to - from);
        for (let i = from; i < to; i++) {
          offsets[i - from] = taken[i].offset;
          values[i - from] = taken[i].value ?? EMPTY;
        }
        const { topic, partition } = taken[from];
        batches.push({ topic, partition, offsets, values, highWatermark: high });
      });
      return { kind: 'records', batches, count };
    },

    async commit(offsets?: readonly TopicPartitionOffset[]): Promise<CommitResult> {
      if (failure !== null) throw failure;
      if (closed) throw new LoglabError('INTERNAL', 'commit called on a closed consumer');
      const { list, lost, putBack } = planCommit(
        offsets,
        revoked,
        positions,
        committedAt,
        assigned,
      );
      if (list.length === 0) return { kind: 'committed', offsets: [], revoked: lost };
      const parts = list.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
      const err = await new Promise<RdError | null>((resolve) => {
        const pending: PendingCommit = { key: commitKey(parts), settle: resolve };
        pendingCommits.push(pending);
        consumer.commitCb(parts, (queued) => {
          // Not queued: no answer will come.
          if (queued) {
            const i = pendingCommits.indexOf(pending);
            if (i >= 0) pendingCommits.splice(i, 1);
            resolve(queued);
          }
        });
      });
      if (failure !== null) {
        putBack();
        throw failure;
      }
      if (err) {
        putBack();
        // Refused for now (a rebalance, or a restarted broker's coordinator not found yet): the
        // loop sends it again with its next commit, as after a rebalance.
        if (isRdCommitRefusedForNow(err)) return { kind: 'rebalancing', offsets: list };
        throw rdkafkaError(err, settings.address, context);
      }
      for (const o of list) committedAt.set(tpKey(o.topic, o.partition), o.offset);
      return { kind: 'committed', offsets: list, revoked: lost };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      buffer = [];
      wakeData();
      await disconnect().catch(() => undefined);
    },
  };
}
