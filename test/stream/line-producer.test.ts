import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { parseAuto } from '../../src/log/auto';
import type { Broker } from '../../src/stream/broker';
import { readTopic } from '../../src/stream/inspect';
import { createLineProducer } from '../../src/stream/line-producer';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import {
  DEADLETTER_TOPIC,
  ensureStandardTopics,
  MAX_LINE_BYTES,
  parseDeadLetter,
  RAW_TOPIC,
  TOO_LARGE_KEPT_CHARS,
} from '../../src/stream/topics';

const lines = [...generateLines(defaultOptions({ lines: 2500, seed: 11 }))];

async function freshBroker(): Promise<Broker> {
  const broker = createMemoryBroker();
  await ensureStandardTopics(broker);
  return broker;
}

async function endOffsets(broker: Broker, topic: string): Promise<number> {
  const d = await broker.describeTopic(topic);
  return d.partitions.reduce((n, p) => n + p.end, 0);
}

describe('line producer', () => {
  it('sends every line keyed by client IP with its time, in batches, counting what was acknowledged', async () => {
    const broker = await freshBroker();
    let acked = 0;
    const batches: number[] = [];
    const producer = createLineProducer(broker, {
      topic: RAW_TOPIC,
      parse: parseAuto,
      batchSize: 1000,
      onAcked: (m) => {
        acked += m.length;
        batches.push(m.length);
      },
    });
    await producer.add(lines.slice(0, 1700));
    await producer.add(lines.slice(1700));
    await producer.flush();
    expect(producer.counts).toEqual({ read: 2500, produced: 2500, deadLettered: 0 });
    expect(batches).toEqual([1000, 1000, 500]);
    expect(acked).toBe(2500);
    const back = await readTopic(broker, { topic: RAW_TOPIC, groupId: 'check' });
    expect(back.map((r) => r.value).sort()).toEqual([...lines].sort());
    for (const r of back.slice(0, 50)) {
      const parsed = parseAuto(r.value as string);
      expect('ip' in parsed && r.key).toBe('ip' in parsed ? parsed.ip : null);
      expect('time' in parsed && r.timestamp).toBe('time' in parsed ? parsed.time : null);
    }
    await broker.close();
  });

  it('makes a line too large for one message a too-large dead letter and goes on', async () => {
    const broker = await freshBroker();
    const huge = `10.0.0.9 - - ${'x'.repeat(1_100_000)}`;
    const producer = createLineProducer(broker, { topic: RAW_TOPIC, parse: parseAuto });
    await producer.add([...lines.slice(0, 10), huge, ...lines.slice(10, 15)]);
    await producer.flush();
    expect(producer.counts).toEqual({ read: 16, produced: 15, deadLettered: 1 });
    const [letter] = await readTopic(broker, { topic: DEADLETTER_TOPIC, groupId: 'triage' });
    const parsed = parseDeadLetter(letter.value);
    expect(parsed.reason).toBe('too-large');
    expect(parsed.bytes).toBe(huge.length);
    expect(parsed.line).toBe(huge.slice(0, TOO_LARGE_KEPT_CHARS));
    expect(parsed.message).toBe(
      `line of ${huge.length} bytes is larger than one message may be (${MAX_LINE_BYTES}); its first ${TOO_LARGE_KEPT_CHARS} characters are kept`,
    );
    await broker.close();
  });

  it('keeps the start of a rejected line whose escaped letter would not fit in a message', async () => {
    const broker = await freshBroker();
    // 400,000 control characters: 400 kB of line, 2.4 MB once JSON escapes each as \u0001.
    const line = '\u0001'.repeat(400_000);
    const producer = createLineProducer(broker, { topic: RAW_TOPIC, parse: parseAuto });
    await producer.add([line]);
    await producer.flush();
    expect(producer.counts).toEqual({ read: 1, produced: 0, deadLettered: 1 });
    const [letter] = await readTopic(broker, { topic: DEADLETTER_TOPIC, groupId: 'triage' });
    const parsed = parseDeadLetter(letter.value);
    expect(parsed.reason).toBe((parseAuto(line) as { reason: string }).reason);
    expect(parsed.bytes).toBe(400_000);
    expect(parsed.line).toBe(line.slice(0, TOO_LARGE_KEPT_CHARS));
    await broker.close();
  });

  it('takes no more lines once the signal aborts, paced or not, and sends what it took', async () => {
    const broker = await freshBroker();
    const stop = new AbortController();
    const producer = createLineProducer(broker, {
      topic: RAW_TOPIC,
      parse: parseAuto,
      rate: 1000,
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(), 150);
    await producer.add(lines);
    await producer.flush();
    const { read, produced, deadLettered } = producer.counts;
    // At 1,000 lines/s, 150 ms is about 150 lines (and one batch of 50 ahead): far from 2,500.
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(1000);
    expect(produced + deadLettered).toBe(read);
    expect(await endOffsets(broker, RAW_TOPIC)).toBe(produced);
    await producer.add(lines);
    expect(producer.counts.read).toBe(read);
    await broker.close();
  });

  it('rejects the next call after a failed request and does not count its messages', async () => {
    const inner = await freshBroker();
    let calls = 0;
    const broker: Broker = {
      ...inner,
      async produce(topic, messages) {
        calls++;
        if (calls === 2) throw new Error('broker went away');
        return inner.produce(topic, messages);
      },
    };
    const producer = createLineProducer(broker, {
      topic: RAW_TOPIC,
      parse: parseAuto,
      batchSize: 1000,
    });
    await producer.add(lines.slice(0, 2000));
    await expect(producer.flush()).rejects.toThrow('broker went away');
    expect(producer.counts.produced).toBe(1000);
    expect(await endOffsets(inner, RAW_TOPIC)).toBe(1000);
    await inner.close();
  });
});
