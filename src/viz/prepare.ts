/**
 * Small pure functions that turn records into the rows a chart draws. They take plain
 * `{ time, status }` shapes so that records, parsed lines and generated lines all fit.
 */

/** One time bucket of traffic. `time` is the bucket start, epoch ms UTC. */
export interface TrafficPoint {
  time: number;
  requests: number;
  /** Responses with a 4xx status (client errors: 404s from a scanner, for example). */
  status4xx: number;
  /** Responses with a 5xx status (server errors: an error burst). */
  status5xx: number;
}

/** A span of time to shade, such as an injected incident from the generator's ground truth. */
export interface TimeSpan {
  start: number;
  end: number;
  kind?: string;
  key?: string;
}

export interface TrafficOptions {
  /** Bucket width in ms. Default one minute. */
  bucketMs?: number;
}

export const MINUTE_MS = 60_000;

/**
 * Requests per time bucket, with empty buckets filled by zeros so that a quiet minute shows as
 * a dip, not as a line drawn straight across it. Sorted by time.
 */
export function trafficPerMinute(
  records: Iterable<{ time: number; status: number }>,
  options: TrafficOptions = {},
): TrafficPoint[] {
  const bucketMs = options.bucketMs ?? MINUTE_MS;
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be positive, not ${bucketMs}`);
  const byBucket = new Map<number, TrafficPoint>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    const t = Math.floor(r.time / bucketMs) * bucketMs;
    let p = byBucket.get(t);
    if (p === undefined) {
      p = { time: t, requests: 0, status4xx: 0, status5xx: 0 };
      byBucket.set(t, p);
      if (t < first) first = t;
      if (t > last) last = t;
    }
    p.requests++;
    if (r.status >= 500 && r.status < 600) p.status5xx++;
    else if (r.status >= 400 && r.status < 500) p.status4xx++;
  }
  const out: TrafficPoint[] = [];
  if (byBucket.size === 0) return out;
  for (let t = first; t <= last; t += bucketMs) {
    out.push(byBucket.get(t) ?? { time: t, requests: 0, status4xx: 0, status5xx: 0 });
  }
  return out;
}

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'other';

/** The class of an HTTP status code: 404 → "4xx"; outside 100–599 → "other". */
export function statusClass(status: number): StatusClass {
  if (status >= 100 && status < 200) return '1xx';
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 600) return '5xx';
  return 'other';
}

export interface StatusCount {
  status: number;
  requests: number;
}

/** Requests per status code, sorted by code. */
export function statusCounts(records: Iterable<{ status: number }>): StatusCount[] {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return fromStatusMap(counts);
}

/**
 * Status counts from a map or a plain object keyed by code, such as the `statusCodes` field of
 * `loglab summary --json`.
 */
export function fromStatusMap(
  counts: Map<number, number> | Record<string | number, number>,
): StatusCount[] {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  const out: StatusCount[] = [];
  for (const [code, requests] of entries) {
    const status = Number(code);
    if (!Number.isInteger(status)) throw new RangeError(`status code ${code} is not an integer`);
    out.push({ status, requests });
  }
  return out.sort((a, b) => a.status - b.status);
}

export interface KeyCount {
  key: string;
  count: number;
}

/** Occurrences of each key, most frequent first (ties by key), e.g. rejection reasons. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): KeyCount[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .map(([k, count]) => ({ key: k, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
