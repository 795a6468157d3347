/**
 * slow-page's state: per URL, timed requests per one-minute bucket and their times, and per URL
 * a baseline (the detector and its decisions are in slow-page.ts). The rows are those of the
 * URL table error-spike uses (UrlTable): the timed requests are a third channel of the URL's
 * row, so a record costs one URL lookup, and a URL asked for once in a while is opened, walked
 * and evicted once for both detectors. (As separate tables, a tenth of a generated day's records
 * opened a row in each, and a close walked both.)
 *
 * Why the times of a bucket are first kept as plain numbers: most URLs of a site are asked for a
 * few times a minute, and a one-off path (a scanner's probe, a typo) once. A DDSketch per URL
 * per bucket costs an object and a growing array (about 2 KB) and its creation and merges were
 * most of the detector's time. A bucket keeps its first BUFFERED times in a flat typed array,
 * row-major like the counters, and its next SPILLED in a block lent from a pool; only a bucket
 * with more requests than both gets a sketch (the kept times go into it).
 *
 * Why the pooled block: a sketch lives as long as its bucket is in the ring (seven minutes), long
 * enough to outlive V8's young generation, so every sketch made was old-generation garbage a
 * few minutes later; at 10M lines a day hundreds were made a minute, and the heap that V8 grew
 * to hold that garbage was most of `loglab detect`'s peak RSS. The blocks are reused, never
 * freed, so they make no garbage; they are lent only to buckets of more than BUFFERED requests,
 * so a URL asked for once (a probe) still costs BUFFERED numbers per slot. Memory per URL row:
 * slots × (BUFFERED + 1) numbers and three counts per slot (requests, 5xx, timed), about 600
 * bytes at seven slots, plus per busy slot one block of SPILLED numbers (448 bytes) or a sketch of
 * at most `maxBins` bins; the pool holds at most as many blocks as slots were busy at once. A
 * URL row costs the numbers even when its records carry no request time (combined and common
 * logs): a site has thousands of URLs, not hundreds of thousands like addresses. Times merged as
 * numbers or through a sketch give the same bins, so the quantiles, and every verdict, are those
 * of a sketch per bucket. A window is merged into a sketch only when it might hold (its
 * slowest request reaches the limit) or its URL has an alert open. The times are 64-bit: a
 * 32-bit copy of 181.398 ms falls in the sketch bin below the one 181.398 does.
 *
 * Baselines are found by URL in a map and kept in a list in least-recently-learned order
 * (learning or holding a URL moves it to the tail: a few pointer writes, where a delete and a set
 * on the map were a twentieth of the detector's time); each row points at its URL's, so a close
 * looks up no URL; past `maxUrls` the head is dropped. A baseline is made only from a window of
 * at least `minRequests` timed requests, so one-off paths never take one. Its threshold is found
 * when a judged window needs it and the sketch changed since.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import type { Alert } from '../alert';
import { UrlTable } from './error-spike';
import { valueAtQuantile, valueAtRank } from './sketch-quantile';
import type { SlowPageOptions } from './slow-page-options';

export type Sketch = LogCollapsingLowestDenseDDSketch;

/** Request times a bucket keeps in the flat array. */
export const BUFFERED = 8;
/**
 * Further request times a bucket keeps as numbers, in a block lent from the table's pool, before
 * it gets a sketch: a busy URL's bucket first fills the flat buffer, then a block.
 */
export const SPILLED = 56;

/** The channel of a URL's row that counts its timed requests (after requests and 5xx). */
export const PAGE_TIMED = 2;

export interface Baseline {
  readonly key: string;
  sketch: Sketch;
  /** ratio × the sketch's quantile; NaN when the sketch changed since it was computed. */
  threshold: number;
  /**
   * A bound the threshold cannot fall below while the sketch holds at most `floorUntil`
   * requests (see thresholdOf); 0 when there is none.
   */
  floor: number;
  floorUntil: number;
  /** Buckets in a row kept out of it while an alert was open or the window held. */
  held: number;
  /** Those buckets: the level that becomes the baseline when the hold lasts holdBuckets. */
  heldLevel: Sketch | null;
  /** Dropped past maxUrls: rows holding it let go of it. */
  dropped: boolean;
  /** Neighbours in least-recently-learned order (null at the ends). */
  older: Baseline | null;
  newer: Baseline | null;
}

