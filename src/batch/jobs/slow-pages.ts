/**
 * slow-pages: response-time quantiles per route (the path without its query string, as
 * bytes-per-route keys it): p50, p95, p99 and the slowest request, in ms, with the requests they
 * are taken over. The slowest routes by p95 first, ties by route; top N.
 *
 * What we decided:
 * - Quantiles are exact, nearest-rank: over a route's n timed requests sorted by time, pK is the
 *   value at rank ⌈K·n/100⌉ (1-based), the time (rounded, below) some request took. No interpolation and
 *   no sketch, so every runner, any split of the input and any number of combiner passes give
 *   the same bytes.
 * - Times are counted at 0.1 ms (a tick), so a route's value → count histogram stays small: a
 *   route's requests fall on a few hundred to a few thousand ticks, not one per request. At whole
 *   microseconds (Apache's `%D`) nearly every request is a value of its own and the combiner
 *   cannot shrink them: measured on 200,000 combined-time lines, one thread, it shuffled 1.3 MB
 *   (of 6.4 MB mapped) in 5.5 s against 2.6 s without it; at 0.1 ms 0.43 MB (of 6.0 MB) in 1.3 s
 *   against 1.6 s. The quantiles are exact over the times so rounded. A value is such a
 *   histogram as text, `tick:count` pairs joined by spaces (a mapped request is just `tick`), so
 *   the combiner's output is valid reducer input.
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

/** The resolution times are counted at: ticks per ms. */
export const TICKS_PER_MS = 10;

/** Timed requests a route needs to be reported. */
export const SLOW_PAGES_MIN_REQUESTS = 20;

/** The histogram key of records without a time. */
const UNTIMED = '-';

/** A route's times gathered from histogram values: tick → count, and the untimed count. */
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
        const tick = Number(key);
        counts.set(tick, (counts.get(tick) ?? 0) + n);
      }
      start = end + 1;
    }
  }
  return { counts, untimed };
}

/** The value at nearest rank ⌈K·n/100⌉ of sorted (tick, count) pairs holding n requests. */
function nearestRank(sorted: readonly [number, number][], n: number, k: number): number {
  const rank = Math.ceil((k * n) / 100);
  let seen = 0;
  for (const [tick, count] of sorted) {
    seen += count;
    if (seen >= rank) return tick;
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
      emit(
        routeOf(r.path),
        ms === null || !(ms >= 0) ? UNTIMED : String(Math.round(ms * TICKS_PER_MS)),
      );
    },
    combine(key: string, values: readonly string[], emit: Emit) {
      const { counts, untimed } = mergeValues(values);
      const parts: string[] = [];
      for (const [tick, n] of counts) parts.push(`${tick}:${n}`);
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
        p50Ms: nearestRank(sorted, n, 50) / TICKS_PER_MS,
        p95Ms: nearestRank(sorted, n, 95) / TICKS_PER_MS,
        p99Ms: nearestRank(sorted, n, 99) / TICKS_PER_MS,
        maxMs: sorted[sorted.length - 1][0] / TICKS_PER_MS,
        untimed,
      });
    },
    finalize(rows: Row[]) {
      return rows.sort(byCountThen('p95Ms', 'route')).slice(0, top);
    },
  };
}
