/**
 * Run the benchmarks: every `bench/<stage>.ts`, one after the other (they compete for the same
 * two cores otherwise), then redraw bench/results/summary.svg and regenerate BENCHMARKS.md from
 * the results (scripts/benchmarks-md.ts).
 *
 * Two runs, so the embedded one never needs a service and the cluster one never quietly skips:
 * - `npm run bench` (embedded): every stage, each script told to leave its cluster part out
 *   (`CLUSTER_PARTS` below); a stage that is nothing but cluster (storage) is not run. Results
 *   in `bench/results/<stage>.json`.
 * - `npm run bench:cluster`: the stages with a cluster part, whole (their embedded rows too: the
 *   ratios compare both in the same run), after checking that Kafka and HDFS answer; a service
 *   that is down, or a cluster part a script still skipped, fails the run with one line.
 *   Results in `bench/results/cluster/<stage>.json` (LOGLAB_BENCH_RESULTS).
 * A new `bench/<stage>.ts` that reaches a service must be listed in `CLUSTER_PARTS`.
 *
 *   npm run bench                    every embedded stage
 *   npm run bench -- parse summary   only these
 *   npm run bench -- --chart         and draw each stage's chart, bench/results/<stage>.svg
 *   npm run bench -- cli -- --lines 10000000   arguments after a second `--` go to each script
 *   npm run bench:cluster -- storage  the cluster run of one stage
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BENCH_RESULTS_DIR, loadConfig } from '../src/config';
import { webHdfsDown } from '../src/storage/webhdfs-probe';
import { kafkaAnswers } from '../src/stream/kafka-broker';

/**
 * The stages whose script reaches Kafka, HDFS or Hadoop: the flags that keep it to its embedded
 * part, or `null` when there is no embedded part.
 */
const CLUSTER_PARTS: Readonly<Record<string, readonly string[] | null>> = {
  archive: ['--no-cluster'],
  batch: ['--no-hadoop'],
  demo: ['--no-cluster'],
  e2e: ['--no-cluster'],
  latency: ['--no-cluster'],
  storage: null,
  stream: ['--no-cluster'],
};

/** Words a script's notes use when it left its cluster part out for want of a service. */
const SKIPPED = /\bskipped\b|\bnot measured\b|only the embedded part ran/;

const allArgs = process.argv.slice(2);
const split = allArgs.indexOf('--');
const args = split === -1 ? allArgs : allArgs.slice(0, split);
const passed = split === -1 ? [] : allArgs.slice(split + 1);
const cluster = args.includes('--cluster');
const name = cluster ? 'bench:cluster' : 'bench';
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run bench [-- [STAGE ...] [--chart] [-- SCRIPT-ARGS ...]]\n' +
      '       npm run bench:cluster [-- [STAGE ...] [--chart] [-- SCRIPT-ARGS ...]]\n' +
      '  bench runs bench/<stage>.ts for every stage (or the ones named) without services and\n' +
      '  writes bench/results/<stage>.json; bench:cluster runs the stages that have a cluster part\n' +
      `  (${Object.keys(CLUSTER_PARTS).join(', ')}) against Kafka, HDFS and Hadoop and writes\n` +
      '  bench/results/cluster/<stage>.json. Both then redraw bench/results/summary.svg and\n' +
      '  regenerate BENCHMARKS.md. --chart also draws bench/results/<stage>.svg. SCRIPT-ARGS go\n' +
      '  to each script.\n' +
      'examples:\n' +
      '  npm run bench -- parse summary\n' +
      '  npm run bench -- cli -- --lines 10000000\n' +
      '  npm run bench:cluster -- storage -- --runs 5\n',
  );
  process.exit(0);
}
const chart = args.includes('--chart');
const unknownFlags = args.filter((a) => a.startsWith('-') && a !== '--chart' && a !== '--cluster');
if (unknownFlags.length > 0) {
  process.stderr.write(`${name}: unknown option ${unknownFlags.join(', ')}; see --help\n`);
  process.exit(2);
}
const all = readdirSync('bench')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const runnable = cluster
  ? all.filter((s) => s in CLUSTER_PARTS)
  : all.filter((s) => CLUSTER_PARTS[s] !== null);
const wanted = args.filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !runnable.includes(w));
if (unknown.length > 0) {
  const why = cluster
    ? 'with a cluster part'
    : 'without services (bench:cluster runs the cluster-only ones)';
  process.stderr.write(
    `${name}: no benchmark ${why} named ${unknown.join(', ')}; there are: ${runnable.join(', ')}\n`,
  );
  process.exit(2);
}
const stages = wanted.length > 0 ? wanted : runnable;
const resultsDir = cluster ? join(DEFAULT_BENCH_RESULTS_DIR, 'cluster') : DEFAULT_BENCH_RESULTS_DIR;

if (cluster) {
  const config = loadConfig();
  const down: string[] = [];
  if (!(await kafkaAnswers(config.kafka.brokers))) {
    down.push(`no Kafka broker answers at ${config.kafka.brokers.join(',')}`);
  }
  const hdfs = await webHdfsDown(config.hdfs.url, config.hdfs.user);
  if (hdfs !== null) down.push(`HDFS is not up at ${config.hdfs.url} (${hdfs})`);
  if (down.length > 0) {
    process.stderr.write(
      `${name}: ${down.join('; ')}; start the services with \`npm run cluster -- up\`\n`,
    );
    process.exit(2);
  }
}

let failed = 0;
for (const stage of stages) {
  process.stdout.write(`\n== bench/${stage}.ts${cluster ? ' (cluster)' : ''} ==\n`);
  const started = Date.now();
  const own = cluster ? [] : (CLUSTER_PARTS[stage] ?? []);
  const result = spawnSync('npx', ['tsx', join('bench', `${stage}.ts`), ...own, ...passed], {
    stdio: 'inherit',
    env: { ...process.env, LOGLAB_BENCH_RESULTS: resultsDir },
  });
  if (result.status !== 0) {
    process.stderr.write(`${name}: ${stage} failed with exit code ${result.status}\n`);
    failed++;
    continue;
  }
  const json = join(resultsDir, `${stage}.json`);
  if (!existsSync(json) || statSync(json).mtimeMs < started) {
    process.stderr.write(`${name}: ${stage} wrote no ${json}\n`);
    failed++;
    continue;
  }
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const skipped = cluster
    ? (report.notes as string[]).filter((n) => SKIPPED.test(n) && !/left out/.test(n))
    : [];
  if (skipped.length > 0) {
    process.stderr.write(`${name}: ${stage}'s cluster part did not run: ${skipped[0]}\n`);
    failed++;
  }
  if (chart) {
    const viz = await import('../src/viz');
    const svg = await viz.renderSvg(viz.benchChart(report));
    writeFileSync(join(resultsDir, `${stage}.svg`), svg);
    process.stdout.write(`chart: ${join(resultsDir, `${stage}.svg`)}\n`);
  }
}

const md = spawnSync('npx', ['tsx', join('scripts', 'benchmarks-md.ts')], { stdio: 'inherit' });
if (md.status !== 0) {
  process.stderr.write(`${name}: BENCHMARKS.md was not regenerated (exit ${md.status})\n`);
  failed++;
}
process.exit(failed === 0 ? 0 : 1);
