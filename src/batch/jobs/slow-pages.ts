/**
 * slow-pages: response-time quantiles per route (the path without its query string, as
 * bytes-per-route keys it): p50, p95, p99 and the slowest request, in ms, with the requests they
 * are taken over. The slowest routes by p95 first, ties by route; top N.
 *
 * What we decided:
 * - Quantiles are exact, nearest-rank: over a route's n timed requests sorted by time, pK is the
 *   value at rank ⌈K·n/100⌉ (1-based), a time some request really took. No interpolation and
 *   no sketch, so every runner, any split of the input and any number of combiner passes give
 *   the same bytes.
 * - Times are counted at whole microseconds (Apache's `%D` resolution; nginx's `request_time`
 *   has milliseconds), so the value → count histogram stays small: a route's requests take a
 *   few thousand distinct times, not one per request. A value is such a histogram as text,
 *   `µs:count` pairs joined by spaces (a mapped request is just `µs`), so the combiner's output
 *   is valid reducer input.
 * - A record without a time (combined and common formats, or "-") is not in any quantile: it is
 *   counted as `untimed` beside its route (`-:count` in the histogram). The runners have no job
 *   counter of a job's own, so the count rides in the rows. A log with no times at all reports
 *   no route.
 * - Only routes with at least 20 timed requests are reported: below that p95 is the slowest
 *   request or next to it, and one-off scanner paths would crowd out the pages an operator owns.
 * - Ranked by p95, the figure a latency objective is usually written against: a slow page
 *   hidden in the mean is plain there, and one stray request does not rank a route as p99 or
 *   the maximum would.
 */
import {
  byCountThen,
  DEFAULT_TOP,
  type Emit,
  emitRow,
  type Job,
  type JobOptions,
  type Row,
} from '../job';
import { routeOf } from './bytes-per-route';

/** Timed requests a route needs to be reported. */
export const SLOW_PAGES_MIN_REQUESTS = 20;

/** The histogram key of records without a time. */
const UNTIMED = '-';

/** A route's times gathered from histogram values: µs → count, and the untimed count. */
interface Histogram {
  counts: Map<number, number>;
  untimed: number;
}

function mergeValues(values: readonly string[]): Histogram {
  const counts = new Map<number, number>();
  let untimed = 0;
  for (const v of values) {
    let start = 0;
    while (start < v.length) {
      let end = v.indexOf(' ', start);
      if (end === -1) end = v.length;
      const colon = v.indexOf(':', start);
      const hasCount = colon !== -1 && colon < end;
      const key = v.slice(start, hasCount ? colon : end);
      const n = hasCount ? Number(v.slice(colon + 1, end)) : 1;
      if (key === UNTIMED) untimed += n;
      else {
        const us = Number(key);
        counts.set(us, (counts.get(us) ?? 0) + n);
      }
      start = end + 1;
    }
  }
  return { counts, untimed };
}

/** The value at nearest rank ⌈K·n/100⌉ of sorted (µs, count) pairs holding n requests. */
function nearestRank(sorted: readonly [number, number][], n: number, k: number): number {
  const rank = Math.ceil((k * n) / 100);
  let seen = 0;
  for (const [us, count] of sorted) {
    seen += count;
    if (seen >= rank) return us;
  }
  return sorted[sorted.length - 1][0];
}

export function slowPagesJob(options: JobOptions = {}): Job {
  const top = options.top ?? DEFAULT_TOP;
  return {
    name: 'slow-pages',
    description: `Slow pages: p50/p95/p99 response time per route, slowest p95 first (top ${top})`,
    columns: ['route', 'requests', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs', 'untimed'],
    map(r, emit) {
      const ms = r.durationMs;
      emit(routeOf(r.path), ms === null || !(ms >= 0) ? UNTIMED : String(Math.round(ms * 1000)));
    },
    combine(key: string, values: readonly string[], emit: Emit) {
      const { counts, untimed } = mergeValues(values);
      const parts: string[] = [];
      for (const [us, n] of counts) parts.push(`${us}:${n}`);
      if (untimed > 0) parts.push(`${UNTIMED}:${untimed}`);
      emit(key, parts.join(' '));
    },
    reduce(key, values, emit) {
      const { counts, untimed } = mergeValues(values);
      const sorted = [...counts].sort((a, b) => a[0] - b[0]);
      let n = 0;
      for (const [, count] of sorted) n += count;
      if (n < SLOW_PAGES_MIN_REQUESTS) return;
      emitRow(emit, key, {
        route: key,
        requests: n,
        p50Ms: nearestRank(sorted, n, 50) / 1000,
        p95Ms: nearestRank(sorted, n, 95) / 1000,
        p99Ms: nearestRank(sorted, n, 99) / 1000,
        maxMs: sorted[sorted.length - 1][0] / 1000,
        untimed,
      });
    },
    finalize(rows: Row[]) {
      return rows.sort(byCountThen('p95Ms', 'route')).slice(0, top);
    },
  };
}