/** Fill an array with null up to `length` (kept dense: no holes to look past on a read). */
function withNulls<T>(array: (T | null)[], length: number): void {
  while (array.length < length) array.push(null);
}

export class SlowPageTable extends UrlTable {
  /** The open slow-page alert per row (`alert` is error-spike's). */
  pageAlert: (Alert | null)[] = [];
  /**
   * Row-major, `slots` per row: the sketch of the bucket in that slot, or null. It holds the
   * slot's bucket when that bucket has more than BUFFERED requests (then it was made for it).
   */
  sketches: (Sketch | null)[] = [];
  /** Row-major, `slots` per row: the block holding the slot's times past BUFFERED, or null. */
  spilled: (Float64Array | null)[] = [];
  /** Blocks not lent to any slot. */
  private readonly blocks: Float64Array[] = [];
  /** Row-major, `slots × BUFFERED` per row: the first request times of each slot's bucket. */
  times: Float64Array;
  /** Row-major, `slots` per row: the slowest request time of each slot's bucket. */
  slowestIn: Float64Array;
  readonly baselines = new Map<string, Baseline>();
  /** The least and the most recently learned baseline. */
  private oldest: Baseline | null = null;
  private newest: Baseline | null = null;
  /** Each row's URL's baseline, so a close needs no map lookup per URL. */
  rowBaseline: (Baseline | null)[] = [];
  private readonly o: SlowPageOptions;

  constructor(slots: number, o: SlowPageOptions) {
    super(slots, 3);
    this.o = o;
    withNulls(this.sketches, this.capacity() * slots);
    withNulls(this.spilled, this.capacity() * slots);
    this.times = new Float64Array(this.capacity() * slots * BUFFERED);
    this.slowestIn = new Float64Array(this.capacity() * slots);
  }

  /** The baseline of the key being given a row (ownKey looks it up, opened stores it). */
  private opening: Baseline | null = null;

  protected override ownKey(key: string): string {
    // A URL with a baseline comes back: its baseline kept the copy of its key made the first time.
    const baseline = this.baselines.get(key) ?? null;
    this.opening = baseline;
    return baseline === null ? super.ownKey(key) : baseline.key;
  }

  protected override opened(row: number): void {
    super.opened(row);
    this.pageAlert[row] = null;
    this.rowBaseline[row] = this.opening;
    this.opening = null;
    // The row's sketch and block slots are null already: remove() cleared them, or the arrays
    // grew with nulls (withNulls).
  }

  /** Give a slot's block back to the pool. */
  private release(i: number): void {
    const block = this.spilled[i];
    if (block === null || block === undefined) return;
    this.blocks.push(block);
    this.spilled[i] = null;
  }

  protected override grown(rows: number): void {
    withNulls(this.sketches, rows * this.slots);
    withNulls(this.spilled, rows * this.slots);
    const times = new Float64Array(rows * this.slots * BUFFERED);
    times.set(this.times);
    this.times = times;
    const slowestIn = new Float64Array(rows * this.slots);
    slowestIn.set(this.slowestIn);
    this.slowestIn = slowestIn;
  }

  newSketch(): Sketch {
    return new LogCollapsingLowestDenseDDSketch({
      relativeAccuracy: this.o.relativeAccuracy,
      binLimit: this.o.maxBins,
    });
  }

