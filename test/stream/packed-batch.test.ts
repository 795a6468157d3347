import { describe, expect, it } from 'vitest';
import type { ConsumedRecord, RecordBatch } from '../../src/stream/broker';
import { packBatch, transferList, unpackRecords } from '../../src/stream/packed-batch';

function record(
  offset: number,
  key: string | null,
  value: string,
  headers?: Record<string, string>,
) {
  return {
    topic: 't',
    partition: 3,
    offset,
    key,
    value: Buffer.from(value, 'utf8'),
    timestamp: 1_700_000_000_000 + offset,
    headers,
  } satisfies ConsumedRecord<Buffer>;
}

const batch: RecordBatch<Buffer> = {
  topic: 't',
  partition: 3,
  highWatermark: 17,
  records: [
    record(10, '10.0.0.1', 'GET / 200'),
    record(11, null, ''),
    record(12, 'ключ', 'déjà vu ✓', { source: 'x' }),
    record(13, '10.0.0.2', 'last'),
  ],
};

describe('packed batches', () => {
  it('give back every record as it was, values as text or bytes', () => {
    const packed = packBatch(batch);
    expect(packed.count).toBe(4);
    const text = unpackRecords(packed, 0, 4, 'string');
    expect(text).toEqual(batch.records.map((r) => ({ ...r, value: r.value.toString('utf8') })));
    const bytes = unpackRecords(packed, 0, 4, 'buffer');
    expect(bytes.map((r) => Buffer.from(r.value as Buffer).toString('hex'))).toEqual(
      batch.records.map((r) => r.value.toString('hex')),
    );
  });

  it('give back any slice of the records, keys after a null one included', () => {
    const packed = packBatch(batch);
    const tail = unpackRecords(packed, 2, 4, 'string');
    expect(tail.map((r) => [r.offset, r.key, r.value, r.headers])).toEqual([
      [12, 'ключ', 'déjà vu ✓', { source: 'x' }],
      [13, '10.0.0.2', 'last', undefined],
    ]);
    expect(unpackRecords(packed, 1, 2, 'string')[0]).toMatchObject({
      offset: 11,
      key: null,
      value: '',
    });
  });

  it('own every buffer they transfer (none is a slice of a shared pool)', () => {
    const packed = packBatch(batch);
    const buffers = transferList(packed);
    expect(buffers).toHaveLength(6);
    expect(new Set(buffers).size).toBe(6);
    expect(packed.values.byteLength).toBe(packed.values.buffer.byteLength);
    expect(packed.headers).toEqual([undefined, undefined, { source: 'x' }, undefined]);
    expect(packBatch({ ...batch, records: batch.records.slice(0, 2) }).headers).toBeNull();
  });
});
