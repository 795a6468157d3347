import type {
  Batch,
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopics,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  TopicPartitionOffsetAndMetadata,
} from 'kafkajs';
import { KafkaJSConnectionError } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoglabError, LoglabError } from '../../src/errors';
import type { Broker, Consumer, PollResult, ValueAs } from '../../src/stream/broker';
import type { OutageWaitSettings } from '../../src/stream/kafka-config';
import { type KafkaConsumerSettings, subscribeKafka } from '../../src/stream/kafka-consumer';
import { protocolError } from './protocol-error';

/**
 * A hand-written stand-in for kafkajs's `Kafka` and `Consumer`, with only what the adapter calls.
 * The test plays kafkajs's part: it emits joins and crashes and hands batches to `eachBatch`.
 */

const ADDRESS = '10.0.0.1:9092';

/** kafkajs names its consumer events `consumer.<type>` (src/consumer/instrumentationEvents.js). */
const consumerType = <T extends string>(type: T) => `consumer.${type}` as const;
const EVENTS = {
  HEARTBEAT: consumerType('heartbeat'),
  COMMIT_OFFSETS: consumerType('commit_offsets'),
  GROUP_JOIN: consumerType('group_join'),
  FETCH: consumerType('fetch'),
  FETCH_START: consumerType('fetch_start'),
  START_BATCH_PROCESS: consumerType('start_batch_process'),
  END_BATCH_PROCESS: consumerType('end_batch_process'),
  CONNECT: consumerType('connect'),
  DISCONNECT: consumerType('disconnect'),
  STOP: consumerType('stop'),
  CRASH: consumerType('crash'),
  REBALANCING: consumerType('rebalancing'),
  RECEIVED_UNSUBSCRIBED_TOPICS: consumerType('received_unsubscribed_topics'),
} as const;
const EVENT_NAMES = new Set<string>(Object.values(EVENTS));

type Assignment = Record<string, number[]>;
type Listener = (event: { id: string; type: string; timestamp: number; payload: unknown }) => void;

interface DeliverOptions {
  readonly highWatermark?: number;
  readonly stale?: boolean;
}

class FakeKafkaConsumer {
  readonly events = EVENTS;
  config: ConsumerConfig | undefined;
  subscription: ConsumerSubscribeTopics | undefined;
  runConfig: ConsumerRunConfig | undefined;
  /** Every `commitOffsets` call, as kafkajs received it. */
  readonly commits: TopicPartitionOffsetAndMetadata[][] = [];
  /** Every `resolveOffset` call from `eachBatch`. */
  readonly resolved: string[] = [];
  heartbeats = 0;
  disconnects = 0;
  running = false;
  private readonly listeners = new Map<string, Listener[]>();
  private commitFailure: unknown = null;
  private eventId = 0;

  /** What `run` does before resolving: the first join, or a crash while joining. */
  constructor(private readonly onRun: { memberId: string; assignment: Assignment } | Error) {}

  on(event: string, listener: Listener): () => void {
    if (!EVENT_NAMES.has(event)) throw new Error(`kafkajs has no consumer event ${event}`);
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return () => list.splice(list.indexOf(listener), 1);
  }

  async connect(): Promise<void> {}

  async subscribe(subscription: ConsumerSubscribeTopics): Promise<void> {
    this.subscription = subscription;
  }

  async run(config: ConsumerRunConfig): Promise<void> {
    this.runConfig = config;
    if (this.onRun instanceof Error) {
      this.crash(this.onRun);
      return;
    }
    this.running = true;
    this.join(this.onRun.memberId, this.onRun.assignment);
  }

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    this.commits.push(offsets);
    const failure = this.commitFailure;
    this.commitFailure = null;
    if (failure !== null) throw failure;
  }

  /** Every `seek`, as kafkajs is asked it. */
  readonly seeks: Array<{ topic: string; partition: number; offset: string }> = [];

  seek(at: { topic: string; partition: number; offset: string }): void {
    this.seeks.push(at);
  }

  async disconnect(): Promise<void> {
    this.disconnects++;
    this.running = false;
  }

  /** The next `commitOffsets` rejects with this. */
  failNextCommit(error: unknown): void {
    this.commitFailure = error;
  }

  join(memberId: string, memberAssignment: Assignment): void {
    this.emit(EVENTS.GROUP_JOIN, {
      duration: 1,
      groupId: this.config?.groupId,
      isLeader: true,
      leaderId: memberId,
      groupProtocol: 'RoundRobinAssigner',
      memberId,
      memberAssignment,
    });
  }

  crash(error: Error): void {
    this.running = false;
    this.emit(EVENTS.CRASH, { error, groupId: this.config?.groupId, restart: false });
  }

  /** Hands one batch to `eachBatch`, as kafkajs's runner does; resolves when `eachBatch` returns. */
  deliver(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    opts: DeliverOptions = {},
  ): Promise<void> {
    const eachBatch = this.runConfig?.eachBatch;
    if (eachBatch === undefined) throw new Error('run was not called with eachBatch');
    const last = messages.length > 0 ? Number(messages[messages.length - 1].offset) : -1;
    const highWatermark = String(opts.highWatermark ?? last + 1);
    const batch: Batch = {
      topic,
      partition,
      highWatermark,
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => (messages.length > 0 ? messages[0].offset : null),
      lastOffset: () => (messages.length > 0 ? String(last) : String(Number(highWatermark) - 1)),
      offsetLag: () => String(Number(highWatermark) - 1 - last),
      offsetLagLow: () => String(Number(highWatermark) - 1 - last),
    };
    const payload: EachBatchPayload = {
      batch,
      resolveOffset: (offset) => void this.resolved.push(offset),
      heartbeat: async () => {
        this.heartbeats++;
      },
      pause: () => () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => this.running,
      isStale: () => opts.stale === true,
    };
    return eachBatch(payload);
  }

  private emit(type: string, payload: unknown): void {
    const event = { id: String(this.eventId++), type, timestamp: Date.now(), payload };
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

class FakeKafka {
  constructor(readonly member: FakeKafkaConsumer) {}

  consumer(config: ConsumerConfig): FakeKafkaConsumer {
    this.member.config = config;
    return this.member;
  }
}

/** A message as kafkajs hands it over: offset and timestamp as strings, key and value as bytes. */
function message(
  offset: number,
  value: string | null,
  fields: { key?: string | null; timestamp?: number; headers?: IHeaders } = {},
): KafkaMessage {
  const key = fields.key === undefined ? `k${offset}` : fields.key;
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: String(fields.timestamp ?? 1_700_000_000_000 + offset),
    attributes: 0,
    offset: String(offset),
    headers: fields.headers ?? {},
  };
}

