/**
 * slow-page computed the plain way, for tests: every request time kept as a 64-bit number, the
 * window's sketch built from all of them at every close, the baseline's threshold found on every
 * close with the sketch's own quantile walk, and baselines dropped in exact least-recently-used
 * order. The decisions are slow-page.ts's (what holds, what is learned, the hold, an open alert
 * whose baseline was dropped); none of its shortcuts are taken (buffered times, skipped windows,
 * a threshold kept while the baseline grows, a baseline moved only now and then).
 *
 * Input: the records the engine counted (not late), in arrival order. A window closes when the
 * watermark passes its end, and no record the engine counts after that belongs to it, so the
 * windows can be judged after all records are bucketed. Keys are judged in order of first
 * arrival; the engine walks its rows, whose order differs once rows are freed and reused. That
 * order only decides which of two baselines learned in the same close goes first past maxUrls.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import type { LogRecord } from '../../src/log/record';
import { severityOf, trackAlert } from '../../src/realtime/alert';
import { type Alert, compareAlerts, type SlowPageOptions } from '../../src/realtime/index';

type Sketch = LogCollapsingLowestDenseDDSketch;

interface ExactBaseline {
  sketch: Sketch;
  held: number;
  heldLevel: Sketch | null;
}

interface Url {
  key: string;
  /** Order of first arrival. */
  index: number;
  /** Request times per bucket. */
  buckets: Map<number, number[]>;
  alert: Alert | null;
}

function ms(x: number): number {
  return Math.round(x * 10) / 10;
}

export function exactSlowPageAlerts(
  counted: readonly LogRecord[],
  o: SlowPageOptions,
  windowMs = 300_000,
  hopMs = 60_000,
  latenessMs = 30_000,
): Alert[] {
  const width = gcd(windowMs, hopMs);
  const sketch = (): Sketch =>
    new LogCollapsingLowestDenseDDSketch({
      relativeAccuracy: o.relativeAccuracy,
      binLimit: o.maxBins,
    });
  const urls = new Map<string, Url>();
  /** The URLs with requests in each bucket, in order of first arrival of the URL. */
  const byBucket = new Map<number, Set<Url>>();
  let dataTime = Number.NEGATIVE_INFINITY;
  let firstWatermark = Number.NaN;
  for (const r of counted) {
    if (Number.isNaN(firstWatermark)) firstWatermark = r.time - latenessMs;
    if (r.time > dataTime) dataTime = r.time;
    if (typeof r.durationMs !== 'number' || r.path === null) continue;
    const q = r.path.indexOf('?');
    const key = q < 0 ? r.path : r.path.slice(0, q);
    let url = urls.get(key);
    if (url === undefined) {
      url = { key, index: urls.size, buckets: new Map(), alert: null };
      urls.set(key, url);
    }
    const b = Math.floor(r.time / width);
    const times = url.buckets.get(b) ?? [];
    times.push(r.durationMs);
    url.buckets.set(b, times);
    const inBucket = byBucket.get(b) ?? new Set<Url>();
    inBucket.add(url);
    byBucket.set(b, inBucket);
  }
  const out: Alert[] = [];
  if (Number.isNaN(firstWatermark)) return out;
  const baselines = new Map<string, ExactBaseline>();
  const alerted = new Set<Url>();
  const timesIn = (url: Url, from: number, to: number): number[] => {
    const all: number[] = [];
    for (let b = from; b < to; b++) all.push(...(url.buckets.get(b) ?? []));
    return all;
  };
  const touch = (key: string, baseline: ExactBaseline): void => {
    baselines.delete(key);
    baselines.set(key, baseline);
  };
  const first = Math.floor((firstWatermark - windowMs) / hopMs) * hopMs + hopMs + windowMs;
  const last = dataTime + windowMs + hopMs;
  for (let end = first; end <= last; end += hopMs) {
    const start = end - windowMs;
    const from = start / width;
    const to = end / width;
    const finalFrom = to - hopMs / width;
    // The URLs with a request in the window or an alert open; the others have nothing to do.
    const live = new Set<Url>(alerted);
    for (let b = from; b < to; b++) for (const url of byBucket.get(b) ?? []) live.add(url);
    const order = [...live].sort((a, b) => a.index - b.index);
    for (const url of order) {
      const window = timesIn(url, from, to);
      const n = window.length;
      const open = url.alert;
      if (n === 0 && open === null) continue;
      const baseline = baselines.get(url.key) ?? null;
      let threshold = Number.NaN;
      if (baseline !== null && baseline.sketch.count >= o.minBaseline) {
        threshold = o.ratio * baseline.sketch.getValueAtQuantile(o.quantile);
      }
      if (Number.isNaN(threshold) && open !== null) threshold = open.threshold;
      let holds = false;
      if ((open !== null || n >= o.minRequests) && !Number.isNaN(threshold)) {
        let p = 0;
        if (n > 0) {
          const s = sketch();
          for (const t of window) s.accept(t);
          p = s.getValueAtQuantile(o.quantile);
          const kth = n >= o.minSlow ? s.getValueAtQuantile((n - o.minSlow) / (n - 1)) : 0;
          holds = n >= o.minRequests && p >= threshold && kth >= threshold;
        }
        if (holds || open !== null) {
          alerted.delete(url);
          url.alert = trackAlert(
            open,
            'slow-page',
            url.key,
            holds,
            start,
            end,
            ms(p),
            ms(threshold),
            severityOf(p, threshold),
            out,
          );
          if (url.alert !== null) alerted.add(url);
        }
      }
      const final = timesIn(url, finalFrom, to);
      if (!holds && url.alert === null) {
        if (final.length === 0) continue;
        let b = baseline;
        if (b === null) {
          if (n < o.minRequests) continue;
          if (baselines.size >= o.maxUrls) {
            baselines.delete(baselines.keys().next().value as string);
          }
          b = { sketch: sketch(), held: 0, heldLevel: null };
        }
        touch(url.key, b);
        for (const t of final) b.sketch.accept(t);
        b.held = 0;
        b.heldLevel = null;
      } else if (baseline !== null) {
        touch(url.key, baseline);
        if (final.length > 0) {
          if (baseline.heldLevel === null) baseline.heldLevel = sketch();
          for (const t of final) baseline.heldLevel.accept(t);
        }
        baseline.held += to - finalFrom;
        if (baseline.held >= o.holdBuckets) {
          const level = baseline.heldLevel;
          if (level !== null && level.count >= o.minBaseline) baseline.sketch = level;
          else if (level !== null) baseline.sketch.merge(level);
          baseline.held = 0;
          baseline.heldLevel = null;
        }
      }
    }
  }
  // The engine emits each advance's lines sorted; a stable sort of all of them is the same order.
  return out.sort(compareAlerts);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
