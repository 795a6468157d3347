/**
 * A map buffer keeps one copy of a value that repeats (value-pool.ts), and its memory estimate
 * counts that copy once: repeated values fill the bound by their slots alone, so a buffer spills
 * later. Values that hardly repeat stop the pool and are counted as before.
 */
import { describe, expect, it } from 'vitest';
import { createJobCounters } from '../../src/batch/counters';
import type { Job } from '../../src/batch/job';
import { MapBuffer, type MemoryBudget } from '../../src/batch/map-buffer';
import { ValuePool } from '../../src/batch/value-pool';

const job: Job = {
  name: 'pairs',
  description: 'every pair as it is',
  columns: [],
  map() {},
  reduce() {},
};

function buffer(): { budget: MemoryBudget; buf: MapBuffer } {
  const budget: MemoryBudget = { used: 0, limit: Number.MAX_SAFE_INTEGER, spillAll() {} };
  return { budget, buf: new MapBuffer(job, 1, budget, '', createJobCounters()) };
}

describe('map buffer value pool', () => {
  it('counts a repeated value once, then its slot for each further use', () => {
    const { budget, buf } = buffer();
    const value = 'x'.repeat(30);
    for (let i = 0; i < 100; i++) buf.emit(`k${i}`, value);
    // 100 keys: 80 each and their 290 characters; the value's string (8 + 32 + 30 + 32) and
    // its pool entry (40) once; 8 for each of the 99 other slots.
    expect(budget.used).toBe(100 * 80 + 290 + 102 + 40 + 99 * 8);
    expect(buf.drain()).toEqual([
      Array.from({ length: 100 }, (_, i) => `k${i}`)
        .sort()
        .map((k) => `${k}\t${value}\n`)
        .join(''),
    ]);
  });

  it('stops pooling values that hardly repeat, and counts each as before', () => {
    const pool = new ValuePool();
    const values = Array.from({ length: 5000 }, (_, i) => `1700000${String(i).padStart(6, '0')}`);
    for (const v of values.slice(0, 4095)) pool.own(v);
    expect(pool.holds(values[0])).toBe(true);
    pool.own(values[4095]);
    expect(pool.holds(values[0])).toBe(false);
    expect(pool.own(values[0])).toBe(values[0]);
    expect([pool.found, pool.added]).toEqual([false, false]);
  });

  it('keeps pooling values that repeat', () => {
    const pool = new ValuePool();
    for (let i = 0; i < 10_000; i++) pool.own(`agent ${i % 100} of the day`);
    expect(pool.own('agent 7 of the day')).toBe('agent 7 of the day');
    expect([pool.found, pool.added]).toEqual([true, false]);
    expect(pool.holds('agent 99 of the day')).toBe(true);
    pool.clear();
    expect(pool.holds('agent 99 of the day')).toBe(false);
  });
});
