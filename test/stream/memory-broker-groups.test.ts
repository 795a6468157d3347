import { describe, expect, it } from 'vitest';
import type { Broker, ConsumedRecord, Consumer } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const parts = (c: Consumer<unknown>) => c.assignment().map((tp) => tp.partition);

async function drain<V>(consumer: Consumer<V>, maxRecords?: number): Promise<ConsumedRecord<V>[]> {
  const out: ConsumedRecord<V>[] = [];
  for (;;) {
    const r = await consumer.poll({ maxWaitMs: 0, maxRecords });
    if (r.kind !== 'records') return out;
    for (const b of r.batches) out.push(...b.records);
  }
}

/** 20 messages on each of the 6 partitions of `t`, values "p<partition>-<offset>". */
async function filled(options: Parameters<typeof createMemoryBroker>[0] = {}): Promise<Broker> {
  const broker = createMemoryBroker(options);
  await broker.createTopics([{ name: 't', partitions: 6 }]);
  // One key per partition 0…5, from the Java client's table in partitioner.test.ts.
  const keyFor = ['21', '🚀', 'ab', '198.51.100.23', '192.168.1.100', '8.8.8.8'];
  const messages = [];
  for (let i = 0; i < 20; i++) {
    for (let p = 0; p < 6; p++) messages.push({ key: keyFor[p], value: `p${p}-${i}` });
  }
  await broker.produce('t', messages);
  return broker;
}

const ids = (records: ConsumedRecord<string>[]) =>
  records.map((r) => `${r.partition}:${r.offset}`).sort();

