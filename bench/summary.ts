/**
 * `loglab summary` against GoAccess (Debian's 1.7, one thread) on the same generated combined log,
 * both timed as whole processes, start-up included. The figures of both are compared first
 * (requests, statuses, unique visitors, hours, top URLs and addresses); a disagreement fails the
 * benchmark. Target: loglab at least 10x faster.
 *
 *   npx tsx bench/summary.ts [--lines N] [--runs N]
 *
 * The log (1,000,000 lines by default, every incident injected) is generated afresh for each run
 * in the system's temporary folder and removed at the end. Prints the table and writes
 * bench/results/summary.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  freeMemoryGiB,
  ratio,
  timeProcess,
  writeReport,
} from '../src/bench/harness';
import { defaultOptions, generateChunks, INCIDENT_KINDS } from '../src/generate/index';
import { compareWithGoAccess, goaccessFigures } from '../src/summary/goaccess';
import type { Summary } from '../src/summary/types';

const SEED = 42;

const args = benchArgs(
  'summary',
  `usage: npx tsx bench/summary.ts [--lines N] [--runs N]
\`loglab summary\` against GoAccess on the same generated log (default 1,000,000 lines), both
timed as whole processes after their figures are compared. Writes bench/results/summary.json.`,
  { values: ['lines', 'runs'] },
);

const lines = args.count('lines', 1_000_000);
const runs = args.count('runs', 3);

if (spawnSync('goaccess', ['--version']).status !== 0) {
  process.stderr.write('bench/summary: GoAccess is not installed (apt-get install goaccess)\n');
  process.exit(1);
}

/**
 * The generated log for this seed and size, written afresh by this run. A copy kept from an
 * earlier run may come from an older generator, and its figures (unique visitors) would not be
 * the ones this code gives; generating a million lines takes seconds, GoAccess's run 20.
 */
async function logFile(): Promise<string> {
  const file = join(tmpdir(), `loglab-bench-summary-seed${SEED}-${lines}-${process.pid}.log`);
  process.on('exit', () => rmSync(file, { force: true }));
  process.stdout.write(`generating ${lines} lines into ${file} …\n`);
  const out = createWriteStream(file);
  const options = defaultOptions({ lines, seed: SEED, incidents: [...INCIDENT_KINDS] });
  for (const chunk of generateChunks(options)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  return file;
}

const file = await logFile();
const bytes = statSync(file).size;
const per = { lines, bytes };
const loglab = ['bin/loglab.mjs', 'summary', file, '--json'];
const gaJson = join(tmpdir(), `loglab-bench-goaccess-${process.pid}.json`);
const goaccessArgs = [file, '--log-format=COMBINED', '-o', gaJson];

// The figures first: a fast wrong answer is worth nothing.
const ours = spawnSync(process.execPath, loglab, { encoding: 'utf8', maxBuffer: 1 << 26 });
if (ours.status !== 0) {
  process.stderr.write(`bench/summary: loglab summary failed: ${ours.stderr}\n`);
  process.exit(1);
}
const summary = JSON.parse(ours.stdout) as Summary;
const ga = spawnSync('goaccess', [...goaccessArgs, '--max-items=1000000'], { stdio: 'ignore' });
if (ga.status !== 0) {
  process.stderr.write(`bench/summary: goaccess exited with ${ga.status}\n`);
  process.exit(1);
}
// GoAccess writes raw bytes inside JSON strings: one character per byte.
const differences = compareWithGoAccess(
  summary,
  goaccessFigures(JSON.parse(readFileSync(gaJson, 'latin1'))),
);
if (differences.length > 0) {
  process.stderr.write(
    `bench/summary: loglab and GoAccess disagree:\n  ${differences.join('\n  ')}\n`,
  );
  process.exit(1);
}
const agreement =
  `figures agree with GoAccess: ${summary.total} requests, ${Object.keys(summary.statusCodes).length} status codes, ` +
  `${summary.uniqueVisitors} unique visitors, 24 hours, top ${summary.topUrls.length} URLs, top ${summary.topIps.length} IPs`;
process.stdout.write(`${agreement}\n`);

const rows: BenchRow[] = [];
rows.push(
  await timeProcess({
    name: 'loglab --help (start-up)',
    group: 'start-up',
    command: process.execPath,
    args: ['bin/loglab.mjs', '--help'],
    runs: 5,
    per: {},
  }),
);
rows.push(
  await timeProcess({
    name: 'loglab summary',
    group: 'summary',
    command: process.execPath,
    args: loglab,
    runs,
    per,
  }),
);
rows.push(
  await timeProcess({
    name: 'loglab summary --threads 1',
    group: 'summary',
    command: process.execPath,
    args: [...loglab, '--threads', '1'],
    runs,
    per,
  }),
);
rows.push(
  await timeProcess({
    name: 'goaccess',
    group: 'summary',
    command: 'goaccess',
    args: goaccessArgs,
    runs,
    warmupRuns: 1,
    per,
  }),
);
rmSync(gaJson, { force: true });

const report = createReport(
  'summary',
  rows,
  [
    ratio(rows, 'loglab summary', 'goaccess', 'loglab summary / GoAccess, whole processes', 10),
    ratio(rows, 'loglab summary', 'loglab summary --threads 1', 'loglab summary, all cores / one'),
  ],
  [
    `${lines} generated combined lines (seed ${SEED}, every incident), ${(bytes / 1e6).toFixed(0)} MB`,
    agreement,
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, free memory ${freeMemoryGiB()} GiB`,
  ],
);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
