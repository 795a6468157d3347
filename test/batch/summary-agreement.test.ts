/**
 * Where a job and `loglab summary` compute the same figure, they agree: on a generated day with
 * every incident and on the real log shipped in data/real-logs/. Totals and rejects, requests
 * per status, per hour and the peak hour, the top URLs, the error rows, the busiest addresses
 * and unique visitors (GoAccess's definition in both; the summary is held to GoAccess itself in
 * test/summary/goaccess-agreement.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import type { Row } from '../../src/batch/job';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import { summaryOf } from '../../src/summary/aggregator';
import { summarizeFile } from '../../src/summary/file';
import { ELASTIC, realLogPath } from '../log/real-logs';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function generatedDay(): string {
  const path = join(dir, 'day.log');
  const lines = [
    ...generateLines(defaultOptions({ lines: 40_000, seed: 3, incidents: [...INCIDENT_KINDS] })),
  ];
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
  return path;
}

async function agree(path: string): Promise<void> {
  const summary = summaryOf(await summarizeFile(path, { threads: 1 }), { top: 10 });
  const run = await createEmbeddedRunner({ workers: 2 }).run(
    JOB_NAMES.map((name) => ({ name })),
    { paths: [path] },
    { reducers: 3 },
  );
  const rows = (name: string): Row[] => run.jobs.find((j) => j.name === name)?.rows ?? [];

  expect(run.counters.records).toBe(summary.total);
  expect(run.counters.rejects).toBe(summary.rejected);

  const perStatus: Record<string, number> = {};
  for (const r of rows('status-per-hour')) {
    perStatus[String(r.status)] = (perStatus[String(r.status)] ?? 0) + (r.requests as number);
  }
  expect(perStatus).toEqual(summary.statusCodes);

  expect(rows('peak-hours').map((r) => r.requests)).toEqual(summary.hourly);
  const peak = rows('peak-hours').find((r) => r.peak);
  expect({ hour: Number(peak?.hour), requests: peak?.requests }).toEqual(summary.peakHour);

  expect(rows('top-urls')).toEqual(summary.topUrls.map((u) => ({ url: u.key, hits: u.hits })));
  expect(rows('errors')).toEqual(summary.topErrors);
  expect(
    rows('ip-anomalies')
      .slice(0, 10)
      .map((r) => ({ key: r.ip, hits: r.requests })),
  ).toEqual(summary.topIps);
  const visitors = rows('unique-visitors').reduce((n, r) => n + (r.visitors as number), 0);
  expect(visitors).toBe(summary.uniqueVisitors);
}

describe('mapreduce jobs agree with loglab summary', () => {
  it('on a generated day with every incident', async () => {
    await agree(generatedDay());
  });

  it('on the real elastic/examples log', async () => {
    await agree(realLogPath(ELASTIC));
  });
});
