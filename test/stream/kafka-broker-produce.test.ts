/**
 * The kafkajs adapter's producing side, with kafkajs replaced by a recording fake (no broker):
 * the delivery settings it asks for, how it cuts a batch into requests, and what it does after
 * a failed request. The real broker is exercised in test/cluster.
 */
import { CompressionTypes, type Kafka, type KafkaConfig, KafkaJSConnectionError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import type { ProduceMessage } from '../../src/stream/broker';
import { createKafkaBroker } from '../../src/stream/kafka-broker';
import {
  FORGOTTEN_PRODUCER,
  PRODUCER_EXPIRY_MS,
  stampedBeforeExpiry,
} from '../../src/stream/producer-expiry';

interface SendCall {
  topic: string;
  messages: ProduceMessage[];
  acks: number;
  compression: number;
}

/** A kafkajs stand-in that records producer options and sends, and fails the sends asked to. */
function fakeKafka(topics: string[], failSends: Set<number> = new Set(), downProbes = 0) {
  const producerOptions: Record<string, unknown>[] = [];
  const sends: SendCall[] = [];
  let disconnects = 0;
  let probes = 0;
  const next = new Map<number, number>();
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => topics,
      // What the outage wait probes: refused `downProbes` times, then one partition.
      fetchTopicOffsets: async () => {
        if (++probes <= downProbes) {
          throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
            broker: '127.0.0.1:9092',
            code: 'ECONNREFUSED',
          } as never);
        }
        return [{ partition: 0, offset: '0', low: '0', high: '0' }];
      },
    }),
    producer: (options: Record<string, unknown>) => {
      producerOptions.push(options);
      return {
        connect: async () => undefined,
        disconnect: async () => {
          disconnects++;
        },
        send: async (call: SendCall) => {
          sends.push(call);
          if (failSends.has(sends.length)) {
            throw new KafkaJSConnectionError('Connection error: read ECONNRESET', {
              broker: '127.0.0.1:9092',
              code: 'ECONNRESET',
            } as never);
          }
          // Partition = the key's last number % 3; offsets counted per partition.
          const per = new Map<number, number>();
          for (const m of call.messages) {
            const p = Number((m.key ?? '0').split('.').pop()) % 3;
            per.set(p, (per.get(p) ?? 0) + 1);
          }
          return [...per].map(([partition, n]) => {
            const base = next.get(partition) ?? 0;
            next.set(partition, base + n);
            return { topicName: call.topic, partition, errorCode: 0, baseOffset: String(base) };
          });
        },
      };
    },
  };
  return {
    factory: (_: KafkaConfig) => kafka as unknown as Kafka,
    producerOptions,
    sends,
    disconnects: () => disconnects,
    probes: () => probes,
  };
}

const messages = (n: number, bytes: number): ProduceMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `10.0.${i % 7}.${i % 250}`,
    value: `${i} ${'x'.repeat(bytes)}`,
  }));