/** Messages `from` … `from + count - 1`, valued `v<offset>`. */
function messages(from: number, count: number): KafkaMessage[] {
  return Array.from({ length: count }, (_, i) => message(from + i, `v${from + i}`));
}

type Value = string | Buffer;

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** [topic, partition, offsets] per batch of a poll, or the kind when it returned no records. */
function layout(result: PollResult<Value>): Array<[string, number, number[]]> | string {
  if (result.kind !== 'records') return result.kind;
  return result.batches.map((b) => [b.topic, b.partition, b.records.map((r) => r.offset)]);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the promise settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  const outcome = await Promise.race([settled, late]);
  clearTimeout(timer);
  return outcome;
}

const open: Consumer<Value>[] = [];

afterEach(async () => {
  // A batch left waiting for room heartbeats until the member closes.
  await Promise.all(open.splice(0).map((c) => c.close()));
});

interface StartOptions {
  readonly assignment?: Assignment;
  readonly valueAs?: ValueAs;
  readonly prefetchRecords?: number;
  readonly prefetchBytes?: number;
  readonly maxBytesPerPartition?: number;
}

function settingsFor(opts: StartOptions): KafkaConsumerSettings {
  return {
    address: ADDRESS,
    retry: { retries: 0 },
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 10,
    maxWaitMs: 500,
    prefetchRecords: opts.prefetchRecords ?? 50_000,
    prefetchBytes: opts.prefetchBytes ?? 8 * 1024 * 1024,
    maxBytesPerPartition: opts.maxBytesPerPartition,
  };
}

async function start(
  opts: StartOptions = {},
): Promise<{ fake: FakeKafkaConsumer; consumer: Consumer<Value> }> {
  const fake = new FakeKafkaConsumer({
    memberId: 'member-1',
    assignment: opts.assignment ?? { t: [0, 1] },
  });
  const consumer = await subscribeKafka(
    new FakeKafka(fake) as unknown as Kafka,
    settingsFor(opts),
    { groupId: 'g', topics: ['t'], valueAs: opts.valueAs },
  );
  open.push(consumer);
  return { fake, consumer };
}

describe('subscribeKafka: joining', () => {
  it("leaves kafkajs's fetch size per partition alone unless one is given", async () => {
    const plain = await start();
    expect(plain.fake.config).not.toHaveProperty('maxBytesPerPartition');
    const small = await start({ maxBytesPerPartition: 16_384 });
    expect(small.fake.config).toMatchObject({ maxBytesPerPartition: 16_384 });
  });

  it('runs kafkajs without auto-commit and resolves after the first join, with its assignment', async () => {
    const { fake, consumer } = await start({ assignment: { u: [2], t: [1, 0] } });
    expect(fake.config).toMatchObject({
      groupId: 'g',
      sessionTimeout: 10_000,
      heartbeatInterval: 10,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: { retries: 0 },
    });
    // A crash must end the member, not restart it behind the adapter's back.
    expect(await fake.config?.retry?.restartOnFailure?.(new Error('x'))).toBe(false);
    expect(fake.subscription).toEqual({ topics: ['t'], fromBeginning: false });
    expect(fake.runConfig).toMatchObject({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
    });
    expect(consumer.groupId).toBe('g');
    expect(consumer.memberId()).toBe('member-1');
    expect(consumer.assignment()).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
      { topic: 'u', partition: 2 },
    ]);
  });

  it('rejects with one LoglabError and disconnects when kafkajs crashes while joining', async () => {
    const fake = new FakeKafkaConsumer(
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
        code: 'ECONNREFUSED',
      }),
    );
    const failure = await subscribeKafka(new FakeKafka(fake) as unknown as Kafka, settingsFor({}), {
      groupId: 'g',
      topics: ['t'],
    }).catch((e: unknown) => e);
    expect(isLoglabError(failure)).toBe(true);
    expect(failure).toMatchObject({
      code: 'SERVICE_DOWN',
      message: `no Kafka broker answers at ${ADDRESS} (ECONNREFUSED); start one with \`npm run cluster -- up\`, or use --engine embedded`,
    });
    expect(fake.disconnects).toBe(1);
  });
});

