/**
 * A partition the reader no longer owns leaves the merge: it stops holding the others back, and
 * what was held of it is dropped (the new owner reads it again), not released out of order.
 */
import { describe, expect, it } from 'vitest';
import { PartitionMerge } from '../../src/realtime/partition-merge';

describe('PartitionMerge.forget', () => {
  it('stops a forgotten partition holding the others back, and drops what it held of it', () => {
    const merge = new PartitionMerge<string>(1_000_000, 1000, () => 0);
    for (let i = 0; i < 5; i++) merge.add(0, `a${i}`, 100 + i * 10, i);
    merge.delivered(0, true);
    for (let i = 0; i < 3; i++) merge.add(1, `b${i}`, 100 + i * 5, i);
    merge.delivered(1, true);
    const out: string[] = [];
    // Partition 1 is behind at 110: partition 0 is released up to there.
    merge.release((x) => out.push(x));
    expect(out).toEqual(['a0', 'b0', 'b1', 'a1', 'b2']);
    expect([merge.held(), merge.heldFrom(0), merge.heldFrom(1)]).toEqual([3, 2, null]);
    // The group takes partition 1 away: partition 0 goes on alone.
    expect(merge.forget(1)).toBe(0);
    expect(merge.isBehind(1)).toBe(false);
    merge.release((x) => out.push(x));
    expect(out).toEqual(['a0', 'b0', 'b1', 'a1', 'b2', 'a2', 'a3', 'a4']);
    expect(merge.held()).toBe(0);
    // Given back, it starts afresh; a record of it newer than partition 0 (active at 140) is
    // held, and dropped when it is taken away again.
    merge.add(1, 'b3', 200, 3);
    merge.delivered(1, false);
    merge.release((x) => out.push(x));
    expect([merge.held(), merge.heldFrom(1)]).toEqual([1, 3]);
    expect(merge.forget(1)).toBe(1);
    expect([merge.held(), merge.heldFrom(1), merge.forget(7)]).toEqual([0, null, 0]);
    merge.drain((x) => out.push(x));
    expect(out).toEqual(['a0', 'b0', 'b1', 'a1', 'b2', 'a2', 'a3', 'a4']);
  });
});
