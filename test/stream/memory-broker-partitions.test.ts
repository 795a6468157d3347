import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, Consumer } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { partitionForKey } from '../../src/stream/partitioner';

const IPS = ['192.168.1.100', '10.0.0.1', '127.0.0.1', '203.0.113.7', '198.51.100.23', '8.8.8.8'];

async function drain<V>(consumer: Consumer<V>): Promise<ConsumedRecord<V>[]> {
  const out: ConsumedRecord<V>[] = [];
  for (;;) {
    const r = await consumer.poll({ maxWaitMs: 0 });
    if (r.kind !== 'records') return out;
    for (const b of r.batches) out.push(...b.records);
  }
}

describe('embedded broker: partitions, keys and order', () => {
  it('puts every key on the partition Kafka would, and keeps each partition in order', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 6 }]);
    const sent: { key: string; value: string }[] = [];
    for (let i = 0; i < 600; i++) {
      const key = IPS[(i * 7) % IPS.length];
      sent.push({ key, value: `${key} request ${i}` });
    }
    await broker.produce('weblogs.raw', sent.slice(0, 250));
    await broker.produce('weblogs.raw', sent.slice(250));
    const c = await broker.subscribe({
      groupId: 'g',
      topics: ['weblogs.raw'],
      fromBeginning: true,
    });
    const got = await drain(c);
    expect(got.length).toBe(600);

    // Java's partitioner (see partitioner.test.ts) puts these IPs on 4, 4, 4, 4, 3, 5 of 6.
    const partitionOf = new Map(got.map((r) => [r.key, r.partition]));
    expect(Object.fromEntries(partitionOf)).toEqual({
      '192.168.1.100': 4,
      '10.0.0.1': 4,
      '127.0.0.1': 4,
      '203.0.113.7': 4,
      '198.51.100.23': 3,
      '8.8.8.8': 5,
    });
    for (const r of got) expect(r.partition).toBe(partitionForKey(r.key as string, 6));

    // Per partition: offsets 0, 1, 2 … and the values in the order they were produced.
    const expected = new Map<number, string[]>();
    for (const m of sent) {
      const p = partitionForKey(m.key, 6);
      expected.set(p, [...(expected.get(p) ?? []), m.value]);
    }
    for (const [p, values] of expected) {
      const mine = got.filter((r) => r.partition === p);
      expect(mine.map((r) => r.offset)).toEqual(values.map((_, i) => i));
      expect(mine.map((r) => r.value)).toEqual(values);
    }
    const description = await broker.describeTopic('weblogs.raw');
    expect(description.partitions).toEqual([
      { partition: 0, start: 0, end: 0 },
      { partition: 1, start: 0, end: 0 },
      { partition: 2, start: 0, end: 0 },
      { partition: 3, start: 0, end: 100 },
      { partition: 4, start: 0, end: 400 },
      { partition: 5, start: 0, end: 100 },
    ]);
  });

  it('acknowledges each partition with the offset of its first message of the batch', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 't', partitions: 6 }]);
    const first = await broker.produce('t', [
      { key: '8.8.8.8', value: 'a' },
      { key: '198.51.100.23', value: 'b' },
      { key: '8.8.8.8', value: 'c' },
    ]);
    expect(first).toEqual({
      topic: 't',
      count: 3,
      partitions: [
        { partition: 3, baseOffset: 0 },
        { partition: 5, baseOffset: 0 },
      ],
    });
    const second = await broker.produce('t', [
      { key: '8.8.8.8', value: 'd' },
      { key: '10.0.0.1', value: 'e' },
    ]);
    expect(second.partitions).toEqual([
      { partition: 4, baseOffset: 0 },
      { partition: 5, baseOffset: 2 },
    ]);
  });

  it('spreads null keys round-robin and stamps the broker clock when no timestamp is given', async () => {
    const broker = createMemoryBroker({ now: () => 1_700_000_000_000 });
    await broker.createTopics([{ name: 't', partitions: 3 }]);
    await broker.produce('t', [
      { key: null, value: 'a' },
      { key: null, value: 'b' },
      { key: null, value: 'c' },
      { key: null, value: 'd', timestamp: 42 },
    ]);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const got = (await drain(c)).sort((x, y) => (x.value < y.value ? -1 : 1));
    expect(got.map((r) => [r.value, r.partition, r.offset, r.timestamp])).toEqual([
      ['a', 0, 0, 1_700_000_000_000],
      ['b', 1, 0, 1_700_000_000_000],
      ['c', 2, 0, 1_700_000_000_000],
      ['d', 0, 1, 42],
    ]);
  });

  it('creates topics once, lists them sorted and refuses unknown ones', async () => {
    const broker = createMemoryBroker();
    expect(await broker.createTopics([{ name: 'b' }, { name: 'a', partitions: 2 }])).toEqual({
      created: ['b', 'a'],
      existing: [],
    });
    expect(await broker.createTopics([{ name: 'a', partitions: 9 }])).toEqual({
      created: [],
      existing: ['a'],
    });
    expect(await broker.listTopics()).toEqual(['a', 'b']);
    expect((await broker.describeTopic('a')).partitions.length).toBe(2);
    expect((await broker.describeTopic('b')).partitions.length).toBe(6);
    await expect(broker.produce('nope', [{ key: null, value: 'x' }])).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'topic "nope" does not exist on the embedded broker',
    });
    await expect(broker.subscribe({ groupId: 'g', topics: ['nope'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(broker.createTopics([{ name: 'z', partitions: 0 }])).rejects.toMatchObject({
      code: 'BAD_FLAG',
    });
  });

  it("refuses topic names Kafka refuses, as Kafka's Topic.validate does", async () => {
    const broker = createMemoryBroker();
    const refused = async (name: string) =>
      (await broker
        .createTopics([{ name }])
        .catch((e: { code: string; message: string }) => e)) as {
        code: string;
        message: string;
      };
    expect(await refused('bad topic/name')).toMatchObject({
      code: 'BAD_FLAG',
      message:
        "topic name \"bad topic/name\" is not one Kafka accepts: only letters, digits, '.', '_' and '-' are allowed",
    });
    expect((await refused('')).message).toBe('topic name "" is not one Kafka accepts: it is empty');
    expect((await refused('..')).message).toBe(
      'topic name ".." is not one Kafka accepts: it may not be "." or ".."',
    );
    expect((await refused('x'.repeat(250))).message).toMatch(
      /: it has 250 characters, at most 249 are allowed$/,
    );
    expect(await broker.listTopics()).toEqual([]);
    // What Kafka takes: letters, digits, '.', '_', '-', up to 249 characters.
    const ok = ['weblogs.raw', 'a_b-C.9', 'x'.repeat(249), '...'];
    expect((await broker.createTopics(ok.map((name) => ({ name })))).created).toEqual(ok);
  });
});
