/**
 * slow-pages on a hand-made combined-time log, quantiles worked out by hand (nearest rank
 * ⌈K·n/100⌉ over a route's sorted times at 0.1 ms): routes without their query, "-" times counted as
 * untimed and left out of the quantiles, ties on p95 broken by route, routes under the minimum
 * left out; and the combiner's histogram text giving the reducer what the raw values give it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import type { Job } from '../../src/batch/job';
import { SLOW_PAGES_MIN_REQUESTS, slowPagesJob } from '../../src/batch/jobs/slow-pages';
import type { LogRecord } from '../../src/log/record';

const dir = mkdtempSync(join(tmpdir(), 'loglab-slow-pages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One combined-time line: `us` is Apache's %D, or "-". */
function line(path: string, us: number | '-', second = 0): string {
  const t = `05/Dec/2026:10:00:${String(second % 60).padStart(2, '0')} +0000`;
  return `10.0.0.1 - - [${t}] "GET ${path} HTTP/1.1" 200 100 "-" "ua" ${us}`;
}

const lines: string[] = [];
// /a: 1..20 ms, every other one with a query; two requests without a time.
for (let i = 1; i <= 20; i++) lines.push(line(i % 2 ? `/a?q=${i}` : '/a', i * 1000, i));
lines.push(line('/a', '-'), line('/a?x=1', '-'));
// /b: 24 at 5.5 ms and one at 100.25 ms (100.3 at 0.1 ms): p50 and p95 5.5, p99 and max 100.3.
for (let i = 0; i < 24; i++) lines.push(line('/b', 5500, i));
lines.push(line('/b', 100250));
// /c: 20 at 5.5 ms, the same p95 as /b: ranked after it by route.
for (let i = 0; i < 20; i++) lines.push(line('/c', 5500, i));
// /d: one timed request short of the minimum; /e: no time at all.
for (let i = 1; i < SLOW_PAGES_MIN_REQUESTS; i++) lines.push(line('/d', 900_000, i));
for (let i = 0; i < 30; i++) lines.push(line('/e', '-', i));

const file = join(dir, 'timed.log');
writeFileSync(file, `${lines.join('\n')}\n`);

const EXPECTED = [
  { route: '/a', requests: 20, p50Ms: 10, p95Ms: 19, p99Ms: 20, maxMs: 20, untimed: 2 },
  { route: '/b', requests: 25, p50Ms: 5.5, p95Ms: 5.5, p99Ms: 100.3, maxMs: 100.3, untimed: 0 },
  { route: '/c', requests: 20, p50Ms: 5.5, p95Ms: 5.5, p99Ms: 5.5, maxMs: 5.5, untimed: 0 },
];

async function run(options: Parameters<typeof createEmbeddedRunner>[0], top?: number) {
  const r = await createEmbeddedRunner(options).run(
    [{ name: 'slow-pages', options: top === undefined ? {} : { top } }],
    { paths: [file] },
  );
  return r.jobs[0];
}

/** `job`'s map output for the records, then combine or not, then reduce: rows per key. */
function reduceByHand(job: Job, pairs: [string, string][], combine: boolean): unknown[] {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  const rows: unknown[] = [];
  for (const [key, values] of byKey) {
    let input = values;
    if (combine) {
      // Two combiner passes over halves, then one over their outputs, as a runner may.
      const half = values.length >> 1;
      const once: string[] = [];
      const emit = (k: string, v: string) => {
        expect(k).toBe(key);
        once.push(v);
      };
      job.combine?.(key, values.slice(0, half), emit);
      job.combine?.(key, values.slice(half), emit);
      const twice: string[] = [];
      job.combine?.(key, once, (_k, v) => twice.push(v));
      input = twice;
    }
    job.reduce(key, input, (_k, v) => rows.push(JSON.parse(v)));
  }
  return rows;
}

describe('slow-pages', () => {
  it('reports p50/p95/p99 and the maximum per route, slowest p95 first, ties by route', async () => {
    const j = await run({ workers: 1 });
    expect(j.rows).toEqual(EXPECTED);
    expect(j.counters.reduceInputGroups).toBe(5);
  });

  it('keeps the top N by p95', async () => {
    expect((await run({ workers: 1 }, 2)).rows).toEqual(EXPECTED.slice(0, 2));
  });

  it('gives the same bytes without the combiner, on 2 threads and when every map spills', async () => {
    const plain = JSON.stringify((await run({ workers: 1 })).rows);
    const variants = await Promise.all([
      run({ workers: 1, combiners: false }),
      run({ workers: 2, splitBytes: 1024, mainThreadSplits: 1, parallelReduceBytes: 1 }),
      run({ workers: 1, memoryBytes: 512 }),
    ]);
    for (const v of variants) expect(JSON.stringify(v.rows)).toBe(plain);
    expect(variants[2].counters.spills).toBeGreaterThan(1);
  });

  it('maps a time to 0.1 ms ticks, rounded half up, and a missing one to "-"', () => {
    const job = slowPagesJob();
    const out: [string, string][] = [];
    const emit = (k: string, v: string) => out.push([k, v]);
    const rec = (path: string | null, durationMs: number | null) =>
      ({ path, durationMs }) as LogRecord;
    job.map(rec('/p?id=7', 1.2344), emit);
    job.map(rec('/p', 1.25), emit);
    job.map(rec('/p', 0), emit);
    job.map(rec(null, 3), emit);
    job.map(rec('/p', null), emit);
    expect(out).toEqual([
      ['/p', '12'],
      ['/p', '13'],
      ['/p', '0'],
      ['-', '30'],
      ['/p', '-'],
    ]);
  });

  it('combines values into a value → count histogram the reducer reads as the raw values', () => {
    const job = slowPagesJob();
    const out: string[] = [];
    job.combine?.('/p', ['7', '3', '7', '-', '3:2', '-:4'], (_k, v) => out.push(v));
    expect(out).toEqual(['7:2 3:3 -:5']);
    // One route alone, 100 requests of 1..100 ms and 3 without a time, by hand and combined.
    const pairs: [string, string][] = [];
    for (let i = 100; i >= 1; i--) pairs.push(['/one', String(i * 10)]);
    pairs.push(['/one', '-'], ['/one', '-'], ['/one', '-']);
    const row = { route: '/one', requests: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 };
    expect(reduceByHand(job, pairs, false)).toEqual([{ ...row, untimed: 3 }]);
    expect(reduceByHand(job, pairs, true)).toEqual([{ ...row, untimed: 3 }]);
  });
});
