/**
 * The `Broker` port over a real Apache Kafka cluster, through kafkajs 2.2.4.
 *
 * - Producer: idempotent, `acks: -1` (all in-sync replicas), one request in flight per broker,
 *   so `produce` resolving means the batch is durable and in order. Keys go through the same
 *   murmur2 partitioner as the embedded broker (Java's and kafkajs's default; tested equal).
 *   A batch is sent in chunks of at most 2,000 messages and ~900 kB: kafkajs puts all of a
 *   partition's messages of one request in one record batch, which the broker refuses over
 *   `message.max.bytes`, and kafkajs's grouping by partition slows down on large requests.
 * - Consumers: see `kafka-consumer.ts` (no auto-commit; commit after processing; with
 *   `consumerOutage`, a broker outage after the join is waited out, bounded, by every member
 *   but those subscribed with `brokerOutage: 'end'`).
 * - Admin: topics, end offsets, group offsets and lag.
 * - Failures: kafkajs retries with backoff a bounded number of times (`retries`, default 4,
 *   about 3 s in all); then one LoglabError says which broker failed and how to start one.
 *   kafkajs logs nothing unless `debug` is set.
 * - A broker outage while producing, with `producerOutage`: a chunk refused with a retriable
 *   error is sent again, after the outage wait (broker-outage.ts), on the same producer, with
 *   each message in the partition it had. kafkajs takes a partition's sequence numbers for a
 *   request under its broker lock and gives them back when the request fails (a produce answer
 *   with any partition's error fails the whole request), so the chunk goes out again as the same
 *   batches (same producer id, epoch and base sequences), and a batch the broker wrote before
 *   its answer was lost is taken for the duplicate it is and not written again: the broker
 *   compares a batch with the latest ones of its producer on the partition, kept through a
 *   restart, and the one sent again is always the latest. That needs nothing else sent on the
 *   same producer meanwhile, which would take the given-back sequence numbers for other
 *   messages: with `producerOutage`, `produce` calls run one at a time; and each message in the
 *   partition it had (`loglabPartitioner`). Exactly once with one broker, which answers for all
 *   of a request's partitions at once; with several, a request to another broker answered
 *   before the failure is sent again as new batches: at least once, never lost. And only while
 *   the broker remembers the producer: it keeps a producer's state through a restart unless the
 *   timestamp of its last record on the partition is older than producer.id.expiration.ms (a
 *   day by default; measured on Kafka 4.4 with DescribeProducers: a producer whose record was
 *   stamped 2024-03-12 was gone after a restart, one stamped now was kept). Lines sent with
 *   their own old time (`--timestamp event` on an old log) then make the batch sent again a new
 *   one, written twice; the line saying the broker answers again says so (FORGOTTEN_PRODUCER).
 *   Without `producerOutage`, or past the wait, the producer is replaced (`dropProducer`).
 */