describe('subscribeKafka: poll', () => {
  it('returns delivered batches in order, with numbers, strings and last-wins headers', async () => {
    const { fake, consumer } = await start();
    await fake.deliver(
      't',
      0,
      [
        message(5, 'hello', { key: 'a', timestamp: 1_700_000_000_123, headers: { h: 'x' } }),
        message(6, null, { key: null, timestamp: 1_700_000_000_124 }),
        message(7, 'héllo', {
          key: 'b',
          timestamp: 1_700_000_000_125,
          headers: { trace: [Buffer.from('first'), 'second'], span: Buffer.from('s1') },
        }),
      ],
      { highWatermark: 10 },
    );
    await fake.deliver('t', 1, [message(0, 'p1')], { highWatermark: 4 });
    await fake.deliver('t', 0, [message(8, 'again')], { highWatermark: 10 });
    expect(fake.resolved).toEqual(['7', '0', '8']);

    const result = await consumer.poll({ maxWaitMs: 0 });
    expect(result).toEqual({
      kind: 'records',
      count: 5,
      batches: [
        {
          topic: 't',
          partition: 0,
          highWatermark: 10,
          records: [
            {
              topic: 't',
              partition: 0,
              offset: 5,
              key: 'a',
              value: 'hello',
              timestamp: 1_700_000_000_123,
              headers: { h: 'x' },
            },
            {
              topic: 't',
              partition: 0,
              offset: 6,
              key: null,
              value: '',
              timestamp: 1_700_000_000_124,
              headers: undefined,
            },
            {
              topic: 't',
              partition: 0,
              offset: 7,
              key: 'b',
              value: 'héllo',
              timestamp: 1_700_000_000_125,
              headers: { trace: 'second', span: 's1' },
            },
          ],
        },
        {
          topic: 't',
          partition: 1,
          highWatermark: 4,
          records: [
            {
              topic: 't',
              partition: 1,
              offset: 0,
              key: 'k0',
              value: 'p1',
              timestamp: 1_700_000_000_000,
              headers: undefined,
            },
          ],
        },
        {
          topic: 't',
          partition: 0,
          highWatermark: 10,
          records: [
            {
              topic: 't',
              partition: 0,
              offset: 8,
              key: 'k8',
              value: 'again',
              timestamp: 1_700_000_000_008,
              headers: undefined,
            },
          ],
        },
      ],
    });
    expect(await consumer.poll({ maxWaitMs: 0 })).toEqual({ kind: 'idle' });
  });

  it("gives the value's bytes with valueAs 'buffer', and empty bytes for a null value", async () => {
    const { fake, consumer } = await start({ valueAs: 'buffer' });
    await fake.deliver('t', 0, [message(0, 'héllo'), message(1, null)]);
    const result = await consumer.poll({ maxWaitMs: 0 });
    if (result.kind !== 'records') throw new Error(`expected records, got ${result.kind}`);
    const values = result.batches[0].records.map((r) => r.value);
    expect(values.map((v) => Buffer.isBuffer(v))).toEqual([true, true]);
    expect(values).toEqual([Buffer.from('héllo', 'utf8'), Buffer.alloc(0)]);
  });

  it('splits batches across polls with maxRecords, never losing or repeating a record', async () => {
    const { fake, consumer } = await start();
    await fake.deliver('t', 0, messages(0, 5));
    await fake.deliver('t', 1, messages(0, 3));
    const polls: Array<ReturnType<typeof layout>> = [];
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await consumer.poll({ maxRecords: 3, maxWaitMs: 0 });
      polls.push(layout(result));
      counts.push(result.kind === 'records' ? result.count : 0);
    }
    expect(polls).toEqual([
      [['t', 0, [0, 1, 2]]],
      [
        ['t', 0, [3, 4]],
        ['t', 1, [0]],
      ],
      [['t', 1, [1, 2]]],
      'idle',
    ]);
    expect(counts).toEqual([3, 3, 2, 0]);
  });

  it('ignores batches kafkajs marks stale and batches of partitions the member does not own', async () => {
    const { fake, consumer } = await start({ assignment: { t: [0] } });
    await fake.deliver('t', 0, messages(0, 2), { stale: true });
    await fake.deliver('t', 3, messages(0, 2));
    expect(fake.resolved).toEqual([]);
    expect(await consumer.poll({ maxWaitMs: 0 })).toEqual({ kind: 'idle' });
  });

  it('refuses a maxRecords that is not a positive integer', async () => {
    const { consumer } = await start();
    await expect(consumer.poll({ maxRecords: 0 })).rejects.toMatchObject({
      code: 'BAD_FLAG',
      message: 'maxRecords must be a positive integer, got 0',
    });
  });
});

describe('subscribeKafka: pollRaw', () => {
  it("hands kafkajs's value buffers on as they are, with numeric offsets, whatever valueAs says", async () => {
    const { fake, consumer } = await start({ valueAs: 'string' });
    const sent = [message(7, 'héllo'), message(9, null), message(10, 'x')];
    await fake.deliver('t', 1, sent);
    const result = await consumer.pollRaw({ maxWaitMs: 0 });
    if (result.kind !== 'records') throw new Error(`expected records, got ${result.kind}`);
    expect(result.count).toBe(3);
    expect(result.batches.map((b) => [b.topic, b.partition, b.offsets])).toEqual([
      ['t', 1, [7, 9, 10]],
    ]);
    const values = result.batches[0].values;
    expect(values[0]).toBe(sent[0].value);
    expect(values[2]).toBe(sent[2].value);
    expect(values[1]).toEqual(Buffer.alloc(0));
  });

  it('shares the queue and the commit position with poll: mixed, no record lost or repeated', async () => {
    const { fake, consumer } = await start();
    await fake.deliver('t', 0, messages(0, 5));
    await fake.deliver('t', 1, messages(0, 3));
    const raw = await consumer.pollRaw({ maxRecords: 3, maxWaitMs: 0 });
    expect(
      raw.kind === 'records' ? raw.batches.map((b) => [b.partition, b.offsets]) : raw.kind,
    ).toEqual([[0, [0, 1, 2]]]);
    expect(layout(await consumer.poll({ maxRecords: 3, maxWaitMs: 0 }))).toEqual([
      ['t', 0, [3, 4]],
      ['t', 1, [0]],
    ]);
    const rest = await consumer.pollRaw({ maxWaitMs: 0 });
    expect(
      rest.kind === 'records' ? rest.batches.map((b) => [b.partition, b.offsets]) : rest.kind,
    ).toEqual([[1, [1, 2]]]);
    expect((await consumer.pollRaw({ maxWaitMs: 0 })).kind).toBe('idle');
    expect(await consumer.commit()).toEqual({
      kind: 'committed',
      offsets: [
        { topic: 't', partition: 0, offset: 5 },
        { topic: 't', partition: 1, offset: 3 },
      ],
      revoked: [],
    });
  });
});

