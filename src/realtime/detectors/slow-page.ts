/**
 * slow-page: a URL (the path without its query) that answers much slower than it usually does.
 * Each closed window, a URL with at least `minRequests` timed requests in it is judged against
 * its own baseline: the condition holds when the window's p95 request time is at least `ratio`
 * times the baseline's p95, and at least `minSlow` of the window's requests are that slow (so
 * one odd request among a handful, which is the p95 of a handful, is not an incident). Records
 * without a request time (`durationMs` null: combined and common logs) are ignored. `observed`
 * is the window's p95 and `threshold` the limit, both in ms.
 *
 * Why a quantile and not the mean: a slow page that only some requests meet (one backend of
 * several, a cache that misses) barely moves the mean of a busy URL but is plain in its p95;
 * and the mean of a right-skewed time is pulled by a few outliers where the p95 is not.
 *
 * What we decided:
 * - The sketch is DDSketch from @datadog/sketches-js, pinned at 2.1.1: Datadog's reference
 *   implementation of the paper's algorithm (Masson, Rim, Lee, VLDB 2019), kept with its Java,
 *   Go and Python siblings, no runtime dependencies. Its quantiles have a relative error bound
 *   (2% here), which is what a ratio against a baseline needs at every scale from a 2 ms image
 *   to a 2 s search, and its merge is exact (bucket counts add up), so five one-minute sketches
 *   merge into the five-minute window without drift. A t-digest (tdigest 0.1.3) bounds the
 *   error in rank, not in value, and merges only approximately; it is also unmaintained since
 *   2017.
 * - Memory per URL is bounded: one sketch per one-minute bucket of the window (only buckets
 *   with timed requests), and one baseline, each a LogCollapsingLowestDenseDDSketch of at most
 *   `maxBins` bins (512 bins at 2% cover 1 µs to hours; a store holds only the bins between its
 *   smallest and largest value, a few dozen for one URL). Baselines outlive their URL's window
 *   state (a page quiet at night keeps its normal); at most `maxUrls` are kept, the oldest
 *   learned dropped first.
 * - The baseline must not learn an incident: a bucket is added to the URL's baseline only once
 *   final (the window that ends with it has closed), and only when that window did not hold and
 *   no alert of the URL is open. A change that lasts more than `holdBuckets` buckets is learned
 *   anyway: it is the new normal. A URL is judged only once its baseline holds `minBaseline`
 *   requests.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import { badFlag } from '../../errors';
import { type Alert, severityOf, trackAlert } from '../alert';
import { KeyedRings } from '../keyed-rings';

export interface SlowPageOptions {
  /** The quantile compared (0.95). */
  quantile: number;
  /** The window's quantile must reach this many times the baseline's. */
  ratio: number;
  /** Timed requests a window needs before its quantile is judged. */
  minRequests: number;
  /** Requests of the window that must reach the limit. */
  minSlow: number;
  /** Requests a URL's baseline must hold before the URL is judged. */
  minBaseline: number;
  /** Buckets an open alert keeps out of the baseline before the new level is learned. */
  holdBuckets: number;
  /** Relative accuracy of the sketches. */
  relativeAccuracy: number;
  /** Bins per sketch at most (the lowest collapse past it). */
  maxBins: number;
  /** URL baselines kept at most. */
  maxUrls: number;
}

export const DEFAULT_SLOW_PAGE: Readonly<SlowPageOptions> = Object.freeze({
  quantile: 0.95,
  ratio: 2.5,
  minRequests: 3,
  minSlow: 3,
  minBaseline: 30,
  holdBuckets: 180,
  relativeAccuracy: 0.02,
  maxBins: 512,
  maxUrls: 10_000,
});

export function slowPageOptions(overrides: Partial<SlowPageOptions> = {}): SlowPageOptions {
  const o = { ...DEFAULT_SLOW_PAGE, ...overrides };
  if (!(o.quantile > 0 && o.quantile < 1)) {
    throw badFlag(`slow-page quantile must be in (0, 1), got ${o.quantile}`);
  }
  if (!(o.ratio > 1 && Number.isFinite(o.ratio))) {
    throw badFlag(`slow-page ratio must be a number above 1, got ${o.ratio}`);
  }
  for (const name of ['minRequests', 'minSlow', 'minBaseline', 'maxBins', 'maxUrls'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) {
      throw badFlag(`slow-page ${name} must be a whole number ≥ 1, got ${o[name]}`);
    }
  }
  if (o.minSlow > o.minRequests) {
    throw badFlag(`slow-page minSlow must not exceed minRequests, got ${o.minSlow}`);
  }
  if (!Number.isInteger(o.holdBuckets) || o.holdBuckets < 0) {
    throw badFlag(`slow-page holdBuckets must be a whole number ≥ 0, got ${o.holdBuckets}`);
  }
  if (!(o.relativeAccuracy > 0 && o.relativeAccuracy < 1)) {
    throw badFlag(`slow-page relativeAccuracy must be in (0, 1), got ${o.relativeAccuracy}`);
  }
  return o;
}

type Sketch = LogCollapsingLowestDenseDDSketch;

