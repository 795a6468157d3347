/** The one min-heap: order by number, ties by the given rule, and replaceTop as pop + push. */
import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/generate/random';
import { MinHeap } from '../src/min-heap';

describe('MinHeap', () => {
  it('pops in order of the numbers, growing past its first capacity', () => {
    const heap = new MinHeap<number>();
    const random = createRandom(7);
    const keys = Array.from({ length: 500 }, () => Math.floor(random.next() * 1000));
    for (const k of keys) heap.push(k, k);
    expect(heap.size).toBe(500);
    expect(heap.minKey()).toBe(Math.min(...keys));
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop() as number);
    expect(out).toEqual([...keys].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
    expect(heap.minKey()).toBe(Number.POSITIVE_INFINITY);
  });

  it('breaks ties between equal numbers with the given rule', () => {
    const heap = new MinHeap<string>((a, b) => a < b);
    for (const [end, key] of [
      [5, 'b'],
      [3, 'z'],
      [5, 'a'],
      [3, 'c'],
      [5, 'c'],
    ] as const)
      heap.push(end, key);
    const out: string[] = [];
    while (heap.size > 0) {
      const end = heap.minKey();
      out.push(`${end}${heap.pop()}`);
    }
    expect(out).toEqual(['3c', '3z', '5a', '5b', '5c']);
  });

  it('replaceTop gives the order of a pop followed by a push', () => {
    const a = new MinHeap<string>();
    const b = new MinHeap<string>();
    for (const [k, v] of [
      [1, 'one'],
      [4, 'four'],
      [2, 'two'],
      [8, 'eight'],
    ] as const) {
      a.push(k, v);
      b.push(k, v);
    }
    a.replaceTop(6, 'six');
    b.pop();
    b.push(6, 'six');
    const drain = (h: MinHeap<string>) => {
      const out: string[] = [];
      while (h.size > 0) out.push(h.pop() as string);
      return out;
    };
    expect(drain(a)).toEqual(['two', 'four', 'six', 'eight']);
    expect(drain(b)).toEqual(['two', 'four', 'six', 'eight']);
  });
});
