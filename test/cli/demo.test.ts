/**
 * `loglab demo` end to end on the embedded engine, at a small size: every line at every hop
 * (produced, consumed, stored in the lake, read by MapReduce), the batch jobs' totals equal to
 * the summary's, each injected incident detected, the record and the page written; a rerun
 * over the same lake gives the same record.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoTotals } from '../../src/pipeline/demo-totals';
import { parseRunRecord } from '../../src/report/run-record';
import { runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = 40_000;
const out = join(dir, 'out');
const lake = join(dir, 'lake');
const args = ['demo', '--lines', String(LINES), '--seed', '42', '--out', out, '--lake', lake];

/** Lines in every file under a directory. */
function linesUnder(path: string): number {
  let n = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) n += linesUnder(p);
    else n += readFileSync(p, 'utf8').split('\n').length - 1;
  }
  return n;
}

const readRecord = () => parseRunRecord(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');

describe('loglab demo', () => {
  it('runs every stage over a generated day: every line at every hop, the batch totals equal to the summary, each incident detected', async () => {
    const run = await runLoglab(args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'lines at every hop: generated 40,000, produced 40,000, consumed 40,000, stored in the lake 40,000, read by MapReduce 40,000',
    );
    const stageRows = run.stdout.split('\n').filter((l) => /^ {2}\S.* {2}40,000 /.test(l));
    expect(stageRows.map((l) => l.slice(2, 22).trim())).toEqual([
      'generate + produce',
      'detection',
      'archive',
      'batch',
      'report',
    ]);
    expect(run.stdout).toContain(`report: ${join(out, 'report.html')} (`);

    const record = readRecord();
    const totals = demoTotals(record);
    expect([totals.produced, totals.consumed, totals.stored, totals.batchInput]).toEqual([
      LINES,
      LINES,
      LINES,
      LINES,
    ]);
    // What the lake holds, counted here rather than taken from the archiver's word.
    expect(linesUnder(join(lake, 'loglab', 'raw'))).toBe(LINES);

    const { summary, batch } = record;
    expect(summary.read).toBe(LINES);
    expect(batch?.records).toBe(summary.total);
    expect(batch?.rejects).toBe(summary.rejected);
    const rows = (name: string) => batch?.jobs.find((j) => j.name === name)?.rows ?? [];
    expect(rows('peak-hours').map((r) => r.requests)).toEqual(summary.hourly);
    expect(rows('top-urls')).toEqual(summary.topUrls.map((u) => ({ url: u.key, hits: u.hits })));
    expect(rows('errors')).toEqual(summary.topErrors);
    expect(
      rows('ip-anomalies')
        .slice(0, 10)
        .map((r) => ({ key: r.ip, hits: r.requests })),
    ).toEqual(summary.topIps);

    expect(
      record.evaluation?.kinds.map((k) => [k.incidentKind, k.incidents, k.detected, k.alerts]),
    ).toEqual([
      ['error-burst', 1, 1, 2],
      ['ip-flood', 1, 1, 1],
      ['scanner', 1, 1, 1],
      ['surge', 1, 1, 4],
      ['outage', 1, 1, 2],
      ['ddos', 1, 1, 1],
      ['slow-scan', 1, 1, 1],
      ['slow-page', 1, 1, 1],
    ]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');

    // Again over the same lake: emptied first, so the same figures, not twice the lines.
    const again = await runLoglab(args);
    expect(again.code).toBe(0);
    const second = readRecord();
    expect(demoTotals(second)).toEqual(totals);
    expect(second.summary).toEqual(summary);
    expect(second.detection.alerts).toEqual(record.detection.alerts);
  }, 300_000);

  it('refuses a bad --lines with one line and exit code 2', async () => {
    const run = await runLoglab(['demo', '--lines', '12x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('loglab demo: --lines must be a whole number ≥ 1000, got "12x"\n');
  });

  it('refuses --no-start without --cluster (the embedded demo starts nothing) in one line', async () => {
    const run = await runLoglab(['demo', '--no-start']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('loglab demo: --no-start needs --cluster\n');
  });

  it('refuses --broker-wait without --cluster, and a bad one before it looks for a cluster, in one line', async () => {
    const embedded = await runLoglab(['demo', '--broker-wait', '30s']);
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toBe('loglab demo: --broker-wait needs --cluster\n');
    const bad = await runLoglab(['demo', '--cluster', '--broker-wait', 'forever']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'loglab demo: --broker-wait must be a duration such as 30s, 5m or 1h, got "forever"\n',
    );
  });

  it('refuses an HDFS lake that is not an absolute path before it looks for a cluster', async () => {
    const run = await runLoglab(['demo', '--cluster', '--lake', 'demo']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('loglab demo: lake path "demo" must start with /\n');
  });

  it('with --cluster --no-start refuses in one line, exit 2, when Kafka and HDFS are not up, and starts nothing', async () => {
    const run = await runLoglab(
      ['demo', '--cluster', '--no-start', '--out', join(dir, 'nostart')],
      {
        env: { LOGLAB_KAFKA_BROKERS: '127.0.0.1:9', LOGLAB_HDFS_URL: 'http://127.0.0.1:9' },
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^loglab demo: Kafka and HDFS \([^)]+\) not up, and --no-start leaves them as they are: start them with npm run cluster -- up, or run without --no-start\n$/,
    );
    expect(run.stderr).not.toContain('starting');
  });
});
