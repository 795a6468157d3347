/**
 * Stage 6, the whole pipeline as a user first meets it: `loglab demo` (what `npm run demo`
 * runs) as one process, start-up included, with its wall time and peak RSS, and the size of the
 * report it writes. Target: under 60 s on a 2-core machine (issue 11); the report under 2 MB.
 *
 *   npx tsx bench/demo.ts [--lines N] [--runs N]
 *
 * Default: the demo's own default day (200,000 lines, seed 42), one run, into a temporary
 * folder (its lake, run record and report; deleted afterwards), so a demo of the user's own in
 * out/demo is left alone. Embedded only: `loglab demo --cluster` starts services when they are
 * down, which a benchmark must not do. Writes bench/results/demo.json.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from '../src/bench/args';
import {
  createReport,
  formatReport,
  peakRssArgs,
  timeProcess,
  writeReport,
} from '../src/bench/harness';
import type { StageRecord } from '../src/report/run-record';

const TARGET_MS = 60_000;
const TARGET_REPORT_BYTES = 2 * 1024 * 1024;
const CLI = 'bin/loglab.mjs';

const args = benchArgs(
  'demo',
  `usage: npx tsx bench/demo.ts [--lines N] [--runs N]
The whole \`loglab demo\` (npm run demo) as one process on the embedded engine: wall time, CPU,
peak RSS and the report's size (default 200,000 lines, seed 42, one run). Writes
bench/results/demo.json.
example: npx tsx bench/demo.ts --runs 3`,
  { values: ['lines', 'runs'] },
);
const lines = args.count('lines', 200_000);
const runs = args.count('runs', 1);
const n = (x: number) => Math.round(x).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'loglab-bench-demo-'));
try {
  const out = join(dir, 'out');
  process.stdout.write(`loglab demo --lines ${n(lines)} into ${dir} …\n`);
  const row = await timeProcess({
    name: 'loglab demo',
    group: 'whole pipeline',
    command: process.execPath,
    args: [
      ...peakRssArgs(),
      CLI,
      'demo',
      '--lines',
      String(lines),
      '--out',
      out,
      '--lake',
      join(dir, 'lake'),
    ],
    runs,
    warmupRuns: 0,
    per: { lines },
    reportsPeakRss: true,
  });
  const reportBytes = statSync(join(out, 'report.html')).size;
  const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
    stages?: readonly StageRecord[];
  };
  const stages = (record.stages ?? [])
    .map((s) => `${s.name} ${n(s.lines)} lines in ${s.seconds.toFixed(1)} s`)
    .join('; ');
  const seconds = (row.meanMs / 1000).toFixed(1);
  const notes = [
    `loglab demo, ${n(lines)} lines (seed 42), embedded: ${seconds} s (target < ${TARGET_MS / 1000} s: ${row.meanMs < TARGET_MS ? 'met' : 'NOT met'}), peak RSS ${row.peakRssMB} MB`,
    `report.html: ${n(reportBytes)} bytes (target < 2 MB: ${reportBytes < TARGET_REPORT_BYTES ? 'met' : 'NOT met'})`,
    ...(stages === '' ? [] : [`stages, as the demo's run record gives them: ${stages}`]),
    `${runs === 1 ? 'one run' : `the mean of ${runs} runs (peak RSS: the largest)`}, start-up included`,
  ];
  const report = createReport('demo', [row], [], notes);
  process.stdout.write(formatReport(report));
  process.stdout.write(`results: ${writeReport(report)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
