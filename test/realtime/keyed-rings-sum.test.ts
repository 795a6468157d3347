/** Window sums of the keyed tables: every range, across the ring's wrap, as bucket by bucket. */
import { describe, expect, it } from 'vitest';
import { CHUNK_ROWS, KeyedRings } from '../../src/realtime/keyed-rings';

describe('KeyedRings sum', () => {
  it('equals the buckets added one by one over every range, as the ring wraps', () => {
    const rings = new KeyedRings(7, 2);
    const a = rings.rowFor('a');
    const b = rings.rowFor('b');
    for (let bucket = 0; bucket < 40; bucket++) {
      rings.add(a, bucket, 0, bucket + 1);
      rings.add(a, bucket, 1, 2 * bucket);
      if (bucket % 3 === 0) rings.add(b, bucket, 0, 5);
      for (let from = Math.max(0, bucket - 9); from <= bucket + 1; from++) {
        for (let to = from; to <= bucket + 2; to++) {
          let expected = 0;
          for (let k = Math.max(from, bucket - 6, 0); k < Math.min(to, bucket + 1); k++) {
            expected += k + 1;
          }
          expect(rings.sum(a, 0, from, to)).toBe(expected);
        }
      }
    }
    // Buckets 34..39 held, of which 34 and 37 were written for b (36 and 39 are multiples of 3 too).
    expect(rings.sum(b, 0, 30, 40)).toBe(15);
    expect(rings.sum(a, 1, 38, 40)).toBe(2 * 38 + 2 * 39);
  });

  it('sums a window that reaches back before bucket 0 over the buckets from 0', () => {
    const rings = new KeyedRings(7, 1);
    const a = rings.rowFor('a');
    rings.add(a, 0, 0, 4);
    rings.add(a, 2, 0, 5);
    expect(rings.sum(a, 0, -5, 3)).toBe(9);
    expect(rings.sum(a, 0, -3, 1)).toBe(4);
    expect(rings.sum(a, 0, -3, 0)).toBe(0);
  });

  it('keeps each key its own counters across chunks of rows, and a reused row starts empty', () => {
    const rings = new KeyedRings(5, 2);
    const keys = 3 * CHUNK_ROWS + 17;
    for (let k = 0; k < keys; k++) {
      const row = rings.rowFor(`key-${k}`);
      rings.add(row, 10, 0, k);
      rings.add(row, 11, 1, k + 1);
    }
    expect(rings.chunks.length).toBe(4);
    for (const k of [0, CHUNK_ROWS - 1, CHUNK_ROWS, 2 * CHUNK_ROWS + 5, keys - 1]) {
      const row = rings.rowOf(`key-${k}`);
      expect([rings.sum(row, 0, 10, 12), rings.sum(row, 1, 10, 12)]).toEqual([k, k + 1]);
      expect([rings.total(row, 0), rings.get(row, 1, 11), rings.last[row]]).toEqual([k, k + 1, 11]);
    }
    // A row freed in the second chunk goes to the next new key, with nothing of the old one.
    const freed = rings.rowOf(`key-${CHUNK_ROWS + 3}`);
    rings.remove(freed);
    const reused = rings.rowFor('newcomer');
    expect(reused).toBe(freed);
    expect([rings.total(reused, 0), rings.total(reused, 1), rings.sum(reused, 1, 0, 20)]).toEqual([
      0, 0, 0,
    ]);
    rings.add(reused, 12, 0, 7);
    expect(rings.sum(reused, 0, 8, 13)).toBe(7);
    expect(rings.sum(rings.rowOf(`key-${CHUNK_ROWS + 4}`), 0, 8, 13)).toBe(CHUNK_ROWS + 4);
  });
});
