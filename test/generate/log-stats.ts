/** Measurements the generator tests share: counts in sliding five-minute windows, per key. */
import { createGenerator, type GenerateOptions } from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';

export const FIVE_MINUTES = 300_000;

const cache = new Map<string, LogRecord[]>();

/** Records for options, generated once per test file. */
export function recordsOf(options: GenerateOptions): LogRecord[] {
  const key = JSON.stringify(options);
  let records = cache.get(key);
  if (records === undefined) {
    records = [...createGenerator(options).records()];
    cache.set(key, records);
  }
  return records;
}

/** The path without its query string. */
export function pathOnly(path: string | null): string {
  if (path === null) return '-';
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** The most events that fall in any window [t, t + width), for sorted times. */
export function maxInWindow(sortedTimes: number[], width = FIVE_MINUTES): number {
  let best = 0;
  let from = 0;
  for (let i = 0; i < sortedTimes.length; i++) {
    while (sortedTimes[i] - sortedTimes[from] >= width) from++;
    best = Math.max(best, i - from + 1);
  }
  return best;
}

/** Times of the records matching `keep`, grouped by `keyOf`, in record order. */
export function timesBy(
  records: LogRecord[],
  keyOf: (r: LogRecord) => string,
  keep: (r: LogRecord) => boolean = () => true,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of records) {
    if (!keep(r)) continue;
    const key = keyOf(r);
    const list = out.get(key);
    if (list === undefined) out.set(key, [r.time]);
    else list.push(r.time);
  }
  return out;
}

/** The key with the highest `maxInWindow`, and that count. */
export function busiest(groups: Map<string, number[]>): { key: string; count: number } {
  let best = { key: '', count: 0 };
  for (const [key, times] of groups) {
    const count = maxInWindow(times);
    if (count > best.count) best = { key, count };
  }
  return best;
}

/** Distinct 404 paths per client IP. */
export function distinct404PathsByIp(records: LogRecord[]): Map<string, number> {
  const sets = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.status !== 404) continue;
    let set = sets.get(r.ip);
    if (set === undefined) {
      set = new Set();
      sets.set(r.ip, set);
    }
    set.add(r.path ?? '-');
  }
  return new Map([...sets].map(([ip, set]) => [ip, set.size]));
}
