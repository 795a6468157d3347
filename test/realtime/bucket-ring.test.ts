/** The bounded per-key state: a ring of sub-window buckets with a running total per channel. */
import { describe, expect, it } from 'vitest';
import { BucketRing } from '../../src/realtime/index';

describe('BucketRing', () => {
  it('sums buckets over a range and forgets buckets the ring no longer holds', () => {
    const ring = new BucketRing(4, 2);
    ring.add(10, 0, 1);
    ring.add(11, 0, 2);
    ring.add(11, 1, 5);
    ring.add(13, 0, 4);
    expect(ring.sum(0, 10, 14)).toBe(7);
    expect(ring.sum(0, 11, 13)).toBe(2);
    expect(ring.sum(1, 0, 100)).toBe(5);
    expect([ring.total(0), ring.total(1)]).toEqual([7, 5]);
    ring.add(14, 0, 8); // bucket 10's slot is reused
    expect(ring.get(0, 10)).toBe(0);
    expect(ring.sum(0, 10, 15)).toBe(14);
    expect([ring.total(0), ring.total(1)]).toEqual([14, 5]);
  });

  it('takes an older bucket it still holds and ignores one it no longer holds', () => {
    const ring = new BucketRing(3, 1);
    ring.add(20, 0, 1);
    ring.add(18, 0, 1);
    ring.add(17, 0, 1);
    expect(ring.sum(0, 0, 100)).toBe(2);
    expect(ring.last).toBe(20);
  });

  it('clears everything on a jump longer than the ring', () => {
    const ring = new BucketRing(3, 1);
    ring.add(5, 0, 3);
    ring.add(6, 0, 3);
    ring.add(100, 0, 1);
    expect(ring.sum(0, 0, 101)).toBe(1);
    expect(ring.total(0)).toBe(1);
    // Three slots and the running total.
    expect([...ring.counts].sort()).toEqual([0, 0, 1, 1]);
  });

  it('uses a fixed amount of memory whatever the number of events', () => {
    const ring = new BucketRing(7, 2);
    for (let i = 0; i < 100_000; i++) ring.add(Math.floor(i / 1000), i % 2, 1);
    expect(ring.counts.length).toBe(7 * 2 + 2);
    expect(ring.sum(0, 93, 100)).toBe(3500);
  });
});