describe('subscribeKafka: commit', () => {
  it('commits the offset after the last polled record per partition, only what changed', async () => {
    const { fake, consumer } = await start();
    await fake.deliver('t', 0, messages(10, 5));
    await fake.deliver('t', 1, messages(0, 3));

    await consumer.poll({ maxRecords: 3, maxWaitMs: 0 }); // t/0: 10 11 12
    expect(await consumer.commit()).toEqual({
      kind: 'committed',
      offsets: [{ topic: 't', partition: 0, offset: 13 }],
      revoked: [],
    });
    await consumer.poll({ maxRecords: 3, maxWaitMs: 0 }); // t/0: 13 14, t/1: 0
    expect(await consumer.commit()).toEqual({
      kind: 'committed',
      offsets: [
        { topic: 't', partition: 0, offset: 15 },
        { topic: 't', partition: 1, offset: 1 },
      ],
      revoked: [],
    });
    // Nothing new: nothing is sent to kafkajs.
    expect(await consumer.commit()).toEqual({ kind: 'committed', offsets: [], revoked: [] });
    await consumer.poll({ maxWaitMs: 0 }); // t/1: 1 2
    await consumer.commit();

    expect(fake.commits).toEqual([
      [{ topic: 't', partition: 0, offset: '13' }],
      [
        { topic: 't', partition: 0, offset: '15' },
        { topic: 't', partition: 1, offset: '1' },
      ],
      [{ topic: 't', partition: 1, offset: '3' }],
    ]);
  });

  it('commits given offsets of owned partitions and reports the others as revoked', async () => {
    const { fake, consumer } = await start();
    const result = await consumer.commit([
      { topic: 't', partition: 1, offset: 7 },
      { topic: 't', partition: 5, offset: 9 },
      { topic: 'other', partition: 0, offset: 1 },
    ]);
    expect(result).toEqual({
      kind: 'committed',
      offsets: [{ topic: 't', partition: 1, offset: 7 }],
      revoked: [
        { topic: 't', partition: 5 },
        { topic: 'other', partition: 0 },
      ],
    });
    expect(fake.commits).toEqual([[{ topic: 't', partition: 1, offset: '7' }]]);
  });

  it('resolves { kind: rebalancing } when the group refuses a commit while rebalancing', async () => {
    const { fake, consumer } = await start();
    await fake.deliver('t', 0, messages(0, 2));
    await consumer.poll({ maxWaitMs: 0 });
    fake.failNextCommit(protocolError('REBALANCE_IN_PROGRESS', 27, false));
    expect(await consumer.commit()).toEqual({
      kind: 'rebalancing',
      offsets: [{ topic: 't', partition: 0, offset: 2 }],
    });
    // The refused offsets were not committed: the next commit sends them again.
    expect(await consumer.commit()).toEqual({
      kind: 'committed',
      offsets: [{ topic: 't', partition: 0, offset: 2 }],
      revoked: [],
    });
    expect(fake.commits).toEqual([
      [{ topic: 't', partition: 0, offset: '2' }],
      [{ topic: 't', partition: 0, offset: '2' }],
    ]);
  });

  it('turns any other commit failure into one LoglabError naming the broker', async () => {
    const { fake, consumer } = await start();
    fake.failNextCommit(new Error('boom'));
    await expect(consumer.commit([{ topic: 't', partition: 0, offset: 1 }])).rejects.toMatchObject({
      name: 'LoglabError',
      code: 'INTERNAL',
      message: `the Kafka broker at ${ADDRESS} failed: boom`,
    });
  });
});

