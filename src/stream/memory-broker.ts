/**
 * The embedded broker: Kafka's model in one process, for `--engine embedded` (the default),
 * notebooks, labs and tests.
 *
 * Per topic, an array of partitions; each partition an append-only array of records whose index
 * plus a base offset is the Kafka offset. Keys pick partitions with Kafka's murmur2 partitioner.
 * Consumer groups keep committed offsets and share partitions among their current members
 * (round-robin or range, as Kafka's assignors); a member joining or leaving reassigns at once.
 * A partition that moves restarts from the group's committed offset, so records its old owner
 * polled but did not commit are delivered again, as on Kafka. A partition that stays keeps its
 * position (Kafka's cooperative rebalancing; kafkajs's eager one may redeliver more).
 *
 * Speed: a batch is a loop of plain pushes; values are stored as given, never copied; `poll`
 * hands out slices of the stored arrays; no promise per message. Every ~64k messages it yields
 * to the event loop so timers and signals (Ctrl-C) run while a producer and a consumer share
 * one process.
 *
 * Retention: like Kafka's `retention.bytes`, a partition keeps about `retentionBytes`; older
 * records are dropped and a consumer behind them skips ahead to the oldest one left.
 *
 * The semantics above are stated here only; this factory wires the parts that implement them:
 *   memory-topics    topic registry, and the produce path appending a batch to partition logs
 *   memory-log       one partition: column arrays, reads by offset range, retention trim
 *   memory-groups    group coordinator: members, assignment, rebalance, committed offsets, lag
 *   memory-consumer  a member's poll (wait for data, read slices) and commit
 *   memory-yield     the message counter shared by produce and poll that gives the loop a turn
 */
import { badFlag, LoglabError } from '../errors';
import type { AssignorName } from './assignors';
import type {
  Broker,
  Consumer,
  CreateTopicsResult,
  DeleteGroupsResult,
  DeleteTopicsResult,
  GroupLag,
  ProduceMessage,
  ProduceResult,
  SubscribeOptions,
  TopicDescription,
  TopicSpec,
  ValueAs,
  ValueOf,
} from './broker';
import { type ConsumerWiring, createMemoryConsumer, wakeReaders } from './memory-consumer';
import { createGroupCoordinator, type Member } from './memory-groups';
import {
  appendBatch,
  createTopics,
  describeTopic,
  type Topics,
  topicState,
  type WriteSettings,
} from './memory-topics';
import { createMaybeYield } from './memory-yield';
import { createPartitioner } from './partitioner';
import { DEFAULT_PARTITIONS } from './topics';

export interface MemoryBrokerOptions {
  /** Partitions of a topic created without a count (6). */
  defaultPartitions?: number;
  /** How groups share partitions ('round-robin', as kafkajs). */
  assignor?: AssignorName;
  /** Largest key + value in bytes; Kafka's default `message.max.bytes` less batch overhead. */
  maxMessageBytes?: number;
  /** Bytes kept per partition (values, keys and ~64 bytes per record), 64 MiB. */
  retentionBytes?: number;
  /** Timestamp of messages produced without one. */
  now?: () => number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_000;
export const DEFAULT_RETENTION_BYTES = 64 * 1024 * 1024;

export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker {
  const defaultPartitions = options.defaultPartitions ?? DEFAULT_PARTITIONS;
  const assignor = options.assignor ?? 'round-robin';
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const retentionBytes = options.retentionBytes ?? DEFAULT_RETENTION_BYTES;
  const now = options.now ?? Date.now;
  const partitioner = createPartitioner();
  const topics: Topics = new Map();
  const writeSettings: WriteSettings = { maxMessageBytes, retentionBytes, partitioner, now };
  const coordinator = createGroupCoordinator(topics, assignor);
  const waiting = new Set<Member>();
  const maybeYield = createMaybeYield();
  const wiring: ConsumerWiring = { waiting, leave: coordinator.leave, maybeYield };
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new LoglabError('INTERNAL', 'the embedded broker is closed');
  }

  const broker: Broker = {
    engine: 'embedded',
    address: 'embedded',

    async createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult> {
      assertOpen();
      return createTopics(topics, specs, defaultPartitions);
    },

    async listTopics(): Promise<string[]> {
      assertOpen();
      return [...topics.keys()].sort();
    },

    async describeTopic(topic: string): Promise<TopicDescription> {
      assertOpen();
      return describeTopic(topicState(topics, topic));
    },

    async produce(topic: string, messages: readonly ProduceMessage[]): Promise<ProduceResult> {
      assertOpen();
      const partitions = appendBatch(topicState(topics, topic), messages, writeSettings);
      wakeReaders(waiting, topic);
      await maybeYield(messages.length);
      return { topic, count: messages.length, partitions };
    },

    async subscribe<A extends ValueAs = 'string'>(
      opts: SubscribeOptions<A>,
    ): Promise<Consumer<ValueOf<A>>> {
      assertOpen();
      if (!opts.groupId) throw badFlag('a consumer needs a group id');
      if (opts.topics.length === 0) throw badFlag('a consumer needs at least one topic');
      for (const t of opts.topics) topicState(topics, t);
      const member = coordinator.join(opts);
      return createMemoryConsumer(member, wiring) as Consumer<ValueOf<A>>;
    },

    async listGroups(): Promise<string[]> {
      assertOpen();
      return coordinator.listGroups();
    },

    async groupLag(groupId: string, onlyTopics?: readonly string[]): Promise<GroupLag> {
      assertOpen();
      return coordinator.groupLag(groupId, onlyTopics);
    },

    async deleteTopics(names: readonly string[]): Promise<DeleteTopicsResult> {
      assertOpen();
      const deleted: string[] = [];
      const missing: string[] = [];
      for (const name of new Set(names)) {
        if (!topics.has(name)) {
          missing.push(name);
          continue;
        }
        topics.delete(name);
        deleted.push(name);
        coordinator.dropTopic(name);
      }
      return { deleted, missing };
    },

    async deleteGroups(groupIds: readonly string[]): Promise<DeleteGroupsResult> {
      assertOpen();
      return coordinator.deleteGroups(groupIds);
    },

    async close(): Promise<void> {
      if (closed) return;
      coordinator.leaveAll();
      closed = true;
    },
  };
  return broker;
}
