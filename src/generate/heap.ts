/**
 * A binary min-heap on `due`: the traffic model asks "which session acts next?" once per line.
 * Keys live in a Float64Array beside the items, so sifting compares numbers in one flat array
 * instead of loading a property from each object.
 */
export interface Due {
  due: number;
}

export class DueHeap<T extends Due> {
  private items: T[] = [];
  private keys = new Float64Array(64);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The smallest due time, or +Infinity when empty. */
  minDue(): number {
    return this.n > 0 ? this.keys[0] : Number.POSITIVE_INFINITY;
  }

  peek(): T | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  push(item: T): void {
    if (this.n === this.keys.length) {
      const grown = new Float64Array(this.n * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const keys = this.keys;
    const items = this.items;
    const due = item.due;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= due) break;
      keys[i] = keys[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = due;
    items[i] = item;
  }

  /** Put `item` in place of the top (which must have been peeked): one sift instead of two. */
  replaceTop(item: T): void {
    const keys = this.keys;
    const items = this.items;
    const n = this.n;
    const due = item.due;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && keys[r] < keys[l] ? r : l;
      if (keys[c] >= due) break;
      keys[i] = keys[c];
      items[i] = items[c];
      i = c;
    }
    keys[i] = due;
    items[i] = item;
  }

  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const keys = this.keys;
    const items = this.items;
    const top = items[0];
    const n = --this.n;
    const last = items[n];
    const lastDue = keys[n];
    items[n] = undefined as unknown as T; // let the session be collected
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && keys[r] < keys[l] ? r : l;
      if (keys[c] >= lastDue) break;
      keys[i] = keys[c];
      items[i] = items[c];
      i = c;
    }
    keys[i] = lastDue;
    items[i] = last;
    return top;
  }
}