describe('subscribeKafka: rejoining the group', () => {
  it('drops the queue and reports lost partitions with uncommitted polled records as revoked', async () => {
    const { fake, consumer } = await start({ assignment: { t: [0, 1, 2, 3] } });
    await fake.deliver('t', 0, messages(0, 2));
    await fake.deliver('t', 1, messages(0, 3));
    await fake.deliver('t', 2, messages(0, 2));
    await fake.deliver('t', 3, messages(0, 1));
    expect(layout(await consumer.poll({ maxRecords: 3, maxWaitMs: 0 }))).toEqual([
      ['t', 0, [0, 1]],
      ['t', 1, [0]],
    ]);
    await consumer.commit(); // t/0 at 2 (all it polled), t/1 at 1
    expect(layout(await consumer.poll({ maxRecords: 1, maxWaitMs: 0 }))).toEqual([['t', 1, [1]]]);

    // t/0 fully committed, t/1 polled past its commit, t/2 never polled: all three are lost.
    fake.join('member-2', { u: [0], t: [3] });
    expect(consumer.memberId()).toBe('member-2');
    expect(consumer.assignment()).toEqual([
      { topic: 't', partition: 3 },
      { topic: 'u', partition: 0 },
    ]);
    // Queued records (t/1: 2, t/2: 0 1, t/3: 0) are gone; kafkajs fetches again after a join.
    expect(await consumer.poll({ maxWaitMs: 0 })).toEqual({ kind: 'idle' });
    // A late batch of a lost partition is not taken.
    await fake.deliver('t', 1, messages(2, 1));
    expect(await consumer.poll({ maxWaitMs: 0 })).toEqual({ kind: 'idle' });

    const commitsBefore = fake.commits.length;
    expect(await consumer.commit()).toEqual({
      kind: 'committed',
      offsets: [],
      revoked: [{ topic: 't', partition: 1 }],
    });
    // Reported once.
    expect(await consumer.commit()).toEqual({ kind: 'committed', offsets: [], revoked: [] });
    expect(fake.commits.length).toBe(commitsBefore);
  });

  it('keeps lost partitions for the next commit when the first one after the rejoin is refused', async () => {
    const { fake, consumer } = await start({ assignment: { t: [0, 1] } });
    await fake.deliver('t', 0, messages(0, 2));
    await fake.deliver('t', 1, messages(0, 2));
    await consumer.poll({ maxWaitMs: 0 });
    // A rejoin that keeps both partitions, then one that loses t/1 with polled records.
    fake.join('member-2', { t: [0, 1] });
    fake.join('member-3', { t: [0] });
    await fake.deliver('t', 0, messages(2, 1));
    await consumer.poll({ maxWaitMs: 0 });
    fake.failNextCommit(protocolError('REBALANCE_IN_PROGRESS', 27, false));
    expect(await consumer.commit()).toEqual({
      kind: 'rebalancing',
      offsets: [{ topic: 't', partition: 0, offset: 3 }],
    });
    expect(await consumer.commit()).toEqual({
      kind: 'committed',
      offsets: [{ topic: 't', partition: 0, offset: 3 }],
      revoked: [{ topic: 't', partition: 1 }],
    });
  });

  it('takes records redelivered from the committed offset without moving the commit back', async () => {
    const { fake, consumer } = await start({ assignment: { t: [0] } });
    await fake.deliver('t', 0, messages(0, 5));
    await consumer.poll({ maxRecords: 3, maxWaitMs: 0 }); // 0 1 2
    await consumer.commit(); // 3
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, [3, 4]]]);

    // Same assignment after the rebalance: kafkajs goes on from the committed offset, 3.
    fake.join('member-1', { t: [0] });
    await fake.deliver('t', 0, messages(3, 4)); // 3 4 5 6
    expect(layout(await consumer.poll({ maxRecords: 1, maxWaitMs: 0 }))).toEqual([['t', 0, [3]]]);
    expect(await consumer.commit()).toEqual({
      kind: 'committed',
      offsets: [{ topic: 't', partition: 0, offset: 5 }],
      revoked: [],
    });
    expect(layout(await consumer.poll({ maxRecords: 1, maxWaitMs: 0 }))).toEqual([['t', 0, [4]]]);
    // Position still 5, already committed: nothing to send.
    expect(await consumer.commit()).toEqual({ kind: 'committed', offsets: [], revoked: [] });
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, [5, 6]]]);
    await consumer.commit();
    expect(fake.commits.map((c) => c.map((o) => o.offset))).toEqual([['3'], ['5'], ['7']]);
  });
});

describe('subscribeKafka: a crash', () => {
  it('wakes a waiting poll with one LoglabError naming the broker, and every later call throws it', async () => {
    const { fake, consumer } = await start();
    const started = performance.now();
    const waiting = consumer.poll({ maxWaitMs: 2_000 }).catch((e: unknown) => e);
    await sleep(5);
    fake.crash(
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
        code: 'ECONNREFUSED',
      }),
    );
    const failure = await waiting;
    expect(performance.now() - started).toBeLessThan(500);
    expect(isLoglabError(failure)).toBe(true);
    expect(failure).toMatchObject({
      code: 'SERVICE_DOWN',
      retriable: true,
      message: `no Kafka broker answers at ${ADDRESS} (ECONNREFUSED); start one with \`npm run cluster -- up\`, or use --engine embedded`,
      context: { broker: ADDRESS, groupId: 'g' },
    });
    await expect(consumer.poll({ maxWaitMs: 0 })).rejects.toBe(failure);
    await expect(consumer.commit()).rejects.toBe(failure);
  });

  it('makes the next poll throw even with records queued', async () => {
    const { fake, consumer } = await start();
    await fake.deliver('t', 0, messages(0, 2));
    fake.crash(new Error('fetch failed'));
    await expect(consumer.poll({ maxWaitMs: 0 })).rejects.toMatchObject({
      name: 'LoglabError',
      code: 'INTERNAL',
      message: `the Kafka broker at ${ADDRESS} failed: fetch failed`,
    });
  });
});

/** kafkajs making a new member for each `consumer()` call, as after a crash the adapter asks. */
class FakeKafkaMembers {
  readonly members: FakeKafkaConsumer[] = [];
  constructor(private readonly assignment: Assignment) {}

  consumer(config: ConsumerConfig): FakeKafkaConsumer {
    const m = new FakeKafkaConsumer({
      memberId: `member-${this.members.length + 1}`,
      assignment: this.assignment,
    });
    m.config = config;
    this.members.push(m);
    return m;
  }
}

const refused = () =>
  new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', { code: 'ECONNREFUSED' });

/**
 * A member that rides out outages, on a broker whose metadata answers after `downProbes`
 * refusals (never when null); the lines it logs.
 */
