/**
 * The `Broker` port over a real Apache Kafka cluster through librdkafka, the C client, by way of
 * `@confluentinc/kafka-javascript`'s native API (not its KafkaJS-compatible one, which measured
 * no faster than kafkajs). Chosen with LOGLAB_KAFKA_CLIENT=rdkafka; optional, installed with
 * `npm run kafka:rdkafka` (see rdkafka-api.ts for why it is not a dependency).
 *
 * - Producer: see rdkafka-producer.ts (idempotent, one `produce()` per message, librdkafka
 *   batches; loglab's partitioner, so keys land where the other adapters put them). It keeps a
 *   message through an outage for `deliveryTimeoutMs`; of `producerOutage` only the lines are
 *   taken (the signal cannot shorten librdkafka's wait).
 * - Consumers: see rdkafka-consumer.ts (no auto-commit; commit after processing). librdkafka
 *   reconnects through a broker outage by itself, so `consumerOutage` and a subscriber's
 *   `brokerOutage` choice are accepted and ignored.
 * - Admin (topics, offsets, groups, lag, deletes) is a few requests off the hot path: it goes
 *   through the kafkajs adapter's admin, so both clients create, describe and delete alike and
 *   report a missing topic or a broker that is down in the same words. kafkajs is a dependency
 *   anyway; its producer and consumers are never started by this adapter.
 * - The package is loaded on first use, so a missing one is the one RDKAFKA_MISSING line on
 *   the first call (exit 2 in the CLI), never at import time.
 */
import { LoglabError } from '../errors';
import type {
  Broker,
  Consumer,
  ProduceMessage,
  ProduceResult,
  SubscribeOptions,
  ValueAs,
  ValueOf,
} from './broker';
import {
  createKafkaBroker,
  DEFAULT_FETCH_MAX_WAIT_MS,
  type KafkaBrokerConfig,
} from './kafka-broker';
import { loadRdkafka, type ModuleImporter, type RdkafkaModule } from './rdkafka-api';
import { type RdConsumerSettings, subscribeRdkafka } from './rdkafka-consumer';
import { isRdCoordinatorStarting } from './rdkafka-errors';
import { connectRdProducer, type RdSender } from './rdkafka-producer';

export interface RdkafkaBrokerConfig extends KafkaBrokerConfig {
  /** How long librdkafka keeps trying to deliver a message before the batch fails (10 s). */
  readonly deliveryTimeoutMs?: number;
  /** Loads the package; tests pass one that fails as a missing package does. */
  readonly importer?: ModuleImporter;
}

export function createRdkafkaBroker(config: RdkafkaBrokerConfig): Broker {
  // The admin half, and the same checks of the config (no broker address given).
  const admin = createKafkaBroker(config);
  const address = config.brokers.join(',');
  let module: Promise<RdkafkaModule> | null = null;
  let producer: Promise<RdSender> | null = null;
  const partitionCounts = new Map<string, number>();
  const consumers = new Set<Consumer<string | Buffer>>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const consumerSettings: RdConsumerSettings = {
    address,
    connectTimeoutMs: config.connectionTimeoutMs ?? 3000,
    sessionTimeoutMs: config.sessionTimeoutMs ?? 10_000,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? 1000,
    fetchMaxWaitMs: config.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS,
    joinTimeoutMs: config.coordinatorWaitMs ?? 30_000,
    prefetchRecords: config.prefetchRecords ?? 50_000,
    debug: config.debug ?? false,
  };

  function assertOpen(): void {
    if (closed) throw new LoglabError('INTERNAL', `the Kafka client for ${address} is closed`);
  }

  function rdkafka(): Promise<RdkafkaModule> {
    if (module === null) {
      module = loadRdkafka(config.importer);
      module.catch(() => {
        module = null;
      });
    }
    return module;
  }

  function connectedProducer(): Promise<RdSender> {
    if (producer === null) {
      producer = rdkafka().then((rd) =>
        connectRdProducer(rd, {
          address,
          clientId: config.clientId ?? 'loglab',
          connectTimeoutMs: config.connectionTimeoutMs ?? 3000,
          deliveryTimeoutMs: config.deliveryTimeoutMs ?? 10_000,
          compression: config.compression ?? 'none',
          debug: config.debug ?? false,
          outageLog: config.producerOutage?.log,
        }),
      );
      producer.catch(() => {
        producer = null;
      });
    }
    return producer;
  }

  /** Partitions of a topic, asked once; NOT_FOUND when it does not exist. */
  async function partitionsOf(sender: RdSender, topic: string): Promise<number> {
    const known = partitionCounts.get(topic);
    if (known !== undefined) return known;
    const n = await sender.partitions(topic);
    partitionCounts.set(topic, n);
    return n;
  }

  /** NOT_FOUND, in the kafkajs adapter's words, for a topic the broker does not list. */
  async function assertTopics(names: readonly string[]): Promise<void> {
    if (names.every((n) => partitionCounts.has(n))) return;
    const existing = new Set(await admin.listTopics());
    for (const n of names) {
      if (!existing.has(n)) {
        throw new LoglabError(
          'NOT_FOUND',
          `topic "${n}" does not exist on the Kafka broker at ${address}`,
          { context: { topic: n } },
        );
      }
    }
  }

  async function send(topic: string, messages: readonly ProduceMessage[]): Promise<ProduceResult> {
    const sender = await connectedProducer();
    return sender.send(topic, await partitionsOf(sender, topic), messages);
  }

  /** Joins, and joins again while the group's coordinator is still starting (as kafka-broker). */
  async function joinGroup<A extends ValueAs>(rd: RdkafkaModule, opts: SubscribeOptions<A>) {
    const deadline = Date.now() + (config.coordinatorWaitMs ?? 30_000);
    for (;;) {
      try {
        return await subscribeRdkafka(rd, consumerSettings, opts);
      } catch (err) {
        if (!isRdCoordinatorStarting(err) || Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  return {
    engine: 'cluster',
    address,
    // Admin calls load the package too: a missing one says so whatever the command does.
    createTopics: async (specs) => {
      await rdkafka();
      return admin.createTopics(specs);
    },
    listTopics: async () => {
      await rdkafka();
      return admin.listTopics();
    },
    describeTopic: async (topic) => {
      await rdkafka();
      return admin.describeTopic(topic);
    },
    listGroups: async () => {
      await rdkafka();
      return admin.listGroups();
    },
    groupLag: async (groupId, topics) => {
      await rdkafka();
      return admin.groupLag(groupId, topics);
    },
    deleteGroups: async (groupIds) => {
      await rdkafka();
      return admin.deleteGroups(groupIds);
    },

    async deleteTopics(topics) {
      await rdkafka();
      const result = await admin.deleteTopics(topics);
      for (const t of result.deleted) partitionCounts.delete(t);
      return result;
    },

    async produce(topic: string, messages: readonly ProduceMessage[]): Promise<ProduceResult> {
      assertOpen();
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
      const rd = await rdkafka();
      await assertTopics(opts.topics);
      const member = await joinGroup(rd, opts);
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

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled([...consumers].map((c) => c.close()));
      const p = producer;
      producer = null;
      await Promise.allSettled([p?.then((x) => x.close()), admin.close()]);
    },
  };
}
