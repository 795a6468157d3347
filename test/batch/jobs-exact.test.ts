/**
 * Every built-in job's rows on a small hand-made log (fixtures/small-log.ts), counted by hand.
 * The embedded runner reads it on one thread; equivalence across threads, reducers and spills is
 * tested beside this (runner-equivalence.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import type { Row } from '../../src/batch/job';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { robustScores } from '../../src/batch/jobs/ip-anomalies';
import { sessionSummary } from '../../src/batch/jobs/sessions';
import { SMALL_LOG } from './fixtures/small-log';

const dir = mkdtempSync(join(tmpdir(), 'loglab-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'small.log');
writeFileSync(file, `${SMALL_LOG}\n`);

const result = createEmbeddedRunner({ workers: 1 }).run(
  JOB_NAMES.map((name) => ({ name })),
  { paths: [file] },
);

async function rowsOf(name: string): Promise<Row[]> {
  const r = await result;
  return r.jobs.find((j) => j.name === name)?.rows ?? [];
}

describe('each job on a hand-made log', () => {
  it('counts records and the one rejected line', async () => {
    const r = await result;
    expect(r.counters).toEqual({
      records: 11,
      rejects: 1,
      inputFiles: 1,
      inputBytes: Buffer.byteLength(SMALL_LOG) + 1,
      splits: 1,
    });
    expect(r.jobs.map((j) => j.name)).toEqual(JOB_NAMES);
  });

  it('errors: URL, status and count of 4xx/5xx, most first, ties by "status url"', async () => {
    expect(await rowsOf('errors')).toEqual([
      { url: '/missing', status: 404, count: 2 },
      { url: '/b', status: 500, count: 1 },
      { url: '/b?y=2', status: 500, count: 1 },
    ]);
  });

  it('peak-hours: 24 UTC hours in order, the busiest marked', async () => {
    const rows = await rowsOf('peak-hours');
    expect(rows).toHaveLength(24);
    expect(rows.filter((r) => r.requests !== 0)).toEqual([
      { hour: '00', requests: 4, peak: false },
      { hour: '10', requests: 5, peak: true },
      { hour: '11', requests: 1, peak: false },
      { hour: '23', requests: 1, peak: false },
    ]);
    expect(rows.map((r) => r.hour)).toEqual(
      Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')),
    );
  });

  it('top-urls: hits per request target, ties by URL', async () => {
    expect(await rowsOf('top-urls')).toEqual([
      { url: '/a', hits: 5 },
      { url: '/missing', hits: 2 },
      { url: '/b', hits: 1 },
      { url: '/b?x=1', hits: 1 },
      { url: '/b?y=2', hits: 1 },
      { url: '/c', hits: 1 },
    ]);
  });

  it('ip-anomalies: requests, errors, distinct URLs and the robust z-score', async () => {
    // Requests 4, 3, 3, 1: median 3, MAD 0.5, scale 0.7413; (4 − 3) / 0.7413 = 1.35.
    expect(await rowsOf('ip-anomalies')).toEqual([
      { ip: '10.0.0.1', requests: 4, errors: 1, distinctUrls: 3, score: 1.35, flagged: false },
      { ip: '10.0.0.2', requests: 3, errors: 2, distinctUrls: 3, score: 0, flagged: false },
      { ip: '10.0.0.3', requests: 3, errors: 1, distinctUrls: 2, score: 0, flagged: false },
      { ip: '10.0.0.4', requests: 1, errors: 0, distinctUrls: 1, score: -2.7, flagged: false },
    ]);
  });

  it('ip-anomalies scores with the mean absolute deviation when the MAD is 0', () => {
    // Median 1, MAD 0; mean absolute deviation 49 / 5 = 9.8, scale 1.2533 · 9.8 = 12.282.
    const scores = robustScores([1, 1, 1, 1, 50]);
    expect(scores.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(scores[4]).toBeCloseTo(49 / (1.2533 * 9.8), 10);
    expect(robustScores([7, 7, 7])).toEqual([0, 0, 0]);
  });

  it('unique-visitors: address + user agent per UTC day, 4xx left out', async () => {
    // 05 Dec: .1 UA-1, .2 UA-2, .2 "UA-2<tab>Tabbed", .3 "-"; 06 Dec: .3 "-", .1 UA-1, .4 UA-1.
    expect(await rowsOf('unique-visitors')).toEqual([
      { date: '2026-12-05', visitors: 4 },
      { date: '2026-12-06', visitors: 3 },
    ]);
  });

  it('bytes-per-route: the path without its query, "-" bytes as 0, heaviest first', async () => {
    expect(await rowsOf('bytes-per-route')).toEqual([
      { route: '/a', requests: 5, bytes: 400, avgBytes: 80 },
      { route: '/b', requests: 3, bytes: 50, avgBytes: 17 },
      { route: '/missing', requests: 2, bytes: 20, avgBytes: 10 },
      { route: '/c', requests: 1, bytes: 7, avgBytes: 7 },
    ]);
  });

  it('status-per-hour: requests per hour and status, in hour then status order', async () => {
    expect(await rowsOf('status-per-hour')).toEqual([
      { hour: '00', status: 200, requests: 2 },
      { hour: '00', status: 304, requests: 1 },
      { hour: '00', status: 404, requests: 1 },
      { hour: '10', status: 200, requests: 3 },
      { hour: '10', status: 500, requests: 2 },
      { hour: '11', status: 404, requests: 1 },
      { hour: '23', status: 200, requests: 1 },
    ]);
  });

  it('sessions: cut at 30 minutes of inactivity per address + user agent, as histograms', async () => {
    // .1 UA-1: 10:00–10:10, 11:00, next day 00:45 (3 sessions, 600 s, pages 2 1 1);
    // .2 UA-2: 10:05–10:06 (60 s, 2); .2 "UA-2<tab>Tabbed": 10:07 (0 s, 1);
    // .3 "-": 23:59:59, 00:00:01, 00:30:00, gaps under 30 min (1801 s, 3); .4 UA-1: 00:50 (0 s, 1).
    // 7 sessions, 2461 s, 11 pages; 60 s is the lower bound of "1-5 min".
    const row = (measure: string, bucket: string, sessions = 0, pages = 0, seconds = 0) => ({
      measure,
      bucket,
      sessions,
      pages,
      seconds,
    });
    const rows = await rowsOf('sessions');
    expect(rows).toEqual([
      row('length', '< 1 s', 4, 4, 0),
      row('length', '1 s - 1 min'),
      row('length', '1-5 min', 1, 2, 60),
      row('length', '5-15 min', 1, 2, 600),
      row('length', '15-30 min'),
      row('length', '30-60 min', 1, 3, 1801),
      row('length', '1-2 h'),
      row('length', '2-4 h'),
      row('length', '4 h +'),
      row('pages', '1', 4, 4, 0),
      row('pages', '2', 2, 4, 660),
      row('pages', '3-4', 1, 3, 1801),
      row('pages', '5-9'),
      row('pages', '10-19'),
      row('pages', '20-49'),
      row('pages', '50-99'),
      row('pages', '100-999'),
      row('pages', '1000 +'),
    ]);
    expect(sessionSummary(rows as never)).toEqual({
      sessions: 7,
      avgSeconds: 351.57,
      avgPages: 1.57,
    });
  });

  it('keeps the top N it is given', async () => {
    const r = await createEmbeddedRunner({ workers: 1 }).run(
      [
        { name: 'top-urls', options: { top: 2 } },
        { name: 'errors', options: { top: 1 } },
      ],
      { paths: [file] },
    );
    expect(r.jobs[0].rows).toEqual([
      { url: '/a', hits: 5 },
      { url: '/missing', hits: 2 },
    ]);
    expect(r.jobs[1].rows).toEqual([{ url: '/missing', status: 404, count: 2 }]);
  });
});