  /** Count one request time (ms) of `bucket` in a row; a bucket the ring no longer holds is dropped. */
  accept(row: number, bucket: number, slot: number, ms: number): void {
    if (bucket <= this.last[row] - this.slots) return;
    this.addAt(row, bucket, slot, PAGE_TIMED, 1);
    const n = this.countsOf(row)[this.baseOf(row) + slot * this.channels + PAGE_TIMED];
    const i = row * this.slots + slot;
    if (n === 1) {
      this.slowestIn[i] = ms;
      // A new bucket in the slot: the older bucket's sketch and block are done with.
      this.sketches[i] = null;
      this.release(i);
    } else if (ms > this.slowestIn[i]) this.slowestIn[i] = ms;
    if (n <= BUFFERED) {
      this.times[i * BUFFERED + n - 1] = ms;
      return;
    }
    if (n <= BUFFERED + SPILLED) {
      let block = this.spilled[i];
      if (block === null || block === undefined) {
        block = this.blocks.pop() ?? new Float64Array(SPILLED);
        this.spilled[i] = block;
      }
      block[n - BUFFERED - 1] = ms;
      return;
    }
    if (n === BUFFERED + SPILLED + 1) this.promote(i);
    (this.sketches[i] as Sketch).accept(ms);
  }

  /** A slot's bucket outgrew its buffer and block: a sketch of the kept times. */
  private promote(i: number): void {
    const sketch = this.newSketch();
    for (let k = i * BUFFERED; k < (i + 1) * BUFFERED; k++) sketch.accept(this.times[k]);
    for (const ms of this.spilled[i] as Float64Array) sketch.accept(ms);
    this.release(i);
    this.sketches[i] = sketch;
  }

  /** The slowest request time of buckets [from, to) of a row (0 for none). */
  slowest(row: number, from: number, to: number): number {
    // The buckets the ring holds (as get() reads them), slot by slot with one division.
    const last = this.last[row];
    const lo = Math.max(from, last - this.slots + 1, 0);
    const hi = Math.min(to - 1, last);
    const counts = this.countsOf(row);
    const base = this.baseOf(row) + PAGE_TIMED;
    const first = row * this.slots;
    let max = 0;
    for (let b = lo, slot = lo % this.slots; b <= hi; b++) {
      if (counts[base + slot * this.channels] !== 0) {
        const at = this.slowestIn[first + slot];
        if (at > max) max = at;
      }
      if (++slot === this.slots) slot = 0;
    }
    return max;
  }

  /** Add the request times of buckets [from, to) of a row to `target`. */
  addTo(target: Sketch, row: number, from: number, to: number): void {
    // The buckets the ring holds (as get() reads them), slot by slot with one division.
    const last = this.last[row];
    const lo = Math.max(from, last - this.slots + 1, 0);
    const hi = Math.min(to - 1, last);
    const counts = this.countsOf(row);
    const base = this.baseOf(row) + PAGE_TIMED;
    let slot = lo % this.slots;
    for (let b = lo; b <= hi; b++) {
      const i = row * this.slots + slot;
      const n = counts[base + slot * this.channels];
      if (++slot === this.slots) slot = 0;
      if (n === 0) continue;
      if (n > BUFFERED + SPILLED) {
        target.merge(this.sketches[i] as Sketch);
        continue;
      }
      for (let k = i * BUFFERED; k < i * BUFFERED + Math.min(n, BUFFERED); k++) {
        target.accept(this.times[k]);
      }
      const block = this.spilled[i];
      for (let k = 0; k < n - BUFFERED; k++) target.accept((block as Float64Array)[k]);
    }
  }

  override remove(row: number): void {
    super.remove(row);
    this.rowBaseline[row] = null;
    this.sketches.fill(null, row * this.slots, (row + 1) * this.slots);
    for (let i = row * this.slots; i < (row + 1) * this.slots; i++) this.release(i);
  }

