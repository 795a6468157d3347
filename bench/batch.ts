/**
 * `loglab mapreduce run` on a generated log, timed as whole processes with their peak RSS: every
 * job in one pass on 1 and 2 threads, the four seed jobs together, and GoAccess's single pass
 * over the same log as the peer. The rows of 1 and 2 threads are compared first; a difference
 * fails the benchmark. Targets: 2 threads ≥ 1.6x one (on a quiet machine); the four seed jobs
 * faster than GoAccess.
 *
 * Beside them, in the same run and over the same lines, the other ways the same jobs run:
 * - Hadoop's local job runner (`--engine hadoop`) and YARN (`--engine yarn`), every job as one
 *   Hadoop Streaming job over the log uploaded to HDFS beforehand (the upload is not timed), one
 *   run each; skipped, with the reason, when HDFS or YARN does not answer or the Hadoop jars are
 *   missing. Target: the embedded runner ≥ 20x the local runner.
 * - `node task.mjs <jobs> map | LC_ALL=C sort | node task.mjs <jobs> reduce`, the task script
 *   Hadoop runs, in a shell pipe: the floor of what Hadoop Streaming can do with those scripts
 *   (C collation, as Hadoop sorts keys by bytes; no combiner).
 * Each of them must give the embedded runner's `--json` byte for byte, or the benchmark fails.
 *
 *   npx tsx bench/batch.ts [--lines N] [--runs N] [--scale] [--no-hadoop]
 *
 * --scale adds the scaling curve: every job on 2 threads over 100k, 1M and 10M lines, one run
 * each, with peak RSS (target: 10M lines under 512 MB). Logs are generated afresh in the
 * system's temporary folder and removed at the end. Writes bench/results/batch.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { splitOutputs } from '../src/batch/job-set';
import { createJob, JOB_NAMES } from '../src/batch/jobs/index';
import { rowsOf } from '../src/batch/rows';
import { bundleTaskScript } from '../src/batch/task-bundle';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  childrenCpuMs,
  createReport,
  formatReport,
  freeMemoryGiB,
  peakRssArgs,
  type Ratio,
  ratio,
  timeOnce,
  timeProcess,
  writeReport,
} from '../src/bench/harness';
import { createStore, loadConfig } from '../src/config';
import { defaultOptions, generateChunks, INCIDENT_KINDS } from '../src/generate/index';
import { hadoopLibDir } from '../src/hadoop/hadoop-lib';
import { resourceManagerDown } from '../src/hadoop/resource-manager';
import { webHdfsDown } from '../src/storage/webhdfs-probe';

const SEED = 42;
const SEED_JOBS = 'errors,peak-hours,top-urls,ip-anomalies';

const args = benchArgs(
  'batch',
  `usage: npx tsx bench/batch.ts [--lines N] [--runs N] [--scale] [--no-hadoop]
\`loglab mapreduce run\` on 1 and 2 threads against GoAccess on the same generated log (default
1,000,000 lines), whole processes with peak RSS, beside Hadoop's local runner, YARN (each
skipped when its service is down; --no-hadoop leaves both out) and the task script in a shell
pipe with sort; --scale adds 100k, 1M and 10M lines on 2 threads. Writes
bench/results/batch.json.`,
  { values: ['lines', 'runs'], switches: ['scale', 'no-hadoop'] },
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

const loadAtStart = loadavg();
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

// The same jobs through the task script Hadoop runs and through Hadoop itself, one run each
// (minutes, not seconds), each checked against the embedded runner's --json.
const notes: string[] = [];
const expected = outputs[0];
const names = JOB_NAMES.join(',');

/** One run of a command, timed as one sample, its stdout kept for the comparison. */
async function timeCaptured(
  name: string,
  command: string,
  argv: string[],
): Promise<{ row: BenchRow; stdout: string }> {
  let stdout = '';
  const cpuBefore = childrenCpuMs();
  const row = await timeOnce(
    name,
    'all jobs',
    per,
    // An async function: tinybench calls a plain one once more to see whether it returns a
    // promise, which here would start a second run alongside the timed one.
    async () =>
      await new Promise<void>((resolve, reject) => {
        const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let err = '';
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => {
          err = (err + d.toString()).slice(-2000);
        });
        child.once('error', reject);
        child.once('close', (code) => {
          stdout = Buffer.concat(out).toString('utf8');
          if (code === 0) resolve();
          else reject(new Error(`${name}: exited ${code}: ${err.trim()}`));
        });
      }),
  );
  const cpuAfter = childrenCpuMs();
  // The CPU time of the process and what it waited for: on YARN, not the containers' time.
  const cpuMs =
    cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { row: { ...row, kind: 'process', cpuMs }, stdout };
}

function same(name: string, stdout: string): void {
  if (stdout !== expected) {
    process.stderr.write(`bench/batch: ${name} gave other rows than the embedded runner\n`);
    process.exit(1);
  }
  process.stdout.write(`${name}: the embedded runner's --json, byte for byte\n`);
}

/** The reducers' `key TAB value` lines as `loglab mapreduce run all --json` prints them. */
function pipeJson(text: string): string {
  const byJob = splitOutputs(JOB_NAMES, [text]);
  const all: Record<string, { rows: unknown[] }> = {};
  for (const name of JOB_NAMES) {
    all[name] = { rows: rowsOf(createJob(name, { top: 10 }), byJob.get(name) ?? []) };
  }
  return `${JSON.stringify(all)}\n`;
}