import {
  type Admin,
  CompressionTypes,
  type ICustomPartitioner,
  Kafka,
  type KafkaConfig,
  logLevel as kafkaLogLevel,
  type logCreator,
  type Message,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import { isLoglabError, LoglabError } from '../errors';
import type {
  Broker,
  Consumer,
  CreateTopicsResult,
  DeleteGroupsResult,
  DeleteTopicsResult,
  GroupLag,
  PartitionAck,
  PartitionLag,
  ProduceMessage,
  ProduceResult,
  SubscribeOptions,
  TopicDescription,
  TopicSpec,
  ValueAs,
  ValueOf,
} from './broker';
import { partitionLag } from './broker';
import { type BrokerOutageGuard, brokerOutageGuard } from './broker-outage';
import type { KafkaBrokerConfig } from './kafka-config';
import {
  type KafkaConsumerOutage,
  type KafkaConsumerSettings,
  subscribeKafka,
} from './kafka-consumer';
import { deleteKafkaGroups, deleteKafkaTopics } from './kafka-delete';
import { hasErrorType, isCoordinatorStarting, isLeaderElection, kafkaError } from './kafka-errors';
import { kafkaSocketFactory } from './kafka-socket';
import { createPartitioner, murmur2, murmur2String, toPositive } from './partitioner';
import { FORGOTTEN_PRODUCER, stampedBeforeExpiry } from './producer-expiry';
import { checkTopicName, DEFAULT_PARTITIONS } from './topics';

export type { KafkaBrokerConfig } from './kafka-config';

/** Bytes of messages per produce request, under the broker's default message.max.bytes. */
const CHUNK_BYTES = 900_000;
/**
 * Messages per produce request. kafkajs groups a request's messages by partition by copying the
 * partition's array once per message (quadratic); past ~2,000 messages that costs more than the
 * extra round trips (measured on loopback: 500 → 63k msg/s, 2,000 → 98k, 4,000 → 86k).
 */
const CHUNK_MESSAGES = 2000;

/** Per-record framing kafkajs adds (lengths, deltas, attributes), counted generously. */
const RECORD_FRAMING = 24;

/**
 * kafkajs's DefaultPartitioner, with the allocation-free murmur2 of `partitioner.ts`, and two
 * differences, both so that a message keeps the partition it was first given. kafkajs asks again
 * on each retry of a request, and a request whose answer was lost (written, but not
 * acknowledged) sent again with its messages spread otherwise carries the same per-partition
 * sequence numbers with other messages, which the broker takes for the duplicate of what it
 * wrote, and drops: lost lines. So a message without a key keeps its round-robin partition, and
 * keys are hashed over the partition count first seen for the topic, as Kafka's Java client
 * picks a record's partition once: a topic given more partitions meanwhile gets them from the
 * next producer (a new process).
 */
export const loglabPartitioner: ICustomPartitioner = () => {
  const roundRobin = createPartitioner();
  const placed = new WeakMap<object, number>();
  const counts = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    let count = counts.get(topic);
    // Fewer than before: a topic deleted and made again; its partitions are the ones there are.
    if (count === undefined || count > partitionMetadata.length) {
      count = partitionMetadata.length;
      counts.set(topic, count);
    }
    const key = message.key;
    if (key !== undefined && key !== null) {
      const hash = typeof key === 'string' ? murmur2String(key) : murmur2(key);
      return toPositive(hash) % count;
    }
    const before = placed.get(message);
    if (before !== undefined && before < partitionMetadata.length) return before;
    // Null keys: round-robin over partitions that have a leader, as kafkajs does.
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pool = available.length > 0 ? available : partitionMetadata;
    const chosen = pool[roundRobin.partition(topic, null, pool.length)].partitionId;
    placed.set(message, chosen);
    return chosen;
  };
};

const LEVEL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(kafkaLogLevel).map(([name, level]) => [level, name]),
);

function stderrLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

function messageBytes(m: ProduceMessage): number {
  let n = RECORD_FRAMING;
  n += typeof m.value === 'string' ? Buffer.byteLength(m.value, 'utf8') : m.value.byteLength;
  if (m.key !== null) n += Buffer.byteLength(m.key, 'utf8');
  if (m.headers) {
    for (const name in m.headers) n += name.length + m.headers[name].length + 2;
  }
  return n;
}

/**
 * How long a fetch may wait on the broker when there is nothing to read (kafkajs's
 * `maxWaitTimeInMs`; kafkajs's default is 5 s, ours was 500 ms). The broker answers as soon as a
 * record arrives (minBytes stays 1), so on a busy topic this changes nothing; what it bounds is
 * the time kafkajs waits for the fetch in flight before it can stop: closing a member (a
 * consumer caught up on a quiet topic took 230–400 ms to close at 500 ms, 30–100 ms at 100 ms,
 * load 20), leaving for a rejoin, and the pause kafkajs takes when no partition can be fetched.
 * The cost: an idle member sends 10 empty fetches a second instead of 2, a few hundred bytes
 * each way and well under a millisecond of CPU on either side; every consumer of the adapter
 * (detection, the archiver, `loglab consume`) pays it, and none of them is idle for long.
 */
export const DEFAULT_FETCH_MAX_WAIT_MS = 100;

/** The pause between two asks for a topic's offsets while its partitions elect their leaders. */
const LEADER_PAUSE_MS = 250;

/**
 * Value bytes a consumer queues ahead of its polls. At about 270 bytes a log line, 8 MiB is some
 * 31,000 lines, more than a poll takes (10,000), so a member keeping up never waits on it; a
 * member catching up a backlog holds no more than this (and the fetch responses the queued
 * values are views of) instead of 50,000 records.
 */
export const DEFAULT_PREFETCH_BYTES = 8 * 1024 * 1024;

/** The consumer settings of the adapter: the config's, or these defaults. */
export function kafkaConsumerSettings(
  config: KafkaBrokerConfig,
  retry: RetryOptions,
): KafkaConsumerSettings {
  return {
    address: config.brokers.join(','),
    retry,
    sessionTimeoutMs: config.sessionTimeoutMs ?? 10_000,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? 1000,
    maxWaitMs: config.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS,
    prefetchRecords: config.prefetchRecords ?? 50_000,
    prefetchBytes: config.prefetchBytes ?? DEFAULT_PREFETCH_BYTES,
    maxBytesPerPartition: config.fetchMaxBytesPerPartition,
  };
}

