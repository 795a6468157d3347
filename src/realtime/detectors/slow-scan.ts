/**
 * slow-scan: an address that probes paths that do not exist slowly enough to stay under the
 * scanner's five-minute threshold (a few a minute, for hours). It is judged on a long window
 * (one hour by default) that slides with the hop: the condition holds when, in the last
 * `windowMs`, the address got not-found answers on at least `minDistinctPaths` distinct paths,
 * they were at least `minNotFoundRatio` of its requests, and the scanner detector did not flag
 * it in that time (one actor, one alert: a fast scan also probes many paths in an hour).
 * `observed` is the distinct not-found paths in the long window.
 *
 * A record costs this detector nothing unless it is a not-found answer (its path is kept): the
 * counts per bucket are handed on from the address table at each close (keyed-windows.ts).
 *
 * Memory, what we decided: only addresses that got a not-found answer have a row (normal
 * clients get a few in their life, so the table is a small part of the address table). A row
 * holds requests and not-found answers per bucket over the long window (two Int32 channels of
 * window/bucket + a few slots: 504 bytes at one hour of one-minute buckets) and a bounded set of
 * at most `maxPaths` not-found paths with the bucket each was last seen in. When the set is
 * full the path seen longest ago makes room. So the distinct count over the window is exact up
 * to `maxPaths`, which is above the threshold: every verdict is exact, and a row costs at most
 * `maxPaths` path strings however long the scan. An approximate sketch (HyperLogLog) would cost
 * more than this: one sketch per bucket to slide the window, against a few strings.
 */
import { badFlag } from '../../errors';
import { type Alert, severityOf, trackAlert } from '../alert';
import { detached, KeyedRings } from '../keyed-rings';

export interface SlowScanOptions {
  /** The long window, ms (a whole number of buckets; one hour by default). */
  windowMs: number;
  minDistinctPaths: number;
  minNotFoundRatio: number;
  /** Not-found paths remembered per address: bounds memory under a long scan. */
  maxPaths: number;
}

export const DEFAULT_SLOW_SCAN: Readonly<SlowScanOptions> = Object.freeze({
  windowMs: 3_600_000,
  minDistinctPaths: 30,
  minNotFoundRatio: 0.5,
  maxPaths: 64,
});

export function slowScanOptions(overrides: Partial<SlowScanOptions> = {}): SlowScanOptions {
  const o = { ...DEFAULT_SLOW_SCAN, ...overrides };
  if (!Number.isSafeInteger(o.windowMs) || o.windowMs <= 0) {
    throw badFlag(`slow-scan windowMs must be a whole number of ms above 0, got ${o.windowMs}`);
  }
  if (!Number.isInteger(o.minDistinctPaths) || o.minDistinctPaths < 1) {
    throw badFlag(
      `slow-scan minDistinctPaths must be a whole number ≥ 1, got ${o.minDistinctPaths}`,
    );
  }
  if (!(o.minNotFoundRatio >= 0 && o.minNotFoundRatio <= 1)) {
    throw badFlag(`slow-scan minNotFoundRatio must be in [0, 1], got ${o.minNotFoundRatio}`);
  }
  if (!Number.isInteger(o.maxPaths) || o.maxPaths < o.minDistinctPaths) {
    throw badFlag(
      `slow-scan maxPaths must be a whole number ≥ minDistinctPaths, got ${o.maxPaths}`,
    );
  }
  return o;
}

export const SLOW_REQUESTS = 0;
export const SLOW_NOT_FOUND = 1;

/** Per-address state over the long window. */
export class SlowScanTable extends KeyedRings {
  alert: (Alert | null)[] = [];
  /** Per row: the not-found paths remembered and the bucket each was last seen in. */
  paths: (string[] | null)[] = [];
  seen: (number[] | null)[] = [];
  /** Per row: the newest bucket in which the scanner detector flagged the address (−1: never). */
  scannerAt: Int32Array;

  constructor(slots: number) {
    super(slots, 2);
    this.scannerAt = new Int32Array(this.capacity()).fill(-1);
  }

  protected override opened(row: number): void {
    this.alert[row] = null;
    this.paths[row] = null;
    this.seen[row] = null;
    this.scannerAt[row] = -1;
  }

  protected override grown(rows: number): void {
    const scannerAt = new Int32Array(rows).fill(-1);
    scannerAt.set(this.scannerAt);
    this.scannerAt = scannerAt;
  }

  /** Remember a not-found path seen in `bucket`, within `cap` paths per row. */
  addPath(row: number, bucket: number, path: string, cap: number): void {
    const paths = this.paths[row];
    if (paths === null) {
      // Most addresses get one or two not-found answers in their life: arrays made from a
      // literal hold exactly their one element, where a push onto [] made room for 17 (about
      // 240 bytes more per row for the pair, 24 MB at 100,000 addresses).
      this.paths[row] = [detached(path)];
      this.seen[row] = [bucket];
      return;
    }
    const seen = this.seen[row] as number[];
    let oldest = 0;
    for (let i = 0; i < paths.length; i++) {
      if (paths[i] === path) {
        if (bucket > seen[i]) seen[i] = bucket;
        return;
      }
      if (seen[i] < seen[oldest]) oldest = i;
    }
    if (paths.length < cap) {
      paths.push(detached(path));
      seen.push(bucket);
    } else if (seen[oldest] < bucket) {
      paths[oldest] = detached(path);
      seen[oldest] = bucket;
    }
  }

  /** Distinct paths remembered as seen in buckets [from, to). */
  distinctPaths(row: number, from: number, to: number): number {
    const seen = this.seen[row];
    if (seen === null) return 0;
    let n = 0;
    for (const b of seen) if (b >= from && b < to) n++;
    return n;
  }
}

/**
 * Judge every address of the table on the long window ending at `end` (buckets of `width`
 * ms), fold the verdicts into their alerts, and free rows with no bucket left in the next long
 * window and no open alert; `unlinked(key)` is told of each freed row.
 */
export function judgeSlowScans(
  o: SlowScanOptions,
  table: SlowScanTable,
  end: number,
  hopMs: number,
  width: number,
  out: Alert[],
  unlinked: (key: string) => void,
): void {
  const start = end - o.windowMs;
  const from = start / width;
  const to = end / width;
  const nextFrom = (start + hopMs) / width;
  for (let row = 0; row < table.end; row++) {
    const key = table.keys[row];
    if (key === null) continue;
    const open = table.alert[row];
    if (open !== null || table.total(row, SLOW_NOT_FOUND) >= o.minDistinctPaths) {
      const distinct = table.distinctPaths(row, from, to);
      const notFound = table.sum(row, SLOW_NOT_FOUND, from, to);
      const requests = table.sum(row, SLOW_REQUESTS, from, to);
      const holds =
        distinct >= o.minDistinctPaths &&
        notFound >= o.minNotFoundRatio * Math.max(1, requests) &&
        table.scannerAt[row] < from;
      if (holds || open !== null) {
        table.alert[row] = trackAlert(
          open,
          'slow-scan',
          key,
          holds,
          start,
          end,
          distinct,
          o.minDistinctPaths,
          severityOf(distinct, o.minDistinctPaths),
          out,
        );
      }
    }
    if (table.last[row] < nextFrom && table.alert[row] === null) {
      table.remove(row);
      unlinked(key);
    }
  }
  table.trim();
}