async function startRidingOut(
  downProbes: number | null,
  outage: Partial<OutageWaitSettings> = {},
  committed?: number | null,
) {
  const kafka = new FakeKafkaMembers({ t: [0] });
  const lines: string[] = [];
  let probes = 0;
  const probe = {
    address: ADDRESS,
    async describeTopic(name: string) {
      probes++;
      if (downProbes === null || probes <= downProbes) {
        throw new LoglabError('SERVICE_DOWN', 'refused', { retriable: true });
      }
      return { name, partitions: [{ partition: 0, start: 0, end: 20 }] };
    },
    // The group's committed offset of t/0 as the broker says it (it says nothing when absent).
    async groupLag(groupId: string) {
      if (committed === undefined) throw new LoglabError('SERVICE_DOWN', 'no', { retriable: true });
      return {
        groupId,
        partitions: [{ topic: 't', partition: 0, committed, end: 40, lag: 0 }],
        total: 0,
      };
    },
  } as unknown as Broker;
  const consumer = await subscribeKafka(
    kafka as unknown as Kafka,
    settingsFor({}),
    { groupId: 'g', topics: ['t'] },
    { broker: probe, settings: { log: (l) => lines.push(l), probeEveryMs: 1, ...outage } },
  );
  open.push(consumer);
  return { kafka, consumer, lines, probes: () => probes };
}

