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
 */
import { badFlag, LoglabError } from '../errors';
import type { AssignorName } from './assignors';
import type {
  Broker,
  CommitResult,
  Consumer,
  CreateTopicsResult,
  DeleteGroupsResult,
  DeleteTopicsResult,
  GroupLag,
  PollOptions,
  PollResult,
  ProduceMessage,
  ProduceResult,
  RecordBatch,
  SubscribeOptions,
  TopicDescription,
  TopicPartitionOffset,
  TopicSpec,
  ValueAs,
  ValueOf,
} from './broker';
import { DEFAULT_POLL_RECORDS, DEFAULT_POLL_WAIT_MS } from './broker';
import { createGroupCoordinator, type Member, saveCommitted } from './memory-groups';
import { endOffset, readLog, type Value } from './memory-log';
import {
  appendBatch,
  createTopics,
  describeTopic,
  type Topics,
  topicState,
  type WriteSettings,
} from './memory-topics';
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

/** Messages handled between two yields to the event loop. */
const YIELD_EVERY = 65_536;

type RecordsResult = Extract<PollResult<Value>, { kind: 'records' }>;

const STOPPED_CLOSED: PollResult<never> = { kind: 'stopped', reason: 'closed' };
const STOPPED_ABORTED: PollResult<never> = { kind: 'stopped', reason: 'aborted' };
const IDLE: PollResult<never> = { kind: 'idle' };

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
  let sinceYield = 0;
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new LoglabError('INTERNAL', 'the embedded broker is closed');
  }

  async function maybeYield(count: number): Promise<void> {
    sinceYield += count;
    if (sinceYield < YIELD_EVERY) return;
    sinceYield = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  function collect(member: Member, max: number): RecordsResult | null {
    const owned = member.owned;
    const n = owned.length;
    if (n === 0) return null;
    let batches: RecordBatch<Value>[] | null = null;
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
      const records = readLog(log, from, from + take, member.valueAs);
      if (batches === null) batches = [];
      batches.push({ topic: o.topic, partition: o.partition, records, highWatermark: end });
      o.position += take;
      count += take;
    }
    return batches === null ? null : { kind: 'records', batches, count };
  }

  function waitForData(
    member: Member,
    ms: number,
    signal: AbortSignal | undefined,
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

  function createConsumer(member: Member): Consumer<Value> {
    return {
      groupId: member.group.id,
      memberId: () => member.memberId,
      assignment: () => member.owned.map((o) => ({ topic: o.topic, partition: o.partition })),

      async poll(opts: PollOptions = {}): Promise<PollResult<Value>> {
        const max = opts.maxRecords ?? DEFAULT_POLL_RECORDS;
        if (!Number.isInteger(max) || max < 1) {
          throw badFlag(`maxRecords must be a positive integer, got ${max}`);
        }
        if (member.wake !== null) {
          throw new LoglabError('INTERNAL', 'poll called while another poll is waiting');
        }
        if (member.closed) return STOPPED_CLOSED;
        if (opts.signal?.aborted) return STOPPED_ABORTED;
        let result = collect(member, max);
        if (result === null) {
          const waitMs = opts.maxWaitMs ?? DEFAULT_POLL_WAIT_MS;
          // No timer for a poll that must not wait: even setTimeout(0) costs a millisecond.
          if (waitMs <= 0) return IDLE;
          const outcome = await waitForData(member, waitMs, opts.signal);
          if (member.closed) return STOPPED_CLOSED;
          if (outcome === 'aborted') return STOPPED_ABORTED;
          result = collect(member, max);
          if (result === null) return IDLE;
        }
        await maybeYield(result.count);
        return result;
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
        coordinator.leave(member);
      },
    };
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
      for (const m of waiting) {
        if (m.topics.includes(topic)) m.wake?.();
      }
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
      return createConsumer(member) as Consumer<ValueOf<A>>;
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
