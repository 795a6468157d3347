/**
 * The kafkajs adapter asking for a topic's offsets while its partitions elect their leaders (a
 * broker just restarted), with kafkajs replaced by a fake admin (no broker). kafkajs's admin
 * gives up on "not the leader" at once; the adapter waits the election out with fresh metadata,
 * for a bounded time, and fails at once on anything else.
 */
import { type Kafka, type KafkaConfig, KafkaJSNonRetriableError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import { createKafkaBroker } from '../../src/stream/kafka-broker';
import { protocolError } from './protocol-error';

/** What kafkajs's retrier rejects with when a request bails out: the refusal as its cause. */
function bailed(refusal: Error): Error {
  return Object.assign(new KafkaJSNonRetriableError(refusal), { cause: refusal });
}

/** An admin whose offset requests are refused with `refusals` in turn, then answered. */
function fakeKafka(refusals: Error[]) {
  let admins = 0;
  let asks = 0;
  const kafka = {
    admin: () => {
      admins++;
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        listTopics: async () => ['t'],
        // A broker started a moment ago: it takes the topic, then its metadata does not list it.
        createTopics: async () => {
          throw bailed(protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true));
        },
        fetchTopicOffsets: async () => {
          const refusal = refusals[asks++];
          // What kafkajs's retrier rejects with when the request bails out.
          if (refusal !== undefined) throw bailed(refusal);
          return [
            { partition: 1, offset: '7', low: '2', high: '7' },
            { partition: 0, offset: '5', low: '0', high: '5' },
          ];
        },
      };
    },
  };
  return {
    factory: (_: KafkaConfig) => kafka as unknown as Kafka,
    admins: () => admins,
    asks: () => asks,
  };
}

const notLeader = () => protocolError('NOT_LEADER_FOR_PARTITION', 6, true);
const noLeader = () => protocolError('LEADER_NOT_AVAILABLE', 5, true);

describe('kafkajs adapter, offsets during a leader election', () => {
  it('waits out "not the leader" and "no leader" with a fresh admin each time, then answers', async () => {
    const fake = fakeKafka([notLeader(), noLeader(), notLeader()]);
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    const described = await broker.describeTopic('t');
    expect(described).toEqual({
      name: 't',
      partitions: [
        { partition: 0, start: 0, end: 5 },
        { partition: 1, start: 2, end: 7 },
      ],
    });
    expect(fake.asks()).toBe(4);
    expect(fake.admins()).toBe(4);
    await broker.close();
  });

  it('gives up once the wait is over: the last refusal is the error, one line', async () => {
    const fake = fakeKafka(Array.from({ length: 1000 }, notLeader));
    const broker = createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: fake.factory,
      coordinatorWaitMs: 600,
    });
    const started = Date.now();
    const err = await broker.describeTopic('t').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isLoglabError(err) && err.message).toBe(
      'the Kafka broker at 127.0.0.1:9092 failed: NOT_LEADER_FOR_PARTITION',
    );
    // Asked at 0 ms and every 250 ms after until 600 ms had passed: 3 or 4 times (2 on a slow
    // timer), not 1.
    expect(fake.asks()).toBeGreaterThanOrEqual(2);
    expect(fake.asks()).toBeLessThanOrEqual(4);
    await broker.close();
  });

  it('closed while it waits: it stops asking and makes no new admin', async () => {
    const fake = fakeKafka(Array.from({ length: 1000 }, notLeader));
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    const asking = broker.describeTopic('t').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 400));
    await broker.close();
    const err = await asking;
    const admins = fake.admins();
    expect(isLoglabError(err) && err.message).toBe('the Kafka client for 127.0.0.1:9092 is closed');
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.admins()).toBe(admins);
    expect(fake.asks()).toBeLessThanOrEqual(3);
  });

  it('fails at once on a refusal that no election explains', async () => {
    const fake = fakeKafka([protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false)]);
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    const err = await broker.describeTopic('t').catch((e: unknown) => e);
    expect(isLoglabError(err) && err.message).toBe(
      'the Kafka broker at 127.0.0.1:9092 failed: TOPIC_AUTHORIZATION_FAILED',
    );
    expect(fake.asks()).toBe(1);
    await broker.close();
  });

  it('the lag of a group is asked the same way: an election is waited out', async () => {
    const fake = fakeKafka([notLeader()]);
    const kafka = fake.factory({ brokers: [] });
    const admin = kafka.admin as unknown as () => Record<string, unknown>;
    const factory = (_: KafkaConfig) =>
      ({
        admin: () => ({
          ...admin(),
          fetchOffsets: async () => [
            {
              topic: 't',
              partitions: [
                { partition: 0, offset: '3' },
                { partition: 1, offset: '-1' },
              ],
            },
          ],
        }),
      }) as unknown as Kafka;
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: factory });
    const lag = await broker.groupLag('g', ['t']);
    expect(lag.total).toBe(2 + 5);
    expect(lag.partitions).toEqual([
      { topic: 't', partition: 0, committed: 3, end: 5, lag: 2 },
      { topic: 't', partition: 1, committed: null, end: 7, lag: 5 },
    ]);
    expect(fake.asks()).toBe(2);
    await broker.close();
  });

  it('a topic the broker took but does not list yet is waited for, and reported created', async () => {
    const unknown = () => protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    const fake = fakeKafka([unknown(), unknown(), notLeader()]);
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    expect(await broker.createTopics([{ name: 'new' }])).toEqual({
      created: ['new'],
      existing: [],
    });
    expect(fake.asks()).toBe(4);
    await broker.close();
  });

  it('a topic the broker never lists within the wait: one line naming it', async () => {
    const unknown = () => protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    const fake = fakeKafka(Array.from({ length: 1000 }, unknown));
    const broker = createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: fake.factory,
      coordinatorWaitMs: 600,
    });
    const err = await broker.createTopics([{ name: 'new' }]).catch((e: unknown) => e);
    expect(isLoglabError(err) && [err.code, err.message]).toEqual([
      'SERVICE_DOWN',
      'the Kafka broker at 127.0.0.1:9092 took topic "new" but did not list it within 1 s',
    ]);
    await broker.close();
  });
});