interface Baseline {
  sketch: Sketch;
  /** Final buckets kept out of it in a row while an alert was open. */
  held: number;
}

/** Per-URL state: timed requests per bucket, one sketch per bucket slot, the open alert. */
export class SlowPageTable extends KeyedRings {
  alert: (Alert | null)[] = [];
  /** Row-major, `slots` per row: the sketch of the bucket in that slot, or null. */
  sketches: (Sketch | null)[] = [];
  /** The bucket each slot's sketch holds. */
  sketchBucket: Float64Array;
  readonly baselines = new Map<string, Baseline>();
  private readonly o: SlowPageOptions;

  constructor(slots: number, o: SlowPageOptions) {
    super(slots, 1);
    this.o = o;
    this.sketchBucket = new Float64Array(this.capacity() * slots).fill(-1);
  }

  protected override opened(row: number): void {
    this.alert[row] = null;
    const base = row * this.slots;
    for (let i = 0; i < this.slots; i++) {
      this.sketches[base + i] = null;
      this.sketchBucket[base + i] = -1;
    }
  }

  protected override grown(rows: number): void {
    const buckets = new Float64Array(rows * this.slots).fill(-1);
    buckets.set(this.sketchBucket);
    this.sketchBucket = buckets;
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
    this.addAt(row, bucket, slot, 0, 1);
    const i = row * this.slots + slot;
    let sketch = this.sketches[i];
    if (sketch === null || sketch === undefined || this.sketchBucket[i] !== bucket) {
      sketch = this.newSketch();
      this.sketches[i] = sketch;
      this.sketchBucket[i] = bucket;
    }
    sketch.accept(ms);
  }

  /** The row's sketch of `bucket`, or null. */
  sketchOf(row: number, bucket: number): Sketch | null {
    const i = row * this.slots + (bucket % this.slots);
    return this.sketchBucket[i] === bucket ? this.sketches[i] : null;
  }

  override remove(row: number): void {
    super.remove(row);
    this.sketches.fill(null, row * this.slots, (row + 1) * this.slots);
  }

  /** Add a final bucket to the URL's baseline (made, and the oldest dropped past maxUrls). */
  learn(key: string, sketch: Sketch): void {
    let baseline = this.baselines.get(key);
    if (baseline === undefined) {
      if (this.baselines.size >= this.o.maxUrls) {
        const oldest = this.baselines.keys().next().value as string;
        this.baselines.delete(oldest);
      }
      baseline = { sketch: this.newSketch(), held: 0 };
      this.baselines.set(key, baseline);
    }
    baseline.sketch.merge(sketch);
    baseline.held = 0;
  }
}

/** One decimal of a ms: a limit and a measurement, not a sketch's bin edge. */
function ms(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Judge every URL of the table on the closed window [end − windowMs, end) (buckets of `width`
 * ms), teach the baselines the buckets that became final, fold verdicts into alerts (lines to
 * `out`), and free rows with no bucket left in the next window and no open alert.
 */
export function judgeSlowPages(
  o: SlowPageOptions,
  table: SlowPageTable,
  windowMs: number,
  hopMs: number,
  end: number,
  width: number,
  out: Alert[],
): void {
  const start = end - windowMs;
  const from = start / width;
  const to = end / width;
  const nextFrom = (start + hopMs) / width;
  // The buckets that became final with this close.
  const finalFrom = to - hopMs / width;
  for (let row = 0; row < table.end; row++) {
    const key = table.keys[row];
    if (key === null) continue;
    const open = table.alert[row];
    const n = table.sum(row, 0, from, to);
    const baseline = table.baselines.get(key);
    let holds = false;
    if (
      (open !== null || n >= o.minRequests) &&
      baseline !== undefined &&
      baseline.sketch.count >= o.minBaseline
    ) {
      const threshold = o.ratio * baseline.sketch.getValueAtQuantile(o.quantile);
      let p = 0;
      if (n > 0) {
        const window = table.newSketch();
        for (let b = from; b < to; b++) {
          const s = table.sketchOf(row, b);
          if (s !== null) window.merge(s);
        }
        p = window.getValueAtQuantile(o.quantile);
        // The minSlow-th largest request time reaches the limit too.
        const kth = n >= o.minSlow ? window.getValueAtQuantile((n - o.minSlow) / (n - 1)) : 0;
        holds = n >= o.minRequests && p >= threshold && kth >= threshold;
      }
      if (holds || open !== null) {
        table.alert[row] = trackAlert(
          open,
          'slow-page',
          key,
          holds,
          start,
          end,
          ms(p),
          ms(threshold),
          severityOf(p, threshold),
          out,
        );
      }
    }
    // Learn the final buckets, unless they belong to an incident (see the module docblock).
    const quiet = !holds && table.alert[row] === null;
    if (quiet || (baseline !== undefined && baseline.held >= o.holdBuckets)) {
      for (let b = finalFrom; b < to; b++) {
        const s = table.sketchOf(row, b);
        if (s !== null) table.learn(key, s);
      }
    } else if (baseline !== undefined) {
      baseline.held++;
    }
    if (table.last[row] < nextFrom && table.alert[row] === null) table.remove(row);
  }
  table.trim();
}
