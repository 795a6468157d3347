import { type Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The broker that `npm run cluster -- up` starts (native or docker); both listen here.
const BROKERS = (process.env.LOGLAB_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const kafka = new Kafka({
  clientId: 'loglab-cluster-health-test',
  brokers: BROKERS,
  connectionTimeout: 3000,
  logLevel: logLevel.NOTHING,
});

let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `no Kafka broker at ${BROKERS.join(',')} (${(err as Error).message}): start one with \`npm run cluster -- up\``,
    );
  }
});

afterAll(async () => {
  await admin?.disconnect();
});

describe('the cluster broker', () => {
  it('answers a metadata request with the single node the cluster script configures', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port }))).toEqual([
      { nodeId: 1, host: '127.0.0.1', port: 9092 },
    ]);
    expect(cluster.controller).toBe(1);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('round-trips keyed messages through a 6-partition topic and a committing group', async () => {
    const topic = `loglab.test.health.${Date.now()}`;
    const groupId = `${topic}.group`;
    expect(
      await admin.createTopics({
        topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
    ).toBe(true);

    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([
        0, 1, 2, 3, 4, 5,
      ]);

      // Three clients, four lines each, in the order a web server would have logged them.
      const ips = ['203.0.113.7', '198.51.100.23', '192.0.2.146'];
      const sent = Array.from({ length: 12 }, (_, i) => ({
        key: ips[i % 3],
        value: `${ips[i % 3]} - - [14/Nov/2026:10:00:${String(i).padStart(2, '0')} +0000] "GET /p/${i} HTTP/1.1" 200 ${100 + i}`,
        timestamp: String(1_794_650_400_000 + i * 1000),
      }));

      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      const acks = await producer.send({ topic, acks: -1, messages: sent });
      await producer.disconnect();
      expect(acks.filter((r) => r.errorCode !== 0)).toEqual([]);

      const received: { key: string; value: string; timestamp: string; partition: number }[] = [];
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            received.push({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              timestamp: message.timestamp,
              partition,
            });
            // Commit after processing: the next offset to read.
            await consumer.commitOffsets([
              { topic, partition, offset: String(BigInt(message.offset) + 1n) },
            ]);
            if (received.length === sent.length) resolve();
          },
        });
      });
      await done;
      await consumer.disconnect();

      // Exactly the messages sent, each once.
      const strip = ({ key, value, timestamp }: (typeof received)[number]) => ({
        key,
        value,
        timestamp,
      });
      const byValue = (a: { value: string }, b: { value: string }) =>
        a.value.localeCompare(b.value);
      expect(received.map(strip).sort(byValue)).toEqual([...sent].sort(byValue));

      // One partition per key, and within it the order of sending.
      for (const ip of ips) {
        const mine = received.filter((m) => m.key === ip);
        expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
        expect(mine.map((m) => m.value)).toEqual(
          sent.filter((m) => m.key === ip).map((m) => m.value),
        );
      }

      // Every partition the broker acknowledged a write to is one the messages came from.
      expect(acks.map((r) => r.partition).sort()).toEqual(
        [...new Set(received.map((m) => m.partition))].sort(),
      );

      // The group's committed offsets reached the end of every partition it read
      // (-1: nothing committed, for partitions that received no message).
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = (a: { partition: number }, b: { partition: number }) =>
        a.partition - b.partition;
      expect(committed.partitions.sort(byPartition).map((p) => p.offset)).toEqual(
        ends.sort(byPartition).map((p) => (p.high === '0' ? '-1' : p.high)),
      );
      expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(sent.length);
    } finally {
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] });
    }
  });
});
