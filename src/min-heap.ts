/**
 * The one binary min-heap of the library: items ordered by a number (a due time, a window's
 * end), with an optional tie-break between items of equal number. The traffic model asks "which
 * session acts next?" once per line and the sliding window asks "which timer fires next?" per
 * advance, so both are hot paths: keys live in a Float64Array beside the items, and sifting
 * compares numbers in one flat array instead of loading a property from each object; the
 * tie-break runs only when two numbers are equal.
 *
 * Shared by stages that do not import each other (generate, realtime), so it sits beside
 * errors.ts rather than in either.
 */
export class MinHeap<T> {
  private items: T[] = [];
  private keys = new Float64Array(64);
  private n = 0;

  /** `before(a, b)`: a comes out first when their numbers are equal (none: either may). */
  constructor(private readonly before?: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.n;
  }

  /** The smallest number, or +Infinity when empty. */
  minKey(): number {
    return this.n > 0 ? this.keys[0] : Number.POSITIVE_INFINITY;
  }

  /** The item with the smallest number, or undefined when empty. */
  peek(): T | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  push(key: number, item: T): void {
    if (this.n === this.keys.length) {
      const grown = new Float64Array(this.n * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const keys = this.keys;
    const items = this.items;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(key, item, keys[parent], items[parent])) break;
      keys[i] = keys[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
  }

  /** Put `item` in place of the top (which must have been peeked): one sift instead of two. */
  replaceTop(key: number, item: T): void {
    this.siftDown(key, item, this.n);
  }

  /** Take the item with the smallest number off the heap. */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const top = this.items[0];
    const n = --this.n;
    const last = this.items[n];
    const lastKey = this.keys[n];
    this.items[n] = undefined as unknown as T; // let the item be collected
    if (n > 0) this.siftDown(lastKey, last, n);
    return top;
  }

  private siftDown(key: number, item: T, n: number): void {
    const keys = this.keys;
    const items = this.items;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(keys[r], items[r], keys[l], items[l]) ? r : l;
      if (!this.less(keys[c], items[c], key, item)) break;
      keys[i] = keys[c];
      items[i] = items[c];
      i = c;
    }
    keys[i] = key;
    items[i] = item;
  }

  private less(keyA: number, a: T, keyB: number, b: T): boolean {
    if (keyA !== keyB) return keyA < keyB;
    return this.before?.(a, b) === true;
  }
}
