/**
 * slow-page's table keeps a bucket's request times as numbers (a flat buffer, then a pooled
 * block) and makes a sketch only past both: the times it hands on must give the bins a sketch
 * of every time gives, at each tier and across the boundaries, when a slot is taken by a newer
 * bucket (its block goes back to the pool and is lent again) and when a row is freed and reused.
 */
import { describe, expect, it } from 'vitest';
import { slowPageOptions } from '../../src/realtime/detectors/slow-page-options';
import { BUFFERED, SlowPageTable, SPILLED } from '../../src/realtime/detectors/slow-page-table';

const SLOTS = 7;

/** Bin counts by key, and the count. */
function binsOf(sketch: ReturnType<SlowPageTable['newSketch']>): [string, number] {
  const { bins, offset } = sketch.store;
  const keyed: string[] = [];
  bins.forEach((n, i) => {
    if (n > 0) keyed.push(`${i + offset}:${n}`);
  });
  return [keyed.join(' '), sketch.count];
}

/** Request times 1.5, 2.75, … ms, different per bucket, some repeated. */
function timesFor(bucket: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => 1 + ((bucket * 37 + k * 13) % 400) * 1.25);
}

describe('slow-page table', () => {
  const counts = [1, BUFFERED, BUFFERED + 1, BUFFERED + SPILLED, BUFFERED + SPILLED + 1, 300];

  it('hands on the bins of every time, at every tier, as slots are taken by newer buckets', () => {
    const table = new SlowPageTable(SLOTS, slowPageOptions());
    const row = table.rowFor('/product/1');
    // Three times round the ring, so every slot is taken again by buckets of other sizes.
    for (let bucket = 0; bucket < 3 * SLOTS; bucket++) {
      const n = counts[bucket % counts.length];
      const times = timesFor(bucket, n);
      for (const ms of times) table.accept(row, bucket, bucket % SLOTS, ms);
      const got = table.newSketch();
      table.addTo(got, row, bucket, bucket + 1);
      const want = table.newSketch();
      for (const ms of times) want.accept(ms);
      expect(binsOf(got)).toEqual(binsOf(want));
      expect(table.slowest(row, bucket, bucket + 1)).toBe(Math.max(...times));
    }
    // The whole ring at once: the last SLOTS buckets.
    const from = 2 * SLOTS;
    const got = table.newSketch();
    table.addTo(got, row, from, 3 * SLOTS);
    const want = table.newSketch();
    for (let b = from; b < 3 * SLOTS; b++) {
      for (const ms of timesFor(b, counts[b % counts.length])) want.accept(ms);
    }
    expect(binsOf(got)).toEqual(binsOf(want));
  });

  it('gives a freed row a fresh start and its blocks to the next busy bucket', () => {
    const table = new SlowPageTable(SLOTS, slowPageOptions());
    const a = table.rowFor('/a');
    for (const ms of timesFor(0, BUFFERED + 10)) table.accept(a, 0, 0, ms);
    table.remove(a);
    const b = table.rowFor('/b');
    expect(b).toBe(a);
    const times = timesFor(5, BUFFERED + 3);
    for (const ms of times) table.accept(b, 5, 5, ms);
    const got = table.newSketch();
    table.addTo(got, b, 0, 6);
    const want = table.newSketch();
    for (const ms of times) want.accept(ms);
    expect(binsOf(got)).toEqual(binsOf(want));
    expect(table.spilled[b * SLOTS]).toBeNull();
    expect(table.spilled[b * SLOTS + 5]).not.toBeNull();
  });
});
