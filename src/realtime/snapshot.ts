/**
 * What the engine tells a dashboard: counters that are cheap to read on every redraw, and a
 * snapshot with the current window's top URLs and addresses and the per-step series.
 */
import type { Alert, AlertKind } from './alert';
import type { BucketRing } from './bucket-ring';
import { URL_REQUESTS, type UrlTable } from './detectors/error-spike';
import { IP_REQUESTS, type IpTable } from './detectors/ip-activity';

/** Channels of the site series: requests and 5xx per step. */
export const STEP_REQUESTS = 0;
export const STEP_ERRORS = 1;

export interface EngineCounters {
  /** Records given to the engine, late ones included. */
  records: number;
  /** Records that arrived behind the watermark: counted here, reported to onLate, not windowed. */
  late: number;
  /** Newest event time seen (epoch ms); −Infinity before the first record. */
  maxEventTime: number;
  /** maxEventTime − lateness. */
  watermark: number;
  /** Addresses and URLs that still hold window state. */
  liveIps: number;
  liveUrls: number;
  /** Alerts opened so far, per kind. */
  opened: Record<AlertKind, number>;
  /** Alerts open now. */
  open: number;
  /** Alert lines emitted (open, update and resolved). */
  alertLines: number;
}

export interface TopEntry {
  key: string;
  count: number;
}

export interface SeriesSnapshot {
  /** Start of the first step (epoch ms). */
  start: number;
  stepMs: number;
  /**
   * Requests and 5xx per step, oldest first; the last step is the one still filling. Empty
   * before the first record.
   */
  requests: number[];
  errors: number[];
}

export interface EngineSnapshot extends EngineCounters {
  /** The newest window, [start, end), the one the top lists are counted over. */
  window: { start: number; end: number } | null;
  topUrls: TopEntry[];
  topIps: TopEntry[];
  series: SeriesSnapshot;
  openAlerts: Alert[];
}

/** Keep the `n` largest counts in `top` (descending, ties by key), one candidate at a time. */
export function offerTop(top: TopEntry[], n: number, key: string, count: number): void {
  if (count <= 0 || n <= 0) return;
  if (top.length === n) {
    const last = top[n - 1];
    if (count < last.count || (count === last.count && key > last.key)) return;
    top.pop();
  }
  let i = top.length;
  while (i > 0) {
    const prev = top[i - 1];
    if (prev.count > count || (prev.count === count && prev.key < key)) break;
    i--;
  }
  top.splice(i, 0, { key, count });
}

export interface KeyedTops {
  topIps: TopEntry[];
  topUrls: TopEntry[];
  openAlerts: Alert[];
}

/** Top addresses and URLs by requests over buckets [from, to), and their open alerts (copies). */
export function keyedTops(
  ips: IpTable,
  urls: UrlTable,
  from: number,
  to: number,
  top: number,
): KeyedTops {
  const out: KeyedTops = { topIps: [], topUrls: [], openAlerts: [] };
  for (let row = 0; row < ips.end; row++) {
    const key = ips.keys[row];
    if (key === null) continue;
    offerTop(out.topIps, top, key, ips.sum(row, IP_REQUESTS, from, to));
    const flood = ips.flood[row];
    const scan = ips.scan[row];
    if (flood !== null) out.openAlerts.push({ ...flood });
    if (scan !== null) out.openAlerts.push({ ...scan });
  }
  for (let row = 0; row < urls.end; row++) {
    const key = urls.keys[row];
    if (key === null) continue;
    offerTop(out.topUrls, top, key, urls.sum(row, URL_REQUESTS, from, to));
    const alert = urls.alert[row];
    if (alert !== null) out.openAlerts.push({ ...alert });
  }
  return out;
}

/** The last `steps` steps of the site series, up to the newest (empty before any record). */
export function seriesSnapshot(series: BucketRing, steps: number, stepMs: number): SeriesSnapshot {
  const last = series.last;
  const first = last < 0 ? 0 : last - steps + 1;
  const requests: number[] = [];
  const errors: number[] = [];
  for (let s = first; s <= last; s++) {
    requests.push(series.get(STEP_REQUESTS, s));
    errors.push(series.get(STEP_ERRORS, s));
  }
  return { start: first * stepMs, stepMs, requests, errors };
}
