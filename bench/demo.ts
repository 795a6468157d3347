/**
 * Stage 6, the whole pipeline as a user first meets it: `loglab demo` (what `npm run demo`
 * runs) as one process, start-up included, with its wall time, peak RSS, the size of the report
 * it writes and each stage's figures from the demo's own run record. Target: under 60 s on a
 * 2-core machine (issue 11); the report under 2 MB.
 *
 * Beside it, when Kafka, HDFS and the Hadoop jars are there, `loglab demo --cluster` (what
 * `npm run demo -- --cluster` runs) the same way, on its own topic and HDFS lake (deleted
 * afterwards), and its totals at every hop held against the embedded run's for the same seed.
 * The benchmark never starts a service: the demo would, and that is not what is measured, so a
 * service that does not answer skips the cluster part with one note saying why.
 *
 *   npx tsx bench/demo.ts [--lines N] [--runs N] [--no-cluster]
 *
 * Default: the demo's own default day (200,000 lines, seed 42), one run, into a temporary
 * folder (its lake, run record and report; deleted afterwards), so a demo of the user's own in
 * out/demo is left alone. Writes bench/results/demo.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  peakRssArgs,
  type Ratio,
  ratio,
  timeProcess,
  writeReport,
} from '../src/bench/harness';
import { createBroker, createStore, loadConfig } from '../src/config';
import { hadoopLibDir } from '../src/hadoop/hadoop-lib';
import { DEMO_ARCHIVE_GROUP, DEMO_GROUP } from '../src/pipeline/demo-run';
import { demoTotals } from '../src/pipeline/demo-totals';
import { parseRunRecord, type RunRecord } from '../src/report/run-record';
import { webHdfsDown } from '../src/storage/webhdfs-probe';
import { kafkaAnswers } from '../src/stream/kafka-broker';
import { removeScratch } from '../src/stream/scratch';

const TARGET_MS = 60_000;
const TARGET_REPORT_BYTES = 2 * 1024 * 1024;
const CLI = 'bin/loglab.mjs';
const SEED = 42;

const args = benchArgs(
  'demo',
  `usage: npx tsx bench/demo.ts [--lines N] [--runs N] [--no-cluster]
The whole \`loglab demo\` (npm run demo) as one process on the embedded engine: wall time, CPU,
peak RSS, the report's size and each stage's figures (default 200,000 lines, seed 42, one run);
and \`loglab demo --cluster\` the same way when Kafka, HDFS and the Hadoop jars are there
(--no-cluster leaves it out; services are never started). Writes bench/results/demo.json.
example: npx tsx bench/demo.ts --runs 3`,
  { values: ['lines', 'runs'], switches: ['no-cluster'] },
);
const lines = args.count('lines', 200_000);
const runs = args.count('runs', 1);
const n = (x: number) => Math.round(x).toLocaleString('en-US');

interface DemoRun {
  readonly row: BenchRow;
  readonly record: RunRecord;
  readonly reportBytes: number;
}

/** One `loglab demo` with these flags, timed as a whole process; its record and report read back. */
async function timeDemo(name: string, out: string, flags: string[]): Promise<DemoRun> {
  process.stdout.write(`${name} --lines ${n(lines)} …\n`);
  const row = await timeProcess({
    name,
    group: 'whole pipeline',
    command: process.execPath,
    args: [
      ...peakRssArgs(),
      CLI,
      'demo',
      '--lines',
      String(lines),
      '--seed',
      String(SEED),
      '--out',
      out,
      ...flags,
    ],
    runs,
    warmupRuns: 0,
    per: { lines },
    reportsPeakRss: true,
  });
  const recordPath = join(out, 'run.json');
  const reportBytes = statSync(join(out, 'report.html')).size;
  return {
    // The report's size rides on the row, so a target can be judged on it (src/bench/targets.ts).
    row: Object.assign(row, { reportBytes }),
    record: parseRunRecord(readFileSync(recordPath, 'utf8'), recordPath),
    reportBytes,
  };
}

/**
 * A row per stage of the demo's run record (the last run's): its lines and seconds as the demo
 * measured them. The stages overlap (detection and the archiver read the topic while it is
 * written), so they do not add up to the whole.
 */
function stageRows(name: string, run: DemoRun): BenchRow[] {
  return run.record.stages.map((s) => {
    const ms = s.seconds * 1000;
    return {
      name: `${name}: ${s.name}`,
      group: `${name} stages`,
      kind: 'process',
      opsPerSec: 1000 / ms,
      meanMs: ms,
      p50Ms: ms,
      p99Ms: ms,
      rmePct: 0,
      samples: 1,
      per: { lines: s.lines },
      linesPerSec: s.seconds > 0 ? s.lines / s.seconds : 0,
    };
  });
}