describe('subscribeKafka: riding out a broker outage', () => {
  it('waits for the broker, joins again from the commits and returns no record twice, with one line each way', async () => {
    const { kafka, consumer, lines } = await startRidingOut(2);
    const [first] = kafka.members;
    await first.deliver('t', 0, messages(0, 10));
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, range(0, 10)]]);
    await consumer.commit();
    await first.deliver('t', 0, messages(10, 5));
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, range(10, 5)]]);
    // The broker goes away before those five are committed.
    first.crash(refused());
    const polling = consumer.poll({ maxWaitMs: 1_000 });
    expect(await settlesWithin(polling, 20)).toBe(false);
    while (kafka.members.length < 2) await sleep(5);
    const [, second] = kafka.members;
    // The group hands the partition out again from the commit: 10 on. Only 15 on is new.
    await second.deliver('t', 0, messages(10, 10));
    expect(layout(await polling)).toEqual([['t', 0, range(15, 5)]]);
    await consumer.commit();
    expect(first.commits.map((c) => c.map((o) => o.offset))).toEqual([['10']]);
    expect(second.commits.map((c) => c.map((o) => o.offset))).toEqual([['20']]);
    expect(lines).toEqual([
      `no Kafka broker answers at ${ADDRESS} (ECONNREFUSED); start one with \`npm run cluster -- up\`, or use --engine embedded; waiting for it for up to 300.0 s`,
      expect.stringMatching(
        new RegExp(
          `^the broker at ${ADDRESS} answers again after \\d+\\.\\d s \\(3 tries\\): joining the group again$`,
        ),
      ),
    ]);
  });

  it('starts a kept partition the group never committed right after the last record returned, not at the log end', async () => {
    // Without --from-beginning kafkajs would start it at the end of the log: the records after
    // the last one returned, and all that came during the outage, would never be read.
    const { kafka, consumer } = await startRidingOut(0, {}, null);
    await kafka.members[0].deliver('t', 0, messages(0, 5));
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, range(0, 5)]]);
    kafka.members[0].crash(refused());
    expect(layout(await consumer.poll({ maxWaitMs: 50 }))).toBe('idle');
    expect(kafka.members.length).toBe(2);
    expect(kafka.members[1].seeks).toEqual([{ topic: 't', partition: 0, offset: '5' }]);
  });

  it('seeks only at the first join after the outage: a later rebalance starts from the group as usual', async () => {
    const { kafka, consumer } = await startRidingOut(0, {}, null);
    await kafka.members[0].deliver('t', 0, messages(0, 5));
    await consumer.poll({ maxWaitMs: 0 });
    kafka.members[0].crash(refused());
    expect(layout(await consumer.poll({ maxWaitMs: 50 }))).toBe('idle');
    const second = kafka.members[1];
    await second.deliver('t', 0, messages(5, 1000));
    await consumer.poll({ maxWaitMs: 0 });
    await consumer.commit();
    // The group rebalances (another member came and went): no seek back to 5.
    second.join('member-2', { t: [0] });
    expect(second.seeks).toEqual([{ topic: 't', partition: 0, offset: '5' }]);
  });

  it('goes on from where another member committed during the outage, and never commits it back', async () => {
    const { kafka, consumer } = await startRidingOut(0, {}, 30);
    await kafka.members[0].deliver('t', 0, messages(0, 5));
    await consumer.poll({ maxWaitMs: 0 });
    kafka.members[0].crash(refused());
    expect(layout(await consumer.poll({ maxWaitMs: 50 }))).toBe('idle');
    const second = kafka.members[1];
    expect(second.seeks).toEqual([]);
    // Nothing new was read: a commit sends nothing (it used to send 5, moving the group back).
    expect(await consumer.commit()).toEqual({ kind: 'committed', offsets: [], revoked: [] });
    await second.deliver('t', 0, messages(30, 2));
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, [30, 31]]]);
    await consumer.commit();
    expect(second.commits.map((c) => c.map((o) => o.offset))).toEqual([['32']]);
  });

  it('commits what a commit cut short by the outage held, once the member has joined again', async () => {
    const { kafka, consumer, lines } = await startRidingOut(0);
    const [first] = kafka.members;
    await first.deliver('t', 0, messages(0, 4));
    await consumer.poll({ maxWaitMs: 0 });
    first.failNextCommit(refused());
    const result = await consumer.commit();
    expect(result).toEqual({
      kind: 'committed',
      offsets: [{ topic: 't', partition: 0, offset: 4 }],
      revoked: [],
    });
    expect(first.disconnects).toBeGreaterThan(0);
    expect(kafka.members[1].commits.map((c) => c.map((o) => o.offset))).toEqual([['4']]);
    expect(lines.length).toBe(2);
  });

  it('takes a group coordinator that cannot be found (a broker stopping) for an outage too', async () => {
    const { kafka, consumer, lines } = await startRidingOut(0);
    kafka.members[0].crash(
      Object.assign(new Error('Failed to find group coordinator'), {
        name: 'KafkaJSGroupCoordinatorNotFound',
      }),
    );
    expect(layout(await consumer.poll({ maxWaitMs: 50 }))).toBe('idle');
    expect(kafka.members.length).toBe(2);
    expect(lines[0]).toBe(
      `the Kafka broker at ${ADDRESS} failed: Failed to find group coordinator; waiting for it for up to 300.0 s`,
    );
    expect(lines.length).toBe(2);
  });

  /**
   * A member subscribed without outage settings, as the archiver subscribes (brokerOutage 'end'):
   * its own loop waits out broker outages, which it knows by SERVICE_DOWN naming the broker.
   */
  async function subscribeNotWaiting() {
    const kafka = new FakeKafkaMembers({ t: [0] });
    const consumer = await subscribeKafka(kafka as unknown as Kafka, settingsFor({}), {
      groupId: 'g',
      topics: ['t'],
    });
    open.push(consumer);
    return { kafka, consumer };
  }

  /** What kafkajs crashes a member with when a partition has no leader (a broker just restarted). */
  function noLeader(): Error {
    const inner = Object.assign(
      new Error(
        'There is no leader for this topic-partition as we are in the middle of a leadership election',
      ),
      { name: 'KafkaJSProtocolError', type: 'LEADER_NOT_AVAILABLE', retriable: true },
    );
    return Object.assign(new Error(inner.message), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      originalError: inner,
    });
  }

  it('waits out a partition without a leader (an election after a restart) as an outage', async () => {
    const { kafka, consumer, lines } = await startRidingOut(0);
    kafka.members[0].crash(noLeader());
    expect(layout(await consumer.poll({ maxWaitMs: 50 }))).toBe('idle');
    expect(kafka.members.length).toBe(2);
    expect(lines[0]).toBe(
      `the Kafka broker at ${ADDRESS} failed: There is no leader for this topic-partition as we are in the middle of a leadership election; waiting for it for up to 300.0 s`,
    );
    expect(lines.length).toBe(2);
    await kafka.members[1].deliver('t', 0, messages(0, 2));
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, [0, 1]]]);
  });

  it('reports a partition without a leader as a broker outage when the member does not wait itself', async () => {
    const { kafka, consumer } = await subscribeNotWaiting();
    kafka.members[0].crash(noLeader());
    const failure = await consumer.poll({ maxWaitMs: 1_000 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'SERVICE_DOWN',
      retriable: true,
      context: { broker: ADDRESS },
    });
    expect(kafka.members.length).toBe(1);
  });

  it('reports a coordinator gone with its broker as a broker outage when the member does not wait itself', async () => {
    const { kafka, consumer } = await subscribeNotWaiting();
    kafka.members[0].crash(
      Object.assign(new Error('Failed to find group coordinator'), {
        name: 'KafkaJSGroupCoordinatorNotFound',
      }),
    );
    const failure = await consumer.poll({ maxWaitMs: 1_000 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'SERVICE_DOWN',
      retriable: true,
      message: `the Kafka broker at ${ADDRESS} failed: Failed to find group coordinator`,
      context: { broker: ADDRESS },
    });
    expect(kafka.members.length).toBe(1);
  });

  it('ends with one error past the wait', async () => {
    const { kafka, consumer, lines } = await startRidingOut(null, { totalWaitMs: 20 });
    kafka.members[0].crash(refused());
    const failure = await consumer.poll({ maxWaitMs: 1_000 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'SERVICE_DOWN',
      message: expect.stringMatching(
        /^no Kafka broker answers at 10\.0\.0\.1:9092 \(ECONNREFUSED\); .*; gave up after \d+\.\d s of waiting$/,
      ),
    });
    await expect(consumer.commit()).rejects.toBe(failure);
    expect(kafka.members.length).toBe(1);
    expect(lines.length).toBe(1);
  });

  it("stops a poll waiting for the broker at once on the poll's signal, and close ends the wait", async () => {
    const { kafka, consumer, probes } = await startRidingOut(null, { probeEveryMs: 5 });
    kafka.members[0].crash(refused());
    const stop = new AbortController();
    const polling = consumer.poll({ maxWaitMs: 60_000, signal: stop.signal });
    await sleep(20);
    stop.abort();
    expect(await settlesWithin(polling, 50)).toBe(true);
    expect(layout(await polling)).toBe('stopped');
    await consumer.close();
    const after = probes();
    await sleep(30);
    expect(probes()).toBeLessThanOrEqual(after + 1);
    expect(kafka.members.length).toBe(1);
  });

  it("ends a commit waiting for the broker at once when the outage's signal aborts (Ctrl-C)", async () => {
    const stop = new AbortController();
    const { kafka, consumer } = await startRidingOut(null, { signal: stop.signal });
    await kafka.members[0].deliver('t', 0, messages(0, 3));
    await consumer.poll({ maxWaitMs: 0 });
    kafka.members[0].crash(refused());
    const committing = consumer.commit().catch((e: unknown) => e);
    await sleep(20);
    expect(await settlesWithin(committing, 0)).toBe(false);
    stop.abort();
    expect(await settlesWithin(committing, 50)).toBe(true);
    expect(await committing).toMatchObject({ code: 'SERVICE_DOWN', context: { broker: ADDRESS } });
  });

  it('without outage settings a crash still ends the member at once', async () => {
    const { fake, consumer } = await start();
    fake.crash(refused());
    await expect(consumer.poll({ maxWaitMs: 0 })).rejects.toMatchObject({ code: 'SERVICE_DOWN' });
  });
});

