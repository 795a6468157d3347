/**
 * The rdkafka member's pump asks librdkafka for at most 1,000 records a `consume` call: a
 * commit's answer reaches the member only once the call running when it came has returned, so
 * the call's size is how long every commit after a poll waits (at 10,000 a call, 60-390 ms on a
 * busy topic). Driven through a stand-in for the binding's `KafkaConsumer` that behaves that way:
 * it answers a commit when the next `consume` call ends, and gives each call as many of its
 * queued records as the call asks for. No broker, no optional package.
 */
import { describe, expect, it } from 'vitest';
import type { RdkafkaModule, RdMessage, RdTopicPartition } from '../../src/stream/rdkafka-api';
import { subscribeRdkafka } from '../../src/stream/rdkafka-consumer';

const TOPIC = 'weblogs.raw';
const QUEUED = 25_000;

function fakeBinding(commitErrors: { code: number; message: string }[] = []) {
  const asked: number[] = [];
  const queue: RdMessage[] = [];
  for (let i = 0; i < QUEUED; i++) {
    queue.push({ topic: TOPIC, partition: 0, offset: i, value: Buffer.from(`line ${i}`) });
  }
  class KafkaConsumer {
    private readonly rebalance: (err: { code: number }, parts: RdTopicPartition[]) => void;
    private readonly commitAnswer: (
      err: { code: number; message: string } | undefined,
      parts: RdTopicPartition[],
    ) => void;
    private assigned = false;
    private answers: RdTopicPartition[][] = [];
    constructor(config: Record<string, unknown>) {
      this.rebalance = config.rebalance_cb as KafkaConsumer['rebalance'];
      this.commitAnswer = config.offset_commit_cb as KafkaConsumer['commitAnswer'];
    }
    on() {}
    setDefaultIsTimeoutOnlyForFirstMessage() {}
    setDefaultConsumeTimeout() {}
    connect(_o: unknown, cb: (err: null) => void) {
      cb(null);
    }
    subscribe() {}
    assign() {}
    unassign() {}
    pause() {}
    resume() {}
    getWatermarkOffsets() {
      return { lowOffset: 0, highOffset: QUEUED };
    }
    consume(count: number, cb: (err: null, messages: RdMessage[]) => void) {
      asked.push(count);
      setTimeout(() => {
        if (!this.assigned) {
          this.assigned = true;
          this.rebalance.call(this, { code: -175 }, [{ topic: TOPIC, partition: 0 }]);
          cb(null, []);
          return;
        }
        const messages = queue.splice(0, count);
        // Answers queued behind this call's records are served as it ends.
        for (const parts of this.answers.splice(0)) this.commitAnswer(commitErrors.shift(), parts);
        cb(null, messages);
      }, 1);
    }
    commitCb(parts: RdTopicPartition[], cb: (err: null) => void) {
      this.answers.push(parts);
      cb(null);
    }
    disconnect(cb: () => void) {
      cb();
    }
  }
  return { rd: { KafkaConsumer } as unknown as RdkafkaModule, asked };
}

const SETTINGS = {
  address: '127.0.0.1:9092',
  connectTimeoutMs: 1000,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  fetchMaxWaitMs: 100,
  joinTimeoutMs: 5000,
  prefetchRecords: 50_000,
  debug: false,
};

describe('rdkafka consumer: a commit the group cannot take yet', () => {
  it('after a broker restart ("Waiting for coordinator") is refused for now and goes through when sent again', async () => {
    const { rd } = fakeBinding([{ code: -180, message: 'Local: Waiting for coordinator' }]);
    const consumer = await subscribeRdkafka(rd, SETTINGS, {
      groupId: 'g',
      topics: [TOPIC],
      fromBeginning: true,
    });
    try {
      const polled = await consumer.poll({ maxRecords: 500, maxWaitMs: 1000 });
      expect(polled.kind).toBe('records');
      const offsets = [{ topic: TOPIC, partition: 0, offset: 500 }];
      // Before, this threw "the Kafka broker at 127.0.0.1:9092 failed: Local: Waiting for
      // coordinator", and `loglab stream` on librdkafka ended with it.
      expect(await consumer.commit()).toEqual({ kind: 'rebalancing', offsets });
      expect(await consumer.commit()).toEqual({ kind: 'committed', offsets, revoked: [] });
    } finally {
      await consumer.close();
    }
  });
});

describe('rdkafka consumer: records per consume call', () => {
  it('asks librdkafka for at most 1,000 records a call, and a commit is answered after one', async () => {
    const { rd, asked } = fakeBinding();
    const consumer = await subscribeRdkafka(rd, SETTINGS, {
      groupId: 'g',
      topics: [TOPIC],
      fromBeginning: true,
    });
    try {
      const polled = await consumer.poll({ maxRecords: 10_000, maxWaitMs: 1000 });
      expect(polled.kind).toBe('records');
      const first = polled.kind === 'records' ? polled.batches[0].records : [];
      expect(first[0].offset).toBe(0);
      expect(first[first.length - 1].offset).toBe(first.length - 1);
      const calls = asked.length;
      const committed = await consumer.commit();
      expect(committed).toEqual({
        kind: 'committed',
        offsets: [{ topic: TOPIC, partition: 0, offset: first.length }],
        revoked: [],
      });
      // The commit waited for the call running when it was made, and at most one more.
      expect(asked.length - calls).toBeLessThanOrEqual(2);
      expect(Math.max(...asked)).toBe(1000);
    } finally {
      await consumer.close();
    }
  });
});
