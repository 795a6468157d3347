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
 *
 * A broker outage (Kafka restarting): kafkajs's runner retries its fetches for a few seconds
 * (the `retry` settings, about 3 s), then stops the member and reports a `CRASH`. Its own
 * `restartOnFailure` would start the member again and again, with no bound and nothing said;
 * here it is off, and with `outage` given a member that has joined waits for the broker through
 * the outage guard (broker-outage.ts: one line when it goes, one when it is back, bounded),
 * then starts a fresh kafkajs member that joins the group again. A partition it kept starts
 * right after the last record it returned (kafkajs alone would take the group's committed
 * offset, or the log's end for a partition never committed), or further where another member
 * committed further meanwhile; records it had already returned are not returned again (below
 * the position they are dropped as they come), so a caller that commits after each poll sees
 * every record once. Meanwhile `poll` and `commit` wait (a poll's
 * signal and `close` end that at once); past the guard's limit, or when its signal aborts, the
 * member ends with the outage's error, as it does at once without `outage`.
 */

import type {
  EachBatchPayload,
  Kafka,
  Consumer as KafkaJsConsumer,
  KafkaMessage,
  RetryOptions,
} from 'kafkajs';
import { LoglabError } from '../errors';
import type {
  Broker,
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
import { brokerOutageGuard, isBrokerOutage } from './broker-outage';
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
import type { OutageWaitSettings } from './kafka-config';
import {
  errorChain,
  isCoordinatorStarting,
  isLeaderElection,
  isRebalanceError,
  kafkaError,
} from './kafka-errors';

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

/** What a member needs to ride out a broker outage: the broker to probe, and the settings. */
export interface KafkaConsumerOutage {
  /** Its metadata of the member's first topic says the broker answers again. */
  readonly broker: Broker;
  readonly settings: OutageWaitSettings;
}

type Value = string | Buffer;

/**
 * No coordinator for the group: what a broker that is stopping or starting answers before it
 * refuses connections or after it accepts them again (seen in a restart at a load of 20).
 */
function isCoordinatorAway(err: unknown): boolean {
  return (
    isCoordinatorStarting(err) ||
    errorChain(err).some((e) => e.name === 'KafkaJSGroupCoordinatorNotFound')
  );
}

/** How often, and how many times, a join refused by a coordinator still loading is tried again. */
const COORDINATOR_PAUSE_MS = 500;
const COORDINATOR_TRIES = 60;

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
  outage?: KafkaConsumerOutage,
): Promise<Consumer<Value>> {
  const as: ValueAs = opts.valueAs ?? 'string';
  const context = { groupId: opts.groupId };

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
  const revoked = new LostPartitions();
  let dataWaiter: (() => void) | null = null;
  let roomWaiter: (() => void) | null = null;
  /** The kafkajs member now in use; events of an earlier one are ignored. */
  let member: KafkaJsConsumer | null = null;
  /** A crash while a member was being started: `start` throws it. */
  let startFailure: LoglabError | null = null;
  let starting = false;
  /** Waiting for the broker and joining again after an outage; null otherwise. */
  let recovering: Promise<void> | null = null;
  /** The error that began the latest outage. */
  let outageError: LoglabError | null = null;
  /** Partitions joined again after an outage whose records below the position come again. */
  const redelivering = new Set<string>();
  const stopWaiting = new AbortController();
  const outageSettings = outage?.settings;
  const guard =
    outage === undefined || outageSettings === undefined
      ? null
      : brokerOutageGuard(outage.broker, {
          topic: opts.topics[0],
          totalWaitMs: outageSettings.totalWaitMs,
          probeEveryMs: outageSettings.probeEveryMs,
          log: outageSettings.log,
          signal:
            outageSettings.signal === undefined
              ? stopWaiting.signal
              : AbortSignal.any([outageSettings.signal, stopWaiting.signal]),
        });

  const wakeData = () => dataWaiter?.();
  const wakeRoom = () => roomWaiter?.();

  /** `err` as a broker outage to wait out, or null when it is some other failure. */
  function outageOf(err: unknown): LoglabError | null {
    const failure = kafkaError(err, settings.address, context);
    if (isBrokerOutage(failure as unknown)) return failure;
    if (!isCoordinatorAway(err) && !isLeaderElection(err)) return null;
    return new LoglabError('SERVICE_DOWN', failure.message, {
      retriable: true,
      cause: failure,
      context: { ...failure.context, broker: settings.address },
    });
  }

  function onJoin(payload: { memberId: string; memberAssignment: Record<string, number[]> }) {
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
      if (pos.offset !== committedAt.get(key)) revoked.note(pos);
      positions.delete(key);
      committedAt.delete(key);
      redelivering.delete(key);
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
  }

  function onCrash(error: unknown) {
    const failure = kafkaError(error, settings.address, context);
    if (starting) {
      startFailure = failure;
      return;
    }
    if (closed || recovering !== null) return;
    const outage = outageOf(error);
    if (outage !== null && guard !== null) {
      recover(outage);
      return;
    }
    // A member that does not wait (its subscriber's own loop does: the archiver) still reports
    // a coordinator that went away with its broker as the broker outage it is, so that loop
    // waits it out instead of taking it for a failure of its own.
    crash = outage ?? failure;
    wakeData();
    wakeRoom();
  }

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

  /** Until an outage is over (or ended the member); false when `signal` aborted first. */
  async function recovered(signal?: AbortSignal): Promise<boolean> {
    while (recovering !== null && !closed) {
      if (signal?.aborted) return false;
      let onAbort = () => {};
      const aborted = new Promise<void>((resolve) => {
        onAbort = () => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        stopWaiting.signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([recovering, aborted]);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        stopWaiting.signal.removeEventListener('abort', onAbort);
      }
    }
    return true;
  }

  const eachBatch = async ({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> => {
    if (closed || !isRunning() || isStale()) return;
    const key = tpKey(batch.topic, batch.partition);
    if (!assigned.has(key)) return;
    let messages = batch.messages;
    if (redelivering.has(key) && messages.length > 0) {
      // Joined again after an outage: what this member returned already is not returned again.
      const from = positions.get(key)?.offset ?? 0;
      const first = messages.findIndex((m) => Number(m.offset) >= from);
      if (first !== 0) messages = first < 0 ? [] : messages.slice(first);
      if (messages.length > 0) redelivering.delete(key);
    }
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
  };

  /**
   * A new kafkajs member: joined when this resolves (to it), or the reason it could not join.
   * `seeks`, per partition key, is where a partition the join assigns starts instead of the
   * group's committed offset (see `rejoinStarts`).
   */
  async function start(
    fromBeginning: boolean,
    seeks?: ReadonlyMap<string, TopicPartitionOffset>,
  ): Promise<KafkaJsConsumer> {
    const m: KafkaJsConsumer = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.maxWaitMs,
      ...(settings.maxBytesPerPartition
        ? { maxBytesPerPartition: settings.maxBytesPerPartition }
        : {}),
      allowAutoTopicCreation: false,
      // A crash (broker gone past the retries) ends this kafkajs member; an outage is ridden
      // out (with `outage`) by starting another one, see the module docblock.
      retry: { ...settings.retry, restartOnFailure: async () => false },
    });
    member = m;
    /** Only for the member's first join: a later rebalance starts from the group's offsets. */
    let pendingSeeks = seeks;
    m.on(m.events.GROUP_JOIN, ({ payload }) => {
      if (m !== member) return;
      onJoin(payload);
      // Applied by kafkajs before its first fetch of the partition.
      for (const [key, at] of pendingSeeks ?? []) {
        if (assigned.has(key)) m.seek({ ...at, offset: String(at.offset) });
      }
      pendingSeeks = undefined;
    });
    m.on(m.events.CRASH, ({ payload }) => {
      if (m === member) onCrash(payload.error);
    });
    starting = true;
    startFailure = null;
    try {
      await m.connect();
      await m.subscribe({ topics: [...opts.topics], fromBeginning });
      await m.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch,
      });
    } catch (err) {
      await m.disconnect().catch(() => undefined);
      throw kafkaError(err, settings.address, context);
    } finally {
      starting = false;
    }
    // `run` resolves after the first join, or after a crash while joining.
    const failed: LoglabError | null = startFailure;
    if (failed !== null) {
      await m.disconnect().catch(() => undefined);
      throw failed;
    }
    return m;
  }

  /**
   * Where each partition this member kept through an outage starts when it joins again. kafkajs
   * would start it at the group's committed offset, and a partition the group never committed
   * at the log's end (without `fromBeginning`): the records after the last one returned, and
   * whatever came during the outage, would be skipped. So a kept partition starts right after
   * the last record returned, unless the group committed further meanwhile (another member
   * owned it during the outage): then from there, and the position follows, so a commit never
   * moves the group's offset back. Without the group's offsets (the broker would not say),
   * every kept partition starts after its last record returned.
   */
  async function rejoinStarts(): Promise<Map<string, TopicPartitionOffset>> {
    const committed = new Map<string, number | null>();
    if (outage !== undefined) {
      try {
        const lag = await outage.broker.groupLag(opts.groupId, opts.topics);
        for (const p of lag.partitions) committed.set(tpKey(p.topic, p.partition), p.committed);
      } catch {
        committed.clear();
      }
    }
    const seeks = new Map<string, TopicPartitionOffset>();
    for (const key of redelivering) {
      const pos = positions.get(key);
      if (pos === undefined) continue;
      const theirs = committed.get(key) ?? null;
      if (theirs !== null && theirs >= pos.offset) {
        positions.set(key, { ...pos, offset: theirs });
        committedAt.set(key, theirs);
      } else seeks.set(key, pos);
    }
    return seeks;
  }

  /**
   * Waits for the broker and starts a member that joins again, while the outage lasts and its
   * bound allows; past it, the outage's error ends this consumer.
   */
  function recover(first: LoglabError): void {
    const old = member;
    member = null;
    outageError = first;
    for (const tp of assignment) redelivering.add(tpKey(tp.topic, tp.partition));
    recovering = (async () => {
      // kafkajs has stopped a member that crashed; one whose commit failed first is stopped here.
      await old?.disconnect().catch(() => undefined);
      let err = first;
      for (;;) {
        if (guard === null) throw err;
        await guard.resumeAfter(err);
        for (let tries = 1; ; tries++) {
          if (closed) return;
          if (outageSettings?.signal?.aborted) throw err;
          try {
            // Joining again: kept partitions go on after the last record returned.
            const starts = await rejoinStarts();
            if (closed) return;
            const joined = await start(opts.fromBeginning ?? false, starts);
            guard.progressed();
            // Closed while it joined (close() saw no member to disconnect): it leaves now.
            if (closed) await joined.disconnect().catch(() => undefined);
            return;
          } catch (failure) {
            if (closed) return;
            // The broker answers, its group coordinator not yet: tried again quietly.
            if (isCoordinatorAway(failure) && tries < COORDINATOR_TRIES) {
              await new Promise((resolve) => setTimeout(resolve, COORDINATOR_PAUSE_MS));
              continue;
            }
            const outage = outageOf(failure);
            if (outage === null) throw failure;
            err = outage;
            break;
          }
        }
      }
    })()
      .catch((err: unknown) => {
        if (!closed) crash = kafkaError(err, settings.address, context);
      })
      .finally(() => {
        recovering = null;
        wakeData();
        wakeRoom();
      });
  }

  await start(opts.fromBeginning ?? false);

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
    // During an outage a poll waits for the broker: nothing is known to be idle meanwhile.
    if (!(await recovered(pollOpts.signal))) return STOPPED_ABORTED;
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

  /** One commit with the member in use; null when an outage interrupted it (try again). */
  async function commitOnce(
    offsets: readonly TopicPartitionOffset[] | undefined,
  ): Promise<CommitResult | null> {
    const { list, lost, putBack } = planCommit(offsets, revoked, positions, committedAt, assigned);
    if (list.length === 0) return { kind: 'committed', offsets: [], revoked: lost };
    const m = member;
    try {
      if (m === null) throw crash ?? new LoglabError('INTERNAL', 'no Kafka member to commit with');
      await m.commitOffsets(
        list.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      );
    } catch (err) {
      putBack();
      if (isRebalanceError(err)) return { kind: 'rebalancing', offsets: list };
      const outage = guard === null || closed ? null : outageOf(err);
      if (outage !== null) {
        // The runner's own crash may come later: the outage starts here.
        if (recovering === null && member === m) recover(outage);
        return null;
      }
      throw kafkaError(err, settings.address, context);
    }
    // kafkajs skips the commit silently once its runner has stopped (a crash): say so, or try
    // again once the member has joined again.
    if (recovering !== null || member !== m) {
      putBack();
      return null;
    }
    if (crash !== null) {
      putBack();
      throw crash;
    }
    for (const o of list) committedAt.set(tpKey(o.topic, o.partition), o.offset);
    return { kind: 'committed', offsets: list, revoked: lost };
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
      for (;;) {
        // Ctrl-C (the outage settings' signal) ends a commit's wait at once, with the outage.
        if (!(await recovered(outageSettings?.signal)) && outageError !== null) throw outageError;
        if (crash !== null) throw crash;
        if (closed) throw new LoglabError('INTERNAL', 'commit called on a closed consumer');
        const result = await commitOnce(offsets);
        if (result !== null) return result;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      stopWaiting.abort();
      queue.length = 0;
      queued = 0;
      queuedBytes = 0;
      wakeData();
      wakeRoom();
      const m = member;
      member = null;
      await m?.disconnect().catch(() => undefined);
    },
  };
}