describe('kafkajs adapter, producing', () => {
  it('asks for an idempotent producer with one request in flight and sends with acks from all replicas', async () => {
    const fake = fakeKafka(['t']);
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    const result = await broker.produce('t', messages(10, 20));
    expect(fake.producerOptions).toHaveLength(1);
    expect(fake.producerOptions[0]).toMatchObject({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    expect(fake.sends.map((s) => [s.acks, s.compression])).toEqual([[-1, CompressionTypes.None]]);
    expect(result.count).toBe(10);
    expect(result.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    await broker.close();
  });

  it('cuts a large batch into requests of at most 2,000 messages and 900,000 bytes, in order', async () => {
    const fake = fakeKafka(['t']);
    const broker = createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: fake.factory,
      compression: 'gzip',
    });
    const small = messages(4500, 20);
    await broker.produce('t', small);
    expect(fake.sends.map((s) => s.messages.length)).toEqual([2000, 2000, 500]);
    const large = messages(2500, 600);
    await broker.produce('t', large);
    const sizes = fake.sends.slice(3).map((s) => s.messages.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2500);
    expect(sizes.length).toBeGreaterThan(1);
    for (const s of fake.sends.slice(3)) {
      const bytes = s.messages.reduce(
        (n, m) => n + 24 + Buffer.byteLength(m.value as string) + Buffer.byteLength(m.key ?? ''),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(900_000);
    }
    expect(fake.sends.flatMap((s) => s.messages)).toEqual([...small, ...large]);
    expect(fake.sends.every((s) => s.compression === CompressionTypes.GZIP)).toBe(true);
    await broker.close();
  });

  it('after a failed request reports the broker down and starts a fresh producer for the next batch', async () => {
    const fake = fakeKafka(['t'], new Set([2]));
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    const err = await broker.produce('t', messages(3000, 20)).catch((e: unknown) => e);
    expect(isLoglabError(err) && err.code).toBe('SERVICE_DOWN');
    expect(fake.disconnects()).toBe(1);
    await broker.produce('t', messages(5, 20));
    // A new producer id: its first batch cannot be taken for a duplicate of the failed one.
    expect(fake.producerOptions).toHaveLength(2);
    await broker.close();
  });

  it('with producerOutage waits for the broker and sends the refused chunk again on the same producer', async () => {
    // Sends 2 and 3 refused (the broker goes away during the second chunk); two probes refused.
    const fake = fakeKafka(['t'], new Set([2, 3]), 2);
    const lines: string[] = [];
    const broker = createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: fake.factory,
      producerOutage: { log: (l) => lines.push(l), probeEveryMs: 1, totalWaitMs: 60_000 },
    });
    const batch = messages(5000, 20);
    const result = await broker.produce('t', batch);
    expect(result.count).toBe(5000);
    // Chunks 2,000 + 2,000 + 1,000; the second sent three times, the same messages each time…
    expect(fake.sends.map((x) => x.messages.length)).toEqual([2000, 2000, 2000, 2000, 1000]);
    expect(fake.sends[2].messages).toEqual(fake.sends[1].messages);
    expect(fake.sends[3].messages).toEqual(fake.sends[1].messages);
    // …by the same producer (its producer id and sequence numbers make the broker drop a copy).
    expect(fake.producerOptions).toHaveLength(1);
    expect(fake.disconnects()).toBe(0);
    // One wait per refusal (the first probed three times, two refused; the second once), and
    // one pair of lines for the outage: the chunk went through only after both.
    expect(fake.probes()).toBe(4);
    expect(lines.map((l) => l.replace(/\d+\.\d s/g, 'T'))).toEqual([
      'no Kafka broker answers at 127.0.0.1:9092 (ECONNRESET); start one with `npm run cluster -- up`, or use --engine embedded; waiting for it for up to T',
      'the broker at 127.0.0.1:9092 answers again after T (3 tries): sending again',
    ]);
    await broker.close();
  });

  it('with producerOutage says, when it sends again, that lines stamped over a day ago may be stored twice', async () => {
    const fake = fakeKafka(['t'], new Set([1]), 1);
    const lines: string[] = [];
    const broker = createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: fake.factory,
      producerOutage: { log: (l) => lines.push(l), probeEveryMs: 1, totalWaitMs: 60_000 },
    });
    const twoDaysAgo = Date.now() - 2 * PRODUCER_EXPIRY_MS;
    const old = messages(10, 20).map((m, i) => ({ ...m, timestamp: twoDaysAgo + i }));
    expect((await broker.produce('t', old)).count).toBe(10);
    expect(lines[1].replace(/\d+\.\d s/g, 'T')).toBe(
      `the broker at 127.0.0.1:9092 answers again after T (2 tries): sending again; ${FORGOTTEN_PRODUCER}`,
    );
    expect(lines.length).toBe(2);
    await broker.close();
  });

  it('takes a send for stamped before the broker forgets its producer only when every message is', () => {
    const now = Date.UTC(2026, 11, 7);
    const at = (...stamps: (number | undefined)[]) =>
      stamps.map((timestamp) => ({ key: null, value: 'x', timestamp }));
    expect(
      stampedBeforeExpiry(at(now - PRODUCER_EXPIRY_MS - 1, now - 3 * PRODUCER_EXPIRY_MS), now),
    ).toBe(true);
    // The broker forgets a producer once its last record is a day old (Kafka: now − last ≥ expiry).
    expect(stampedBeforeExpiry(at(now - PRODUCER_EXPIRY_MS), now)).toBe(true);
    expect(stampedBeforeExpiry(at(now - PRODUCER_EXPIRY_MS + 1), now)).toBe(false);
    // Not said for a mixed send: the check is per send, not per partition (where the old
    // messages of one may still make its batch old).
    expect(stampedBeforeExpiry(at(now - 3 * PRODUCER_EXPIRY_MS, now - 1000), now)).toBe(false);
    // No timestamp: the broker stamps it with its clock.
    expect(stampedBeforeExpiry(at(undefined), now)).toBe(false);
    expect(stampedBeforeExpiry([], now)).toBe(false);
  });

  it('with producerOutage runs one produce at a time: nothing else is sent while a refused chunk waits', async () => {
    // Another send between a refusal and its retry would take the sequence numbers kafkajs gave
    // back, for other messages: the broker would take the retry for a duplicate and drop it.
    const fake = fakeKafka(['t'], new Set([1]), 1);
    const broker = createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: fake.factory,
      producerOutage: { log: () => undefined, probeEveryMs: 1 },
    });
    const a = messages(3, 5);
    const b = messages(4, 6);
    const [ra, rb] = await Promise.all([broker.produce('t', a), broker.produce('t', b)]);
    expect([ra.count, rb.count]).toEqual([3, 4]);
    expect(fake.sends.map((x) => x.messages)).toEqual([a, a, b]);
    await broker.close();
  });

  it('with producerOutage gives up past the wait, with the refusal and how long it waited', async () => {
    const fake = fakeKafka(['t'], new Set([1]), Number.POSITIVE_INFINITY);
    const lines: string[] = [];
    const broker = createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: fake.factory,
      producerOutage: { log: (l) => lines.push(l), probeEveryMs: 5, totalWaitMs: 50 },
    });
    const err = await broker.produce('t', messages(10, 20)).catch((e: unknown) => e);
    expect(isLoglabError(err) && err.code).toBe('SERVICE_DOWN');
    expect(isLoglabError(err) && err.message).toMatch(
      /^no Kafka broker answers at 127\.0\.0\.1:9092 \(ECONNRESET\); start one with .*; gave up after 0\.\d s of waiting$/,
    );
    expect(fake.sends).toHaveLength(1);
    expect(fake.probes()).toBeGreaterThan(1);
    expect(lines).toHaveLength(1);
    // Given up: the next batch goes through a fresh producer, as after any refusal.
    expect(fake.disconnects()).toBe(1);
    await broker.close();
  });

  it('refuses a name Kafka refuses, saying why, before asking the broker', async () => {
    const fake = fakeKafka(['t']);
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    // Kafka's own answer was "an operation on an invalid topic" (produce) or "does not exist".
    for (const call of [
      () => broker.produce('bad topic', messages(1, 5)),
      () => broker.createTopics([{ name: 'bad topic' }]),
      () => broker.describeTopic('bad topic'),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(isLoglabError(err) && [err.code, err.message]).toEqual([
        'BAD_FLAG',
        "topic name \"bad topic\" is not one Kafka accepts: only letters, digits, '.', '_' and '-' are allowed",
      ]);
    }
    expect(fake.sends).toEqual([]);
  });

  it('refuses a topic the broker does not have before producing anything', async () => {
    const fake = fakeKafka(['t']);
    const broker = createKafkaBroker({ brokers: ['127.0.0.1:9092'], kafkaFactory: fake.factory });
    const err = await broker.produce('missing', messages(1, 5)).catch((e: unknown) => e);
    expect(isLoglabError(err) && err.code).toBe('NOT_FOUND');
    expect(isLoglabError(err) && err.message).toBe(
      'topic "missing" does not exist on the Kafka broker at 127.0.0.1:9092',
    );
    expect(fake.sends).toHaveLength(0);
    expect(fake.producerOptions).toHaveLength(0);
    await broker.close();
  });
});
