/**
 * Bucket rings for many keys, stored as rows of flat typed arrays instead of one object per key.
 *
 * Each key gets a row: `slots × channels` counters (bucket b of the key lives in slot b mod
 * slots), one running total per channel, and the newest bucket written (`last`). A map turns the
 * key into its row. Compared with an object and a typed array per key this saves the per-object
 * bookkeeping (a hundred bytes or more per key) and two dependent memory loads per record, and a
 * window close walks the rows in order through contiguous memory. Rows of evicted keys are
 * reused, and the tables never shrink below the most keys live at once.
 *
 * The counters are kept in chunks of `CHUNK_ROWS` rows, added one at a time as keys arrive, not
 * in one array grown by doubling: growing copied the old array into one twice its size, and the
 * old one stayed resident until a full garbage collection. For the slow-scan table (504 bytes a
 * row) at 100,000 addresses that was 33 MB held twice at the moment of the last growth, about 20
 * MB of the engine's peak RSS in the memory check of bench/realtime.ts.
 *
 * Semantics per row are those of BucketRing (bucket-ring.ts).
 */
/**
 * A copy of `text` that holds its own characters, as one flat string. A parser's fields are
 * slices of the line (and the line may be a slice of a whole chunk read from a file): kept as a
 * map key, the slice would keep all of that alive for as long as the key lives. V8 shares
 * characters only for slices of 13 characters or more, and joining an array of strings writes
 * their characters into a new flat string. Flat matters as much: a map compares the key looked
 * up with a key it holds in line when both are flat, and through a call into the runtime when
 * either is a slice. The copy this replaced, a slice of a concatenation, was a slice: on a
 * generated day with every detector the address and URL lookups took about one and a half times
 * as long as they take now. Paid once per new key.
 */
export function detached(text: string): string {
  return text.length < 13 ? text : [text.slice(0, 1), text.slice(1)].join('');
}

/** Rows per chunk of counters (a power of two: a row's chunk is `row >>> CHUNK_SHIFT`). */
const CHUNK_SHIFT = 10;
export const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const IN_CHUNK = CHUNK_ROWS - 1;

export class KeyedRings {
  readonly slots: number;
  readonly channels: number;
  /** Integers per row: the counters, then one total per channel. */
  readonly stride: number;
  private readonly totalsAt: number;
  private readonly rows = new Map<string, number>();
  /** The key of each row; null for a free row. */
  keys: (string | null)[] = [];
  /** Newest bucket written per row; −1 for none yet. */
  last: Int32Array;
  /** Row r's counters are `chunks[r >>> CHUNK_SHIFT]` from `(r & (CHUNK_ROWS - 1)) * stride`. */
  chunks: Int32Array[] = [];
  /** Rows below this may be in use: iterate `for (row = 0; row < end; row++)`. */
  end = 0;
  private free: number[] = [];
  private lastKey: string | null = null;
  private lastRow = -1;

  constructor(slots: number, channels: number, initialRows = 256) {
    this.slots = slots;
    this.channels = channels;
    this.totalsAt = slots * channels;
    this.stride = slots * channels + channels;
    this.last = new Int32Array(initialRows);
  }

  /** Keys that hold a row. */
  size(): number {
    return this.rows.size;
  }

  /** The key's row, or −1. */
  rowOf(key: string): number {
    return this.rows.get(key) ?? -1;
  }

  /** The key's row, made (empty) when the key has none. */
  rowFor(key: string): number {
    // Records of one client often come in runs; the same string object is the same key, and
    // comparing object identity is cheaper than the map's hash-and-compare.
    if (key === this.lastKey) return this.lastRow;
    let row = this.rows.get(key);
    if (row === undefined) row = this.open(key);
    this.lastKey = key;
    this.lastRow = row;
    return row;
  }

  private open(key: string): number {
    let row = -1;
    while (this.free.length > 0) {
      const candidate = this.free.pop() as number;
      if (candidate < this.end) {
        row = candidate;
        break;
      }
    }
    if (row < 0) {
      row = this.end++;
      if (row >= this.last.length) this.grow();
    }
    const own = this.ownKey(key);
    this.rows.set(own, row);
    this.keys[row] = own;
    this.last[row] = -1;
    const base = (row & IN_CHUNK) * this.stride;
    this.chunkOf(row).fill(0, base, base + this.stride);
    this.opened(row);
    return row;
  }

  /** The copy of a new key that its row keeps; a subclass may know one made before. */
  protected ownKey(key: string): string {
    return detached(key);
  }

  /** Called when a row is given to a new key: subclasses reset their per-row fields here. */
  protected opened(_row: number): void {}