function describeRun(label: string, run: DemoRun): string[] {
  const stages = run.record.stages
    .map((s) => `${s.name} ${n(s.lines)} lines in ${s.seconds.toFixed(1)} s (${s.detail})`)
    .join('; ');
  return [
    `${label}: ${(run.row.meanMs / 1000).toFixed(1)} s, peak RSS ${run.row.peakRssMB} MB (the Node process; on the cluster the services and Hadoop's JVMs are not in it), report.html ${n(run.reportBytes)} bytes (target < 2 MB: ${run.reportBytes < TARGET_REPORT_BYTES ? 'met' : 'NOT met'})`,
    ...(stages === '' ? [] : [`${label}, stages from its run record: ${stages}`]),
  ];
}

/** Why the cluster part cannot run (a service down, the jars missing), or null. */
async function clusterMissing(config: ReturnType<typeof loadConfig>): Promise<string | null> {
  if (!(await kafkaAnswers(config.kafka.brokers))) {
    return `no Kafka broker answers at ${config.kafka.brokers.join(',')}`;
  }
  const hdfs = await webHdfsDown(config.hdfs.url, config.hdfs.user);
  if (hdfs !== null) return `HDFS is not up at ${config.hdfs.url} (${hdfs})`;
  if (!existsSync(hadoopLibDir())) return `the Hadoop jars are not in ${hadoopLibDir()}`;
  return null;
}

const dir = mkdtempSync(join(tmpdir(), 'loglab-bench-demo-'));
const suffix = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
const topic = `loglab.bench.demo.${suffix}`;
const hdfsLake = `/tmp/loglab-bench-demo-${suffix}`;
const config = loadConfig();
let clusterStarted = false;
try {
  const embedded = await timeDemo('loglab demo', join(dir, 'out'), ['--lake', join(dir, 'lake')]);
  const rows: BenchRow[] = [embedded.row];
  const ratios: Ratio[] = [];
  const seconds = (embedded.row.meanMs / 1000).toFixed(1);
  const notes = [
    `loglab demo, ${n(lines)} lines (seed ${SEED}), embedded: ${seconds} s (target < ${TARGET_MS / 1000} s: ${embedded.row.meanMs < TARGET_MS ? 'met' : 'NOT met'}), peak RSS ${embedded.row.peakRssMB} MB`,
    ...describeRun('embedded', embedded),
  ];
  let cluster: DemoRun | null = null;
  if (args.on('no-cluster')) {
    notes.push('the cluster demo left out (--no-cluster)');
  } else {
    const missing = await clusterMissing(config);
    if (missing !== null) {
      notes.push(`the cluster demo skipped: ${missing}`);
    } else {
      clusterStarted = true;
      cluster = await timeDemo('loglab demo --cluster', join(dir, 'cluster-out'), [
        '--cluster',
        '--topic',
        topic,
        '--lake',
        hdfsLake,
      ]);
      const ours = demoTotals(cluster.record) as unknown as Record<string, unknown>;
      const theirs = demoTotals(embedded.record) as unknown as Record<string, unknown>;
      const differ = Object.keys(theirs).filter(
        (k) => JSON.stringify(ours[k]) !== JSON.stringify(theirs[k]),
      );
      notes.push(
        ...describeRun('cluster', cluster),
        differ.length === 0
          ? 'totals of the cluster run equal the embedded run’s: lines at every hop, alerts opened per kind, every batch job’s rows'
          : `totals of the cluster run DIFFER from the embedded run’s in: ${differ.join(', ')}`,
      );
      rows.push(cluster.row);
      ratios.push(
        ratio(rows, 'loglab demo', 'loglab demo --cluster', 'embedded demo / cluster demo'),
      );
    }
  }
  rows.push(...stageRows('loglab demo', embedded));
  if (cluster !== null) rows.push(...stageRows('loglab demo --cluster', cluster));
  notes.push(
    `${runs === 1 ? 'one run' : `the mean of ${runs} runs (peak RSS: the largest; stages: the last run)`}, start-up included`,
  );
  const report = createReport('demo', rows, ratios, notes);
  process.stdout.write(formatReport(report));
  process.stdout.write(`results: ${writeReport(report)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (clusterStarted) {
    const broker = createBroker('cluster', config);
    await removeScratch(broker, {
      topics: [topic],
      groups: [`${DEMO_GROUP}.${topic}`, `${DEMO_ARCHIVE_GROUP}.${topic}`],
    });
    await broker.close();
    const store = await createStore('cluster', config);
    await store.delete(hdfsLake, { recursive: true, missingOk: true });
    await store.close();
  }
}