describe('embedded broker: consumer groups', () => {
  it('shares partitions round-robin between two members and gives them back when one leaves', async () => {
    const broker = await filled();
    const a = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    expect(parts(a)).toEqual([0, 1, 2, 3, 4, 5]);
    const b = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    expect(parts(a)).toEqual([0, 2, 4]);
    expect(parts(b)).toEqual([1, 3, 5]);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    expect([parts(a), parts(b), parts(c)]).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    await c.close();
    await a.close();
    expect(parts(b)).toEqual([0, 1, 2, 3, 4, 5]);
    // Another group is independent of this one.
    const other = await broker.subscribe({ groupId: 'other', topics: ['t'] });
    expect(parts(other)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('shares partitions in ranges with the range assignor', async () => {
    const broker = createMemoryBroker({ assignor: 'range' });
    await broker.createTopics([{ name: 't', partitions: 7 }]);
    const a = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    const b = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    expect([parts(a), parts(b)]).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
    ]);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    expect([parts(a), parts(b), parts(c)]).toEqual([
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('resumes a new member from what the group committed, redelivering the uncommitted rest', async () => {
    const broker = await filled();
    const first = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const done = await drain(first, 7);
    expect(done.length).toBe(120);
    // Commit only partitions 0 and 1, up to offset 10 (that is, records 0…9).
    const commit = await first.commit([
      { topic: 't', partition: 0, offset: 10 },
      { topic: 't', partition: 1, offset: 10 },
    ]);
    expect(commit).toEqual({
      kind: 'committed',
      offsets: [
        { topic: 't', partition: 0, offset: 10 },
        { topic: 't', partition: 1, offset: 10 },
      ],
      revoked: [],
    });
    await first.close();

    const second = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const again = await drain(second);
    const expected: string[] = [];
    for (let p = 0; p < 6; p++) {
      for (let o = p < 2 ? 10 : 0; o < 20; o++) expected.push(`${p}:${o}`);
    }
    expect(ids(again)).toEqual(expected.sort());
    expect(again.find((r) => r.partition === 0)?.value).toBe('p0-10');

    await second.commit();
    const lag = await broker.groupLag('g');
    expect(lag.total).toBe(0);
    expect(lag.partitions.map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([
      [0, 20, 20, 0],
      [1, 20, 20, 0],
      [2, 20, 20, 0],
      [3, 20, 20, 0],
      [4, 20, 20, 0],
      [5, 20, 20, 0],
    ]);
  });

  it('redelivers the uncommitted records of partitions that move to a new member', async () => {
    const broker = await filled();
    const a = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    expect((await drain(a)).length).toBe(120);
    // Partitions 0 and 1 committed in full; nothing else.
    await a.commit([
      { topic: 't', partition: 0, offset: 20 },
      { topic: 't', partition: 1, offset: 20 },
    ]);

    const b = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    expect([parts(a), parts(b)]).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    // b starts at the group's offsets: nothing of 1 (committed), all of 3 and 5 again.
    const redelivered = await drain(b);
    const expected: string[] = [];
    for (const p of [3, 5]) for (let o = 0; o < 20; o++) expected.push(`${p}:${o}`);
    expect(ids(redelivered)).toEqual(expected.sort());
    // a keeps its position on the partitions it kept: nothing new to read.
    expect(await a.poll({ maxWaitMs: 0 })).toEqual({ kind: 'idle' });
    // Its commit covers what it still owns; the lost partitions are reported.
    expect(await a.commit()).toEqual({
      kind: 'committed',
      offsets: [
        { topic: 't', partition: 2, offset: 20 },
        { topic: 't', partition: 4, offset: 20 },
      ],
      revoked: [
        { topic: 't', partition: 3 },
        { topic: 't', partition: 5 },
      ],
    });
    // Offsets for a partition it no longer owns are not written.
    expect(await a.commit([{ topic: 't', partition: 5, offset: 20 }])).toEqual({
      kind: 'committed',
      offsets: [],
      revoked: [{ topic: 't', partition: 5 }],
    });
    const lag = await broker.groupLag('g', ['t']);
    expect(lag.partitions.map((p) => [p.partition, p.committed, p.lag])).toEqual([
      [0, 20, 0],
      [1, 20, 0],
      [2, 20, 0],
      [3, null, 20],
      [4, 20, 0],
      [5, null, 20],
    ]);
    expect(lag.total).toBe(40);
    expect(await broker.listGroups()).toEqual(['g']);
  });

  it('starts a group without commits at the end unless asked for the beginning', async () => {
    const broker = await filled();
    const late = await broker.subscribe({ groupId: 'late', topics: ['t'] });
    expect(await late.poll({ maxWaitMs: 0 })).toEqual({ kind: 'idle' });
    await broker.produce('t', [{ key: '21', value: 'new' }]);
    const r = await late.poll({ maxWaitMs: 0 });
    expect(
      r.kind === 'records' &&
        r.batches.map((b) => b.records.map((x) => [x.partition, x.offset, x.value])),
    ).toEqual([[[0, 20, 'new']]]);
  });

  it('wakes a waiting poll when records arrive, and stops it on abort or close', async () => {
    const broker = await filled();
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    const waiting = c.poll({ maxWaitMs: 60_000 });
    await broker.produce('t', [{ key: '8.8.8.8', value: 'hello' }]);
    const r = await waiting;
    expect(r.kind === 'records' && r.batches[0].records.map((x) => x.value)).toEqual(['hello']);

    const controller = new AbortController();
    const aborted = c.poll({ maxWaitMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await aborted).toEqual({ kind: 'stopped', reason: 'aborted' });

    const closing = c.poll({ maxWaitMs: 60_000 });
    await c.close();
    expect(await closing).toEqual({ kind: 'stopped', reason: 'closed' });
    expect(await c.poll()).toEqual({ kind: 'stopped', reason: 'closed' });
  });

  it('returns at most maxRecords per poll, fairly across partitions', async () => {
    const broker = await filled();
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const r = await c.poll({ maxRecords: 25, maxWaitMs: 0 });
    expect(
      r.kind === 'records' && [r.count, r.batches.map((b) => [b.partition, b.records.length])],
    ).toEqual([
      25,
      [
        [0, 20],
        [1, 5],
      ],
    ]);
    const next = await c.poll({ maxRecords: 25, maxWaitMs: 0 });
    // The next poll starts at the next partition.
    expect(
      next.kind === 'records' &&
        next.batches.map((b) => [b.partition, b.records[0].offset, b.records.length]),
    ).toEqual([
      [1, 5, 15],
      [2, 0, 10],
    ]);
    expect(r.kind === 'records' && r.batches[0].highWatermark).toBe(20);
  });
});
