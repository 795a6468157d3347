import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, Consumer, ProduceMessage } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

async function drain<V>(consumer: Consumer<V>): Promise<ConsumedRecord<V>[]> {
  const out: ConsumedRecord<V>[] = [];
  for (;;) {
    const r = await consumer.poll({ maxWaitMs: 0, maxRecords: 50_000 });
    if (r.kind !== 'records') return out;
    for (const b of r.batches) out.push(...b.records);
  }
}

function checksum(rows: { key: string | null; value: string }[]): string {
  const lines = rows.map((r) => `${r.key}\t${r.value}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

describe('embedded broker: message sizes and contents', () => {
  it('carries 200,000 small messages through, exactly', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 6 }]);
    const sent: ProduceMessage[] = [];
    for (let i = 0; i < 200_000; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      sent.push({
        key: ip,
        value: `${ip} - - [01/Jan/2024:00:00:00 +0000] "GET /p/${i} HTTP/1.1" 200 ${i % 997}`,
      });
    }
    for (let i = 0; i < sent.length; i += 1000)
      await broker.produce('weblogs.raw', sent.slice(i, i + 1000));
    const c = await broker.subscribe({
      groupId: 'g',
      topics: ['weblogs.raw'],
      fromBeginning: true,
    });
    const got = await drain(c);
    expect(got.length).toBe(200_000);
    expect(checksum(got)).toBe(checksum(sent as { key: string; value: string }[]));
    const ends = (await broker.describeTopic('weblogs.raw')).partitions.map((p) => p.end);
    expect(ends.reduce((a, b) => a + b, 0)).toBe(200_000);
  });

  it('stores 1 MB values without copying them, and converts only when asked', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'big', partitions: 2 }]);
    const values = [0, 1, 2, 3].map((i) => Buffer.alloc(1_000_000, 97 + i));
    await broker.produce(
      'big',
      values.map((value, i) => ({ key: `k${i}`, value })),
    );
    const asBuffer = await broker.subscribe({
      groupId: 'bytes',
      topics: ['big'],
      fromBeginning: true,
      valueAs: 'buffer',
    });
    const raw = (await drain(asBuffer)).sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : 1));
    expect(raw.length).toBe(4);
    // The very same Buffer objects: nothing was copied on the way.
    for (let i = 0; i < 4; i++) expect(raw[i].value).toBe(values[i]);
    const asText = await broker.subscribe({
      groupId: 'text',
      topics: ['big'],
      fromBeginning: true,
    });
    const text = await drain(asText);
    expect(text.map((r) => [r.key, r.value.length, r.value.slice(0, 3)]).sort()).toEqual([
      ['k0', 1_000_000, 'aaa'],
      ['k1', 1_000_000, 'bbb'],
      ['k2', 1_000_000, 'ccc'],
      ['k3', 1_000_000, 'ddd'],
    ]);
  });

  it('refuses a batch holding a message over the size limit, writing none of it', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 't', partitions: 1 }]);
    const batch = [
      { key: 'a', value: 'fine' },
      { key: 'b', value: 'x'.repeat(1_048_001) },
    ];
    await expect(broker.produce('t', batch)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'message 1 of the batch has 1048002 bytes, more than the broker accepts (1048000)',
    });
    expect((await broker.describeTopic('t')).partitions).toEqual([
      { partition: 0, start: 0, end: 0 },
    ]);
    // Multi-byte characters are counted in UTF-8 bytes: 350,000 × 3 bytes is too much.
    await expect(
      broker.produce('t', [{ key: null, value: '€'.repeat(350_000) }]),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  it('keeps headers, and string values come back as bytes when asked', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 't', partitions: 1 }]);
    await broker.produce('t', [
      { key: null, value: 'plain' },
      { key: null, value: 'with', headers: { source: 'access.log', line: '7' } },
      { key: null, value: 'plain again' },
    ]);
    const c = await broker.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: true,
      valueAs: 'buffer',
    });
    const got = await drain(c);
    expect(got.map((r) => [r.value.toString('utf8'), Buffer.isBuffer(r.value), r.headers])).toEqual(
      [
        ['plain', true, undefined],
        ['with', true, { source: 'access.log', line: '7' }],
        ['plain again', true, undefined],
      ],
    );
  });

  it('pollRaw hands the values as they were produced, strings and bytes, with their offsets', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 't', partitions: 1 }]);
    const bytes = Buffer.from([0xff, 0x41]);
    await broker.produce('t', [
      { key: null, value: 'a' },
      { key: null, value: bytes },
      { key: null, value: 'c' },
    ]);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const first = await c.pollRaw({ maxWaitMs: 0, maxRecords: 2 });
    if (first.kind !== 'records') throw new Error(`expected records, got ${first.kind}`);
    expect(first.count).toBe(2);
    expect(first.batches.map((b) => [b.topic, b.partition, b.offsets, b.highWatermark])).toEqual([
      ['t', 0, [0, 1], 3],
    ]);
    expect(first.batches[0].values[0]).toBe('a');
    expect(first.batches[0].values[1]).toBe(bytes);
    // The same position as poll: the next read, of either kind, goes on from offset 2.
    const rest = await c.poll({ maxWaitMs: 0 });
    expect(
      rest.kind === 'records' ? rest.batches[0].records.map((r) => r.offset) : rest.kind,
    ).toEqual([2]);
    expect((await c.pollRaw({ maxWaitMs: 0 })).kind).toBe('idle');
    expect(await c.commit()).toMatchObject({ offsets: [{ topic: 't', partition: 0, offset: 3 }] });
    await broker.close();
  });

  it('drops the oldest records past the retention size, and a reader behind skips to what is left', async () => {
    // Each record counts 100 value bytes + 64 of overhead = 164; trimming goes down to 3/4 of 10,000.
    const broker = createMemoryBroker({ retentionBytes: 10_000 });
    await broker.createTopics([{ name: 't', partitions: 1 }]);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    for (let i = 0; i < 61; i++)
      await broker.produce('t', [{ key: null, value: String(i).padStart(100, '0') }]);
    // 61 × 164 = 10,004 > 10,000: 16 records go (45 × 164 = 7,380 ≤ 7,500).
    expect((await broker.describeTopic('t')).partitions).toEqual([
      { partition: 0, start: 16, end: 61 },
    ]);
    const got = await drain(c);
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 45 }, (_, i) => 16 + i));
    expect(Number(got[0].value)).toBe(16);
    expect((await broker.groupLag('g', ['t'])).partitions[0]).toMatchObject({
      committed: null,
      lag: 45,
    });
  });
});