  /**
   * The URL's threshold (ratio × its baseline's quantile), or NaN while it has too few requests.
   *
   * Found again after every change of the sketch, and with it a floor: m more requests raise the
   * rank of the quantile, q(count − 1), by q·m and put at most m more requests below any key, so
   * the quantile stays at or above the value at rank q(count − 1) − (1 − q)·M while m ≤ M. With
   * M = count / 32 the floor holds for a while and is a bin or two below the quantile: a window
   * whose slowest request is below it cannot hold, and needs no threshold at all (belowFloor).
   */
  thresholdOf(baseline: Baseline | null): number {
    if (baseline === null || baseline.sketch.count < this.o.minBaseline) return Number.NaN;
    if (Number.isNaN(baseline.threshold)) {
      const { sketch } = baseline;
      const q = this.o.quantile;
      baseline.threshold = this.o.ratio * valueAtQuantile(sketch, q);
      const slack = Math.ceil(sketch.count / 32);
      const low = valueAtRank(sketch, q * (sketch.count - 1) - (1 - q) * slack);
      baseline.floor = Number.isNaN(low) ? 0 : this.o.ratio * low;
      baseline.floorUntil = sketch.count + slack;
    }
    return baseline.threshold;
  }

  /** True when `ms` is below a floor of the baseline's threshold (thresholdOf). */
  belowFloor(baseline: Baseline, ms: number): boolean {
    return ms < baseline.floor && baseline.sketch.count <= baseline.floorUntil;
  }

  /** The baseline of a row's URL, or null. */
  baselineOf(row: number): Baseline | null {
    const baseline = this.rowBaseline[row];
    if (baseline === null || baseline === undefined || !baseline.dropped) return baseline ?? null;
    this.rowBaseline[row] = null;
    return null;
  }

  /** Put a baseline at the tail of the list (most recently learned). */
  private used(baseline: Baseline): void {
    if (this.newest === baseline) return;
    this.unlink(baseline);
    baseline.older = this.newest;
    if (this.newest !== null) this.newest.newer = baseline;
    else this.oldest = baseline;
    this.newest = baseline;
  }

  private unlink(baseline: Baseline): void {
    const { older, newer } = baseline;
    if (older !== null) older.newer = newer;
    else if (this.oldest === baseline) this.oldest = newer;
    if (newer !== null) newer.older = older;
    else if (this.newest === baseline) this.newest = older;
    baseline.older = null;
    baseline.newer = null;
  }

  /**
   * Add final buckets [from, to) of a row to its URL's baseline, made only when `make` (the
   * window had enough requests); past maxUrls the least recently learned baseline is dropped.
   */
  learn(row: number, from: number, to: number, make: boolean): void {
    let baseline = this.baselineOf(row);
    if (baseline === null) {
      if (!make) return;
      const dropped = this.oldest;
      if (this.baselines.size >= this.o.maxUrls && dropped !== null) {
        this.unlink(dropped);
        this.baselines.delete(dropped.key);
        dropped.dropped = true;
      }
      const key = this.keys[row] as string;
      baseline = {
        key,
        sketch: this.newSketch(),
        threshold: Number.NaN,
        floor: 0,
        floorUntil: 0,
        held: 0,
        heldLevel: null,
        dropped: false,
        older: null,
        newer: null,
      };
      this.baselines.set(key, baseline);
      this.rowBaseline[row] = baseline;
    }
    this.used(baseline);
    this.addTo(baseline.sketch, row, from, to);
    baseline.threshold = Number.NaN;
    baseline.held = 0;
    baseline.heldLevel = null;
  }

  /**
   * Keep final buckets [from, to) of a row out of its URL's baseline, aside as the held level;
   * once holdBuckets buckets were held, that level is the baseline (a lasting change is the new
   * normal). A held URL counts as recently learned, so others do not push its baseline out.
   */
  hold(row: number, from: number, to: number): void {
    const baseline = this.baselineOf(row);
    if (baseline === null) return;
    this.used(baseline);
    if (to > from && this.sum(row, PAGE_TIMED, from, to) > 0) {
      if (baseline.heldLevel === null) baseline.heldLevel = this.newSketch();
      this.addTo(baseline.heldLevel, row, from, to);
    }
    baseline.held += to - from;
    if (baseline.held < this.o.holdBuckets) return;
    const level = baseline.heldLevel;
    if (level !== null && level.count >= this.o.minBaseline) {
      baseline.sketch = level;
      baseline.floor = 0;
    } else if (level !== null) baseline.sketch.merge(level);
    baseline.threshold = Number.NaN;
    baseline.held = 0;
    baseline.heldLevel = null;
  }
}
