/**
 * How long the server takes to answer: a per-route baseline and a lognormal spread around it,
 * so that a route's p95 means something and a slow page (incident `slow-page`) stands out
 * against its own normal, not against the site's.
 *
 * What we decided:
 * - Each route has a median (`latencyMs`) set by its kind (a static file is served in a few
 *   ms, a page is rendered in tens, search asks an index and takes a hundred or more), varied
 *   ±30% by a hash of the path, so no two products are quite alike. No random draw is spent on
 *   it: the shop built from a seed stays the same shop it was before routes had a latency.
 * - A request's time is the median × e^(σ·N(0,1)) with σ = 0.35: p95 ≈ 1.8 × the median and
 *   p99 ≈ 2.3 ×, a right-skewed spread as access logs show it, without a tail so heavy that one
 *   request in a thousand looks like an incident.
 * - During a slow-page incident every request of the slowed URL (the path without its query,
 *   as detectors key it) takes `factor` (5–20) times as long.
 * - Times are whole microseconds, Apache's `%D`.
 * - The draws come from their own random stream and are made only when the output format
 *   carries a request time, so other formats give the very lines they gave before.
 */
import type { Random } from './random';

/** The spread of log(duration) around the route's median. */
export const LATENCY_SIGMA = 0.35;

/** Median per route kind (site.ts RouteKind), ms. */
const KIND_MEDIAN_MS: Readonly<Record<string, number>> = {
  home: 48,
  category: 62,
  product: 55,
  search: 140,
  cart: 38,
  checkout: 95,
  confirmation: 60,
  content: 24,
  login: 30,
  account: 42,
  action: 75,
  api: 22,
  static: 3,
  crawl: 4,
  legacy: 2,
  gone: 5,
};

/** The median response time of a route, ms: its kind's, varied ±30% by a hash of the path. */
export function routeLatencyMs(kind: string, path: string): number {
  let h = 2166136261;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619);
  const u = (h >>> 0) / 4294967296;
  return Math.round((KIND_MEDIAN_MS[kind] ?? 50) * (0.7 + 0.6 * u) * 1000) / 1000;
}

/** A slowed URL: every request to `path` in [start, end] takes `factor` times as long. */
export interface Slowdown {
  path: string;
  start: number;
  end: number;
  factor: number;
}

/** Standard normal draws (Marsaglia's polar method; the second value of a pair is kept). */
export function createNormal(random: Random): () => number {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = Number.NaN;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * random.next() - 1;
      v = 2 * random.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * m;
    return u * m;
  };
}

/** The time of one request, whole microseconds. */
export type DurationSource = (medianMs: number, path: string, time: number) => number;

export function createDurations(random: Random, slowdowns: readonly Slowdown[]): DurationSource {
  const normal = createNormal(random);
  return (medianMs, path, time) => {
    let us = medianMs * 1000 * Math.exp(LATENCY_SIGMA * normal());
    for (const s of slowdowns) {
      if (time >= s.start && time <= s.end && urlPathIs(path, s.path)) us *= s.factor;
    }
    return Math.max(1, Math.round(us));
  };
}

/** Whether `path` without its query string is `url`. */
function urlPathIs(path: string, url: string): boolean {
  return path.startsWith(url) && (path.length === url.length || path.charCodeAt(url.length) === 63);
}
