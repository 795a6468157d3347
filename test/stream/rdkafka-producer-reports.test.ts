/**
 * The rdkafka producer matches delivery reports to `produce` calls by partition and order, not
 * by a per-message opaque: driven here through a stand-in for the binding's `Producer` that
 * reports when and how the test says, so the accounting is tested without a broker or the
 * optional package.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FORGOTTEN_PRODUCER, PRODUCER_EXPIRY_MS } from '../../src/stream/producer-expiry';
import type { RdError, RdkafkaModule } from '../../src/stream/rdkafka-api';
import { connectRdProducer } from '../../src/stream/rdkafka-producer';

interface Sent {
  readonly topic: string;
  readonly partition: number;
  readonly value: string;
  readonly opaque: unknown;
}

/** A binding whose producer keeps what it was given and reports on `report(i, err?, offset?)`. */
function fakeBinding() {
  const sent: Sent[] = [];
  const emitter = new EventEmitter();
  class Producer extends EventEmitter {
    constructor() {
      super();
      emitter.on('report', (...args) => this.emit('delivery-report', ...args));
    }
    connect(_o: unknown, cb: (err: null) => void) {
      cb(null);
    }
    setPollInBackground() {}
    produce(
      topic: string,
      partition: number,
      value: Buffer,
      _key: string | null,
      _ts: number | null,
      opaque: unknown,
    ) {
      sent.push({ topic, partition, value: value.toString(), opaque });
    }
    flush(_t: number, cb: () => void) {
      cb();
    }
    disconnect(_t: number, cb: () => void) {
      cb();
    }
  }
  let made: Producer | null = null;
  class Made extends Producer {
    constructor() {
      super();
      made = this;
    }
  }
  const rd = { Producer: Made } as unknown as RdkafkaModule;
  /** An 'event.error' as the binding emits it: the text, code -1. */
  const event = (message: string) => made?.emit('event.error', { message, code: -1 });
  const report = (i: number, offset: number, err: RdError | null = null) => {
    const s = sent[i];
    emitter.emit('report', err, {
      topic: s.topic,
      partition: s.partition,
      offset,
      opaque: s.opaque,
    });
  };
  return { rd, sent, report, event };
}

const settings = {
  address: '127.0.0.1:1',
  clientId: 'test',
  connectTimeoutMs: 100,
  deliveryTimeoutMs: 100,
  compression: 'none' as const,
  debug: false,
};

const tick = () => new Promise((r) => setImmediate(r));
const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await tick();
  return state;
};