describe('subscribeKafka: waiting and stopping', () => {
  it('returns idle after maxWaitMs when nothing arrives', async () => {
    const { consumer } = await start();
    const started = performance.now();
    expect(await consumer.poll({ maxWaitMs: 30 })).toEqual({ kind: 'idle' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('wakes a waiting poll when a batch arrives', async () => {
    const { fake, consumer } = await start();
    const waiting = consumer.poll({ maxWaitMs: 2_000 });
    await sleep(5);
    await fake.deliver('t', 1, messages(4, 2));
    expect(await settlesWithin(waiting, 200)).toBe(true);
    expect(layout(await waiting)).toEqual([['t', 1, [4, 5]]]);
  });

  it('returns stopped/aborted for a signal aborted before or during the wait', async () => {
    const { fake, consumer } = await start();
    await fake.deliver('t', 0, messages(0, 1));
    const aborted = new AbortController();
    aborted.abort();
    expect(await consumer.poll({ signal: aborted.signal })).toEqual({
      kind: 'stopped',
      reason: 'aborted',
    });
    expect(layout(await consumer.poll({ maxWaitMs: 0 }))).toEqual([['t', 0, [0]]]);

    const later = new AbortController();
    const waiting = consumer.poll({ maxWaitMs: 2_000, signal: later.signal });
    await sleep(5);
    later.abort();
    expect(await settlesWithin(waiting, 200)).toBe(true);
    expect(await waiting).toEqual({ kind: 'stopped', reason: 'aborted' });
  });

  it('close() makes a waiting poll return stopped/closed and disconnects once', async () => {
    const { fake, consumer } = await start();
    const waiting = consumer.poll({ maxWaitMs: 2_000 });
    await sleep(5);
    await consumer.close();
    expect(await settlesWithin(waiting, 200)).toBe(true);
    expect(await waiting).toEqual({ kind: 'stopped', reason: 'closed' });
    expect(fake.disconnects).toBe(1);
    expect(await consumer.poll({ maxWaitMs: 0 })).toEqual({ kind: 'stopped', reason: 'closed' });
    await expect(consumer.commit()).rejects.toMatchObject({ code: 'INTERNAL' });
    await consumer.close();
    expect(fake.disconnects).toBe(1);
  });
});

describe('subscribeKafka: backpressure', () => {
  it('holds eachBatch, heartbeating, until poll drains the queue to prefetchRecords', async () => {
    const { fake, consumer } = await start({ prefetchRecords: 100 });
    let returned = false;
    const delivery = fake.deliver('t', 0, messages(0, 150)).then(() => {
      returned = true;
    });
    // The batch is marked fetched before the wait, so kafkajs's next fetch goes on from 150.
    expect(fake.resolved).toEqual(['149']);
    // Two heartbeats 10 ms apart; a loaded machine may fire the timers late, so wait up to 1 s.
    for (let waited = 0; fake.heartbeats < 2 && waited < 1000; waited += 5) await sleep(5);
    expect(returned).toBe(false);
    expect(fake.heartbeats).toBeGreaterThanOrEqual(2);

    expect((await consumer.poll({ maxRecords: 40, maxWaitMs: 0 })).kind).toBe('records');
    await sleep(15); // 110 still queued: over the limit
    expect(returned).toBe(false);

    expect(layout(await consumer.poll({ maxRecords: 10, maxWaitMs: 0 }))).toEqual([
      ['t', 0, [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]],
    ]);
    expect(await settlesWithin(delivery, 100)).toBe(true);
    expect(returned).toBe(true);
    // Nothing lost while it waited.
    const rest = await consumer.poll({ maxWaitMs: 0 });
    expect(rest.kind === 'records' ? rest.count : 0).toBe(100);
  });

  it('holds eachBatch while the queued values pass prefetchBytes, however few the records', async () => {
    const { fake, consumer } = await start({ prefetchBytes: 1000 });
    const big = Array.from({ length: 20 }, (_, i) => message(i, 'x'.repeat(100)));
    let returned = false;
    const delivery = fake.deliver('t', 0, big).then(() => {
      returned = true;
    });
    await sleep(35);
    expect(returned).toBe(false); // 2,000 bytes queued

    expect((await consumer.pollRaw({ maxRecords: 5, maxWaitMs: 0 })).kind).toBe('records');
    await sleep(15); // 1,500 bytes still queued: over the limit
    expect(returned).toBe(false);

    expect((await consumer.poll({ maxRecords: 6, maxWaitMs: 0 })).kind).toBe('records');
    expect(await settlesWithin(delivery, 100)).toBe(true); // 900 bytes
    const rest = await consumer.pollRaw({ maxWaitMs: 0 });
    expect(rest.kind === 'records' ? rest.batches[0].offsets : rest.kind).toEqual([
      11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
  });

  it('lets a held eachBatch return at once on a rejoin or on close', async () => {
    const { fake, consumer } = await start({ prefetchRecords: 100 });
    const first = fake.deliver('t', 0, messages(0, 101));
    expect(await settlesWithin(first, 20)).toBe(false);
    fake.join('member-1', { t: [0, 1] });
    expect(await settlesWithin(first, 20)).toBe(true);

    const second = fake.deliver('t', 1, messages(0, 101));
    expect(await settlesWithin(second, 20)).toBe(false);
    await consumer.close();
    expect(await settlesWithin(second, 20)).toBe(true);
  });
});