/**
 * Whether a member waits out a broker outage itself: where the config sets `consumerOutage`,
 * unless the subscriber waits in its own loop (`brokerOutage: 'end'`), as the archiver does.
 */
export function consumerOutageOf(
  config: KafkaBrokerConfig,
  opts: SubscribeOptions<ValueAs>,
  broker: Broker,
): KafkaConsumerOutage | undefined {
  if (config.consumerOutage === undefined || opts.brokerOutage === 'end') return undefined;
  return { broker, settings: config.consumerOutage };
}

export function createKafkaBroker(config: KafkaBrokerConfig): Broker {
  if (config.brokers.length === 0) {
    throw new LoglabError('BAD_FLAG', 'no Kafka broker address given');
  }
  const address = config.brokers.join(',');
  const retry: RetryOptions = {
    retries: config.retries ?? 4,
    initialRetryTime: config.initialRetryMs ?? 200,
    maxRetryTime: config.maxRetryMs ?? 3000,
  };
  const log = config.log ?? stderrLog;
  const debugLogCreator: logCreator =
    () =>
    ({ namespace, level, log: entry }) => {
      const name = LEVEL_NAMES[level] ?? String(level);
      log(`kafkajs ${name} ${namespace}: ${entry.message}`);
    };
  const silentLogCreator: logCreator = () => () => undefined;
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId ?? 'loglab',
    brokers: [...config.brokers],
    retry,
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    logLevel: config.debug ? kafkaLogLevel.DEBUG : kafkaLogLevel.NOTHING,
    logCreator: config.debug ? debugLogCreator : silentLogCreator,
    socketFactory: kafkaSocketFactory,
  };
  const kafka = (config.kafkaFactory ?? ((c: KafkaConfig) => new Kafka(c)))(kafkaConfig);
  const consumerSettings = kafkaConsumerSettings(config, retry);
  const compression = config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;

  let producer: Promise<Producer> | null = null;
  let admin: Promise<Admin> | null = null;
  const knownTopics = new Set<string>();
  const consumers = new Set<Consumer<string | Buffer>>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new LoglabError('INTERNAL', `the Kafka client for ${address} is closed`);
  }

  function connectedAdmin(): Promise<Admin> {
    if (admin === null) {
      const a = kafka.admin({ retry });
      admin = a.connect().then(
        () => a,
        (err) => {
          admin = null;
          throw kafkaError(err, address);
        },
      );
    }
    return admin;
  }

  function connectedProducer(): Promise<Producer> {
    if (producer === null) {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: loglabPartitioner,
        // kafkajs refuses an idempotent producer that may not retry at all.
        retry: { ...retry, retries: Math.max(1, retry.retries ?? 1) },
      });
      producer = p.connect().then(
        () => p,
        (err) => {
          producer = null;
          throw kafkaError(err, address);
        },
      );
    }
    return producer;
  }

  /**
   * After a failed send the idempotent producer's sequence numbers may no longer match what the
   * broker wrote; a fresh producer (new producer id) cannot have its next batch mistaken for a
   * duplicate and dropped. The failed batch itself may then be written twice if the caller
   * retries it: at least once, never lost.
   */
  function dropProducer(): void {
    const old = producer;
    producer = null;
    old?.then((p) => p.disconnect()).catch(() => undefined);
  }

  async function assertTopics(names: readonly string[]): Promise<void> {
    if (names.every((n) => knownTopics.has(n))) return;
    // A name Kafka refuses is not a topic that "does not exist": say what is wrong with it.
    for (const n of names) checkTopicName(n);
    const a = await connectedAdmin();
    let existing: string[];
    try {
      existing = await a.listTopics();
    } catch (err) {
      throw kafkaError(err, address);
    }
    for (const n of existing) knownTopics.add(n);
    for (const n of names) {
      if (!knownTopics.has(n)) {
        throw new LoglabError(
          'NOT_FOUND',
          `topic "${n}" does not exist on the Kafka broker at ${address}`,
          {
            context: { topic: n },
          },
        );
      }
    }
  }

  /**
   * With `producerOutage`, how a send waits for a broker that went away: any retriable failure
   * (refused connections, a partition without a leader during a restart) is waited out, bounded,
   * with the same two lines as a consumer's; null without it.
   */
  function producerOutageGuard(
    topic: string,
    messages: readonly ProduceMessage[],
  ): BrokerOutageGuard | null {
    const settings = config.producerOutage;
    if (settings === undefined) return null;
    return brokerOutageGuard(broker, {
      topic,
      resumeWith: stampedBeforeExpiry(messages, Date.now())
        ? `sending again; ${FORGOTTEN_PRODUCER}`
        : 'sending again',
      oncePerOutage: true,
      waitsFor: (err): err is LoglabError => isLoglabError(err) && err.retriable,
      log: settings.log,
      signal: settings.signal,
      totalWaitMs: settings.totalWaitMs,
      probeEveryMs: settings.probeEveryMs,
    });
  }

  /** The `produce` running now, with `producerOutage` (one at a time, see above). */
  let sending: Promise<unknown> = Promise.resolve();

  function send(topic: string, messages: readonly ProduceMessage[]): Promise<ProduceResult> {
    if (config.producerOutage === undefined) return sendChunks(topic, messages);
    const turn = sending.then(() => sendChunks(topic, messages));
    sending = turn.catch(() => undefined);
    return turn;
  }

  async function sendChunks(
    topic: string,
    messages: readonly ProduceMessage[],
  ): Promise<ProduceResult> {
    await assertTopics([topic]);
    const p = await connectedProducer();
    const bases = new Map<number, number>();
    const outage = producerOutageGuard(topic, messages);
    let start = 0;
    while (start < messages.length) {
      let end = start;
      let bytes = 0;
      while (end < messages.length) {
        const size = messageBytes(messages[end]);
        if (end > start && (bytes + size > CHUNK_BYTES || end - start >= CHUNK_MESSAGES)) break;
        bytes += size;
        end++;
      }
      const chunk = messages.slice(start, end) as unknown as Message[];
      let acks: Awaited<ReturnType<Producer['send']>>;
      for (;;) {
        try {
          // Our messages already have kafkajs's shape (timestamps as numbers work): no copy.
          acks = await p.send({ topic, messages: chunk, acks: -1, compression });
          outage?.progressed();
          break;
        } catch (err) {
          const e = kafkaError(err, address, { topic });
          try {
            if (outage === null) throw e;
            // Rethrows unless the broker is away or leaderless, and once it has waited enough.
            await outage.resumeAfter(e);
          } catch (end) {
            dropProducer();
            throw end;
          }
        }
      }
      for (const a of acks) {
        if (!bases.has(a.partition)) bases.set(a.partition, Number(a.baseOffset));
      }
      start = end;
    }
    const partitions: PartitionAck[] = [...bases]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, baseOffset]) => ({ partition, baseOffset }));
    return { topic, count: messages.length, partitions };
  }

  /**
   * A topic's first and next offsets per partition. Right after a broker (re)start the metadata
   * can name a leader that has not taken its partitions over yet, and kafkajs's admin gives up on
   * that answer at once (it retries only an unknown topic): `loglab stream` started just after a
   * restart exited 2 with "This server is not the leader for that topic-partition". An election
   * is waited out here, asking fresh metadata each time, for as long as a join waits for its
   * coordinator; then the last refusal is the error.
   */
  async function endOffsets(topic: string) {
    const deadline = Date.now() + (config.coordinatorWaitMs ?? 30_000);
    for (;;) {
      // Closed while it waited (Ctrl-C): no new admin, which nothing would disconnect.
      assertOpen();
      try {
        return await (await connectedAdmin()).fetchTopicOffsets(topic);
      } catch (err) {
        const e = kafkaError(err, address, { topic });
        if (e.code === 'NOT_FOUND') forgetTopic(topic);
        if (!isLeaderElection(err) || Date.now() >= deadline) throw e;
        // kafkajs's admin keeps its metadata for minutes: a fresh one asks for today's leaders.
        dropAdmin();
        await new Promise((resolve) => setTimeout(resolve, LEADER_PAUSE_MS));
      }
    }
  }

  /**
   * Topics just created, once the broker answers for each (offsets of every partition), within
   * the time a join waits for its coordinator; then one line naming them.
   */
  async function untilListed(names: readonly string[]): Promise<void> {
    const deadline = Date.now() + (config.coordinatorWaitMs ?? 30_000);
    for (const name of names) {
      for (;;) {
        try {
          await endOffsets(name);
          break;
        } catch (err) {
          if (!isLoglabError(err) || err.code !== 'NOT_FOUND') throw err;
          if (Date.now() >= deadline) {
            throw new LoglabError(
              'SERVICE_DOWN',
              `the Kafka broker at ${address} took topic "${name}" but did not list it within ${Math.round((config.coordinatorWaitMs ?? 30_000) / 1000)} s`,
              { retriable: true, cause: err, context: { topic: name } },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, LEADER_PAUSE_MS));
        }
      }
    }
  }

  /**
   * A topic deleted by someone else after this client looked at it. kafkajs's admin keeps every
   * topic it fetched offsets of in each later metadata request, and a deleted one among them
   * fails them all: `loglab topics` then found no topic after the first one deleted while it
   * listed. A fresh admin knows only what it is asked about next.
   */
  function forgetTopic(topic: string): void {
    knownTopics.delete(topic);
    dropAdmin();
  }

  function dropAdmin(): void {
    const old = admin;
    admin = null;
    old?.then((x) => x.disconnect()).catch(() => undefined);
  }

  /**
   * Joins, and joins again while the group's coordinator is still starting: after a broker
   * (re)start it loads the committed offsets before it answers for a group, and kafkajs's own
   * few retries can run out first. Bounded; then the last refusal is the error.
   */
  async function joinGroup<A extends ValueAs>(opts: SubscribeOptions<A>) {
    const deadline = Date.now() + (config.coordinatorWaitMs ?? 30_000);
    for (;;) {
      try {
        return await subscribeKafka(
          kafka,
          consumerSettings,
          opts,
          consumerOutageOf(config, opts, broker),
        );
      } catch (err) {
        if (!isCoordinatorStarting(err) || Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  const broker: Broker = {
    engine: 'cluster',
    address,

    async createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult> {
      assertOpen();
      // Kafka's own answer ("an invalid topic") names neither the topic nor the rule.
      for (const s of specs) checkTopicName(s.name);
      const a = await connectedAdmin();
      try {
        const before = new Set(await a.listTopics());
        const missing = specs.filter((s) => !before.has(s.name));
        const existing = specs.filter((s) => before.has(s.name)).map((s) => s.name);
        if (missing.length > 0) {
          try {
            await a.createTopics({
              waitForLeaders: true,
              topics: missing.map((s) => ({
                topic: s.name,
                numPartitions: s.partitions ?? config.defaultPartitions ?? DEFAULT_PARTITIONS,
                ...(config.replicationFactor === undefined
                  ? {}
                  : { replicationFactor: config.replicationFactor }),
              })),
            });
          } catch (err) {
            // The controller took the request, but the broker's own metadata does not list the
            // new topics yet, or their leaders are still being elected (a broker that started a
            // moment ago): kafkajs then fails with "does not exist". Wait until they answer.
            if (!hasErrorType(err, 'UNKNOWN_TOPIC_OR_PARTITION') && !isLeaderElection(err)) {
              throw err;
            }
            await untilListed(missing.map((s) => s.name));
          }
        }
        for (const s of specs) knownTopics.add(s.name);
        return { created: missing.map((s) => s.name), existing };
      } catch (err) {
        throw kafkaError(err, address);
      }
    },

    async listTopics(): Promise<string[]> {
      assertOpen();
      const a = await connectedAdmin();
      try {
        const names = (await a.listTopics()).filter((n) => !n.startsWith('__'));
        for (const n of names) knownTopics.add(n);
        return names.sort();
      } catch (err) {
        throw kafkaError(err, address);
      }
    },

    async describeTopic(topic: string): Promise<TopicDescription> {
      assertOpen();
      await assertTopics([topic]);
      const offsets = await endOffsets(topic);
      return {
        name: topic,
        partitions: offsets
          .map((o) => ({ partition: o.partition, start: Number(o.low), end: Number(o.high) }))
          .sort((x, y) => x.partition - y.partition),
      };
    },

    async produce(topic: string, messages: readonly ProduceMessage[]): Promise<ProduceResult> {
      assertOpen();
      checkTopicName(topic);
      const sending = send(topic, messages);
      inFlight.add(sending);
      try {
        return await sending;
      } finally {
        inFlight.delete(sending);
      }
    },

    async subscribe<A extends ValueAs = 'string'>(
      opts: SubscribeOptions<A>,
    ): Promise<Consumer<ValueOf<A>>> {
      assertOpen();
      if (!opts.groupId) throw new LoglabError('BAD_FLAG', 'a consumer needs a group id');
      if (opts.topics.length === 0) {
        throw new LoglabError('BAD_FLAG', 'a consumer needs at least one topic');
      }
      await assertTopics(opts.topics);
      const member = await joinGroup(opts);
      // The member's functions do not use `this`, so a copy with a close that also forgets it.
      const tracked: Consumer<string | Buffer> = {
        ...member,
        close: async () => {
          consumers.delete(tracked);
          await member.close();
        },
      };
      consumers.add(tracked);
      return tracked as Consumer<ValueOf<A>>;
    },

    async deleteTopics(names: readonly string[]): Promise<DeleteTopicsResult> {
      assertOpen();
      const a = await connectedAdmin();
      try {
        const result = await deleteKafkaTopics(a, names);
        for (const t of result.deleted) knownTopics.delete(t);
        if (result.deleted.length > 0) {
          // kafkajs's producer keeps every topic it ever sent to in its metadata requests; with
          // a deleted one among them, each later send fails on "does not host this
          // topic-partition". A fresh producer knows only what it sends to next.
          await Promise.allSettled([...inFlight]);
          dropProducer();
        }
        return result;
      } catch (err) {
        throw kafkaError(err, address);
      }
    },

    async deleteGroups(groupIds: readonly string[]): Promise<DeleteGroupsResult> {
      assertOpen();
      const a = await connectedAdmin();
      try {
        return await deleteKafkaGroups(a, groupIds);
      } catch (err) {
        throw kafkaError(err, address);
      }
    },

    async listGroups(): Promise<string[]> {
      assertOpen();
      const a = await connectedAdmin();
      try {
        const { groups } = await a.listGroups();
        return groups
          .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
          .map((g) => g.groupId)
          .sort();
      } catch (err) {
        throw kafkaError(err, address);
      }
    },

    async groupLag(groupId: string, topics?: readonly string[]): Promise<GroupLag> {
      assertOpen();
      const a = await connectedAdmin();
      if (topics) await assertTopics(topics);
      let committed: Awaited<ReturnType<Admin['fetchOffsets']>>;
      try {
        committed = await a.fetchOffsets(topics ? { groupId, topics: [...topics] } : { groupId });
      } catch (err) {
        throw kafkaError(err, address, { groupId });
      }
      // The coordinator goes on reporting offsets committed on a topic deleted since: without
      // a list of topics asked for, those are left out (asking for their end offsets would fail
      // after kafkajs's retries, seconds each).
      let existing: Set<string> | null = null;
      if (topics === undefined && committed.length > 0) {
        try {
          existing = new Set(await a.listTopics());
        } catch (err) {
          throw kafkaError(err, address, { groupId });
        }
      }
      const partitions: PartitionLag[] = [];
      let total = 0;
      for (const t of [...committed].sort((x, y) => (x.topic < y.topic ? -1 : 1))) {
        if (existing !== null && !existing.has(t.topic)) continue;
        let ends: Awaited<ReturnType<typeof endOffsets>>;
        try {
          ends = await endOffsets(t.topic);
        } catch (err) {
          // Deleted since the topics were listed: gone as well.
          if (topics === undefined && isLoglabError(err) && err.code === 'NOT_FOUND') continue;
          throw err;
        }
        for (const e of [...ends].sort((x, y) => x.partition - y.partition)) {
          const c = t.partitions.find((p) => p.partition === e.partition);
          const offset = c === undefined ? -1 : Number(c.offset);
          const value = offset < 0 ? null : offset;
          const end = Number(e.high);
          const lag = partitionLag(value, Number(e.low), end);
          total += lag;
          partitions.push({ topic: t.topic, partition: e.partition, committed: value, end, lag });
        }
      }
      return { groupId, partitions, total };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled([...consumers].map((c) => c.close()));
      const p = producer;
      const a = admin;
      producer = null;
      admin = null;
      await Promise.allSettled([p?.then((x) => x.disconnect()), a?.then((x) => x.disconnect())]);
    },
  };
  return broker;
}

/** True when a Kafka broker at `brokers` answers a metadata request within about `timeoutMs`. */
export async function kafkaAnswers(
  brokers: readonly string[],
  timeoutMs = 1500,
  kafkaFactory: (config: KafkaConfig) => Kafka = (c) => new Kafka(c),
): Promise<boolean> {
  const kafka = kafkaFactory({
    clientId: 'loglab-probe',
    brokers: [...brokers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: kafkaLogLevel.NOTHING,
    logCreator: () => () => undefined,
  });
  const a = kafka.admin({ retry: { retries: 0 } });
  try {
    await a.connect();
    await a.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await a.disconnect().catch(() => undefined);
  }
}