describe('rdkafka producer: delivery reports find their produce call', () => {
  it('two calls in flight on one partition resolve in turn, each with its own first offset', async () => {
    const { rd, sent, report } = fakeBinding();
    const producer = await connectRdProducer(rd, settings);
    const a = producer.send('t', 1, [
      { key: 'k', value: 'a1' },
      { key: 'k', value: 'a2' },
    ]);
    const b = producer.send('t', 1, [{ key: 'k', value: 'b1' }]);
    await tick();
    expect(sent.map((s) => s.value)).toEqual(['a1', 'a2', 'b1']);
    report(0, 40);
    expect(await settled(a)).toBe('pending');
    report(1, 41);
    expect(await a).toEqual({
      topic: 't',
      count: 2,
      partitions: [{ partition: 0, baseOffset: 40 }],
    });
    expect(await settled(b)).toBe('pending');
    report(2, 42);
    expect(await b).toEqual({
      topic: 't',
      count: 1,
      partitions: [{ partition: 0, baseOffset: 42 }],
    });
  });

  it('a failure fails every call with a message of that partition unreported, whatever the order, and no other', async () => {
    const { rd, sent, report } = fakeBinding();
    const producer = await connectRdProducer(rd, settings);
    // Two partitions: find keys that land on each.
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    const a = producer.send(
      't',
      2,
      keys.map((key) => ({ key, value: `a-${key}` })),
    );
    await tick();
    const onPartition = (p: number) => sent.filter((s) => s.partition === p).length;
    expect(onPartition(0) + onPartition(1)).toBe(6);
    expect(onPartition(0)).toBeGreaterThan(0);
    expect(onPartition(1)).toBeGreaterThan(0);
    const keyOn0 = keys[sent.findIndex((s) => s.partition === 0)];
    const keyOn1 = keys[sent.findIndex((s) => s.partition === 1)];
    const b = producer.send('t', 2, [{ key: keyOn0, value: 'b0' }]);
    const c = producer.send('t', 2, [{ key: keyOn1, value: 'c1' }]);
    await tick();
    const bIndex = sent.findIndex((s) => s.value === 'b0');
    const cIndex = sent.findIndex((s) => s.value === 'c1');
    // Partition 1 first: all of a's, then c's; all delivered.
    let offset = 0;
    for (let i = 0; i < 6; i++) if (sent[i].partition === 1) report(i, offset++);
    const cOffset = offset;
    report(cIndex, cOffset);
    expect(await c).toEqual({
      topic: 't',
      count: 1,
      partitions: [{ partition: 1, baseOffset: cOffset }],
    });
    // Partition 0: b's message fails while a's are still unreported; then a's are delivered.
    const err: RdError = { message: 'Local: Message timed out', code: -192 };
    report(bIndex, -1, err);
    for (let i = 0; i < 6; i++) if (sent[i].partition === 0) report(i, 100 + i);
    await expect(a).rejects.toMatchObject({ code: 'SERVICE_DOWN' });
    await expect(b).rejects.toMatchObject({ code: 'SERVICE_DOWN' });
  });

  it('says once when every broker went away while messages wait, and when one is delivered again', async () => {
    const { rd, report, event } = fakeBinding();
    const lines: string[] = [];
    const producer = await connectRdProducer(rd, { ...settings, outageLog: (l) => lines.push(l) });
    // Nothing waits: nothing to say.
    event('all broker connections are down');
    const a = producer.send('t', 1, [
      { key: 'k', value: 'a1' },
      { key: 'k', value: 'a2' },
    ]);
    await tick();
    event('broker transport failure');
    event('all broker connections are down');
    event('all broker connections are down');
    report(0, 7);
    report(1, 8);
    await a;
    expect(lines.map((l) => l.replace(/\d+\.\d s:/, 'T:'))).toEqual([
      'no Kafka broker answers at 127.0.0.1:1 (all brokers down); waiting for it for up to 0.1 s (librdkafka keeps the batch)',
      'the broker at 127.0.0.1:1 answers again after T: delivered',
    ]);
  });

  it('adds, when a waiting batch is stamped over a day ago, that a restarted broker may store it twice', async () => {
    const { rd, report, event } = fakeBinding();
    const lines: string[] = [];
    const producer = await connectRdProducer(rd, { ...settings, outageLog: (l) => lines.push(l) });
    const twoDaysAgo = Date.now() - 2 * PRODUCER_EXPIRY_MS;
    // A batch stamped now, then one stamped two days ago: the second is what the line is about.
    const recent = producer.send('t', 1, [{ key: 'k', value: 'r1', timestamp: Date.now() }]);
    const old = producer.send('t', 1, [
      { key: 'k', value: 'o1', timestamp: twoDaysAgo },
      { key: 'k', value: 'o2', timestamp: twoDaysAgo },
    ]);
    await tick();
    event('all broker connections are down');
    report(0, 7);
    report(1, 8);
    report(2, 9);
    await Promise.all([recent, old]);
    // An old batch already delivered before one stamped now, on the same partition: only what
    // still waits counts, and the line stays as it was (the test above).
    const delivered = producer.send('t', 1, [{ key: 'k', value: 'd1', timestamp: twoDaysAgo }]);
    const now = producer.send('t', 1, [{ key: 'k', value: 'n1', timestamp: Date.now() }]);
    await tick();
    report(3, 10);
    await delivered;
    event('all broker connections are down');
    report(4, 11);
    await now;
    expect(lines.map((l) => l.replace(/\d+\.\d s:/, 'T:'))).toEqual([
      'no Kafka broker answers at 127.0.0.1:1 (all brokers down); waiting for it for up to 0.1 s (librdkafka keeps the batch)',
      `the broker at 127.0.0.1:1 answers again after T: delivered; ${FORGOTTEN_PRODUCER}`,
      'no Kafka broker answers at 127.0.0.1:1 (all brokers down); waiting for it for up to 0.1 s (librdkafka keeps the batch)',
      'the broker at 127.0.0.1:1 answers again after T: delivered',
    ]);
  });
});