  /** Called after the arrays grew to `rows` rows: subclasses grow their own flat arrays here. */
  protected grown(_rows: number): void {}

  /** Free a key's row. */
  remove(row: number): void {
    const key = this.keys[row];
    if (key === null || key === undefined) return;
    this.rows.delete(key);
    this.keys[row] = null;
    this.free.push(row);
    if (row === this.lastRow) this.lastKey = null;
  }

  /** Forget free rows at the end, so walks stop at the newest live row. */
  trim(): void {
    while (this.end > 0 && this.keys[this.end - 1] === null) this.end--;
  }

  private grow(): void {
    // The per-row arrays of four bytes (here and in subclasses) still double: 400 kB at
    // 100,000 rows.
    const rows = this.last.length * 2;
    const last = new Int32Array(rows);
    last.set(this.last);
    this.last = last;
    this.grown(rows);
  }

  /** The chunk of counters that holds a row, made when it is the first row of a new chunk. */
  chunkOf(row: number): Int32Array {
    const at = row >>> CHUNK_SHIFT;
    while (this.chunks.length <= at) this.chunks.push(new Int32Array(CHUNK_ROWS * this.stride));
    return this.chunks[at];
  }

  /** The chunk of counters of an open row (its counters start at `baseOf(row)`). */
  countsOf(row: number): Int32Array {
    return this.chunks[row >>> CHUNK_SHIFT];
  }

  /** Where a row starts in its chunk. */
  baseOf(row: number): number {
    return (row & IN_CHUNK) * this.stride;
  }

  /** Rows the arrays have room for. */
  capacity(): number {
    return this.last.length;
  }

  /** Add `n` to `channel` of `bucket` (≥ 0) in a row. */
  add(row: number, bucket: number, channel: number, n: number): void {
    this.addAt(row, bucket, bucket % this.slots, channel, n);
  }

  /** add() with the bucket's slot (bucket mod slots) already known: one division per record. */
  addAt(row: number, bucket: number, slot: number, channel: number, n: number): void {
    const last = this.last[row];
    const counts = this.chunks[row >>> CHUNK_SHIFT];
    const base = (row & IN_CHUNK) * this.stride;
    if (bucket > last) this.moveTo(row, counts, base, last, bucket);
    else if (bucket <= last - this.slots) return;
    counts[base + slot * this.channels + channel] += n;
    counts[base + this.totalsAt + channel] += n;
  }

  private moveTo(
    row: number,
    counts: Int32Array,
    base: number,
    last: number,
    bucket: number,
  ): void {
    const c = this.channels;
    this.last[row] = bucket;
    if (last < 0 || bucket - last >= this.slots) {
      counts.fill(0, base, base + this.stride);
      return;
    }
    const totals = base + this.totalsAt;
    for (let b = last + 1; b <= bucket; b++) {
      const at = base + (b % this.slots) * c;
      for (let k = 0; k < c; k++) {
        counts[totals + k] -= counts[at + k];
        counts[at + k] = 0;
      }
    }
  }

  /** Sum of `channel` over buckets [from, to) of a row. */
  sum(row: number, channel: number, from: number, to: number): number {
    const last = this.last[row];
    // Buckets before 0 are never written (add takes buckets ≥ 0): a window reaching back past
    // them sums what the ring holds from bucket 0.
    const lo = Math.max(from, last - this.slots + 1, 0);
    const hi = Math.min(to - 1, last);
    const counts = this.chunks[row >>> CHUNK_SHIFT];
    const base = (row & IN_CHUNK) * this.stride + channel;
    const slots = this.slots;
    let total = 0;
    // One division for the first slot, not one per bucket: the walks at each close sum a window
    // or two per live key, and an integer division costs as much as the rest of a bucket's step.
    for (let b = lo, slot = lo % slots; b <= hi; b++) {
      total += counts[base + slot * this.channels];
      if (++slot === slots) slot = 0;
    }
    return total;
  }

  /** The count of `channel` in one bucket of a row (0 when the ring does not hold it). */
  get(row: number, channel: number, bucket: number): number {
    const last = this.last[row];
    if (bucket > last || bucket <= last - this.slots || bucket < 0) return 0;
    return this.chunks[row >>> CHUNK_SHIFT][
      (row & IN_CHUNK) * this.stride + (bucket % this.slots) * this.channels + channel
    ];
  }

  /** The sum of `channel` over every bucket a row holds: a bound for any window's count. */
  total(row: number, channel: number): number {
    return this.chunks[row >>> CHUNK_SHIFT][
      (row & IN_CHUNK) * this.stride + this.totalsAt + channel
    ];
  }
}