const PIPE = 'task script | sort | task script';
const script = await bundleTaskScript();
process.on('exit', () => rmSync(dirname(script), { recursive: true, force: true }));
{
  const { row, stdout } = await timeCaptured(PIPE, 'sh', [
    '-c',
    'node "$1" "$2" map < "$3" | LC_ALL=C sort -T "$4" | node "$1" "$2" reduce',
    'sh',
    script,
    names,
    file,
    tmpdir(),
  ]);
  same(PIPE, pipeJson(stdout));
  rows.push(row);
}

const LOCAL = 'Hadoop local runner, 2 tasks at once';
const YARN = 'YARN';
const config = loadConfig();
const lib = hadoopLibDir();
if (args.on('no-hadoop')) {
  notes.push('Hadoop local runner and YARN: left out (--no-hadoop)');
} else {
  const hdfsDown = await webHdfsDown(config.hdfs.url, config.hdfs.user);
  const why = !existsSync(lib)
    ? `no Hadoop jars in ${lib} (\`npm run cluster -- jars --services yarn\`)`
    : hdfsDown !== null
      ? `HDFS is not up at ${config.hdfs.url} (${hdfsDown}); \`npm run cluster -- up --services kafka,hdfs\` starts it`
      : null;
  if (why !== null) {
    notes.push(`Hadoop local runner and YARN skipped: ${why}`);
  } else {
    const store = await createStore('cluster', config);
    const dir = `/tmp/loglab-bench-batch-${process.pid}-${Date.now()}`;
    try {
      process.stdout.write(`uploading the log to ${dir} on HDFS (not timed) …\n`);
      const out = await store.create(`${dir}/raw/access.log`);
      await pipeline(createReadStream(file), out);
      await finished(out);
      const hadoop = (engine: string) => [
        'bin/loglab.mjs',
        'mapreduce',
        'run',
        'all',
        '--engine',
        engine,
        '--input',
        `${dir}/raw`,
        '--workers',
        '2',
        '--json',
      ];
      const local = await timeCaptured(LOCAL, process.execPath, hadoop('hadoop'));
      same(LOCAL, local.stdout);
      rows.push(local.row);
      const rm = config.yarn.resourceManager;
      const yarnDown = await resourceManagerDown(rm);
      if (yarnDown !== null) {
        notes.push(
          `YARN skipped: its ResourceManager at ${rm} did not answer (${yarnDown}); \`npm run cluster -- up --services kafka,hdfs,yarn\` starts it`,
        );
      } else {
        const yarn = await timeCaptured(YARN, process.execPath, hadoop('yarn'));
        same(YARN, yarn.stdout);
        rows.push(yarn.row);
      }
    } finally {
      await store.delete(dir, { recursive: true, missingOk: true });
      await store.close();
    }
  }
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

const ratios: Ratio[] = [
  ratio(rows, 'mapreduce all, 2 threads', 'mapreduce all, 1 thread', '2 threads / 1 thread', 1.6),
];
const has = (name: string) => rows.some((r) => r.name === name);
const against: [string, string, string, number?][] = [
  ['mapreduce all, 2 threads', LOCAL, 'embedded 2 threads / Hadoop local runner', 20],
  ['mapreduce all, 1 thread', LOCAL, 'embedded 1 thread / Hadoop local runner', 20],
  ['mapreduce all, 2 threads', YARN, 'embedded 2 threads / YARN'],
  ['mapreduce all, 2 threads', PIPE, 'embedded 2 threads / task scripts piped through sort'],
  ['mapreduce all, 1 thread', PIPE, 'embedded 1 thread / task scripts piped through sort'],
  [PIPE, LOCAL, 'task scripts piped through sort / Hadoop local runner'],
];
const seconds = (name: string) =>
  `${((rows.find((r) => r.name === name)?.meanMs ?? 0) / 1000).toFixed(1)} s`;
for (const [subject, baseline, label, target] of against) {
  if (!has(subject) || !has(baseline)) continue;
  ratios.push(ratio(rows, subject, baseline, label, target));
  notes.push(`${label}: ${seconds(subject)} against ${seconds(baseline)}`);
}
if (goaccess) {
  ratios.push(
    ratio(rows, 'mapreduce seed four, 2 threads', 'goaccess', 'four seed jobs / GoAccess', 1),
  );
}
const report = createReport('batch', rows, ratios, [
  `${lines} generated combined lines (seed ${SEED}, every incident), ${(bytes / 1e6).toFixed(0)} MB`,
  `rows of all ${jobCount} jobs identical on 1 and 2 threads${
    has(LOCAL) || has(YARN)
      ? ', in the task scripts piped through sort and on Hadoop'
      : ' and in the task scripts piped through sort'
  }`,
  ...(has(LOCAL)
    ? [
        'Hadoop rows: every job as one Streaming job over the log already on HDFS, one reducer, --workers 2, one run each; their cpu ms leave out YARN containers',
      ]
    : []),
  ...notes,
  `load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end (1, 5, 15 min), free memory ${freeMemoryGiB()} GiB`,
]);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
