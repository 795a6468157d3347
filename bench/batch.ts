/**
 * `loglab mapreduce run` on a generated log, timed as whole processes with their peak RSS: every
 * job in one pass on 1 and 2 threads, the four seed jobs together, and GoAccess's single pass
 * over the same log as the peer. The rows of 1 and 2 threads are compared first; a difference
 * fails the benchmark. Targets: 2 threads ≥ 1.6x one (on a quiet machine); the four seed jobs
 * faster than GoAccess.
 *
 *   npx tsx bench/batch.ts [--lines N] [--runs N] [--scale]
 *
 * --scale adds the scaling curve: every job on 2 threads over 100k, 1M and 10M lines, one run
 * each, with peak RSS (target: 10M lines under 512 MB). Logs are generated afresh in the
 * system's temporary folder and removed at the end. Writes bench/results/batch.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  freeMemoryGiB,
  peakRssArgs,
  ratio,
  timeProcess,
  writeReport,
} from '../src/bench/harness';
import { defaultOptions, generateChunks, INCIDENT_KINDS } from '../src/generate/index';

const SEED = 42;
const SEED_JOBS = 'errors,peak-hours,top-urls,ip-anomalies';

const args = benchArgs(
  'batch',
  `usage: npx tsx bench/batch.ts [--lines N] [--runs N] [--scale]
\`loglab mapreduce run\` on 1 and 2 threads against GoAccess on the same generated log (default
1,000,000 lines), whole processes with peak RSS; --scale adds 100k, 1M and 10M lines on 2
threads. Writes bench/results/batch.json.`,
  { values: ['lines', 'runs'], switches: ['scale'] },
);
const lines = args.count('lines', 1_000_000);
const runs = args.count('runs', 3);

async function logFile(n: number): Promise<string> {
  const file = join(tmpdir(), `loglab-bench-batch-seed${SEED}-${n}-${process.pid}.log`);
  process.on('exit', () => rmSync(file, { force: true }));
  process.stdout.write(`generating ${n} lines into ${file} …\n`);
  const out = createWriteStream(file);
  const options = defaultOptions({ lines: n, seed: SEED, incidents: [...INCIDENT_KINDS] });
  for (const chunk of generateChunks(options)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  return file;
}

const mapreduce = (file: string, jobs: string, workers: number) => [
  ...peakRssArgs(),
  'bin/loglab.mjs',
  'mapreduce',
  'run',
  jobs,
  '--input',
  file,
  '--workers',
  String(workers),
  '--json',
];

const file = await logFile(lines);
const bytes = statSync(file).size;
const per = { lines, bytes };

// The rows first: a fast wrong answer is worth nothing.
const outputs = [1, 2].map((workers) => {
  const r = spawnSync(process.execPath, mapreduce(file, 'all', workers).slice(2), {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) {
    process.stderr.write(`bench/batch: loglab mapreduce failed: ${r.stderr}\n`);
    process.exit(1);
  }
  return r.stdout;
});
if (outputs[0] !== outputs[1]) {
  process.stderr.write('bench/batch: rows on 1 and 2 threads differ\n');
  process.exit(1);
}
const jobCount = Object.keys(JSON.parse(outputs[0])).length;
process.stdout.write(`rows of all ${jobCount} jobs are the same on 1 and 2 threads\n`);

const rows: BenchRow[] = [];
for (const workers of [1, 2]) {
  rows.push(
    await timeProcess({
      name: `mapreduce all, ${workers} thread${workers === 1 ? '' : 's'}`,
      group: 'all jobs',
      command: process.execPath,
      args: mapreduce(file, 'all', workers),
      runs,
      per,
      reportsPeakRss: true,
    }),
  );
}
rows.push(
  await timeProcess({
    name: 'mapreduce seed four, 2 threads',
    group: 'seed jobs',
    command: process.execPath,
    args: mapreduce(file, SEED_JOBS, 2),
    runs,
    per,
    reportsPeakRss: true,
  }),
);
const goaccess = spawnSync('goaccess', ['--version']).status === 0;
const gaJson = join(tmpdir(), `loglab-bench-batch-goaccess-${process.pid}.json`);
if (goaccess) {
  rows.push(
    await timeProcess({
      name: 'goaccess',
      group: 'seed jobs',
      command: 'goaccess',
      args: [file, '--log-format=COMBINED', '-o', gaJson],
      runs,
      per,
    }),
  );
  rmSync(gaJson, { force: true });
}

if (args.on('scale')) {
  for (const n of [100_000, 1_000_000, 10_000_000]) {
    const f = n === lines ? file : await logFile(n);
    rows.push(
      await timeProcess({
        name: `mapreduce all, 2 threads, ${n} lines`,
        group: 'scaling',
        command: process.execPath,
        args: mapreduce(f, 'all', 2),
        runs: 1,
        warmupRuns: 0,
        per: { lines: n, bytes: statSync(f).size },
        reportsPeakRss: true,
      }),
    );
    if (f !== file) rmSync(f, { force: true });
  }
}

const ratios = [
  ratio(rows, 'mapreduce all, 2 threads', 'mapreduce all, 1 thread', '2 threads / 1 thread', 1.6),
];
if (goaccess) {
  ratios.push(
    ratio(rows, 'mapreduce seed four, 2 threads', 'goaccess', 'four seed jobs / GoAccess', 1),
  );
}
const report = createReport('batch', rows, ratios, [
  `${lines} generated combined lines (seed ${SEED}, every incident), ${(bytes / 1e6).toFixed(0)} MB`,
  `rows of all ${jobCount} jobs identical on 1 and 2 threads`,
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, free memory ${freeMemoryGiB()} GiB`,
]);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
