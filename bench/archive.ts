/**
 * The archiver's speed: a generated log into a local lake (the embedded engine), in this process
 * and as the whole `loglab archive FILE` command (with its peak RSS), beside GNU awk splitting
 * the same file by hour (src/bench/archive-local.ts); and, when Kafka and HDFS answer, the
 * archiver from a real Kafka topic into a real HDFS beside a bare kafkajs consumer reading the
 * same topic, and the whole `loglab archive --engine cluster` as a process with its peak RSS
 * (src/bench/archive-cluster.ts).
 *
 *   npx tsx bench/archive.ts [--lines N] [--runs N] [--warmup N] [--cluster-lines N]
 *                            [--steady-lines N] [--no-cluster]
 *
 * Default: 1,000,000 lines over a day (seed 42; `--lines 10000000` is the 10M figure, a 2.7 GB
 * log in the system's temporary folder, deleted afterwards), one warm-up round and three
 * measured rounds; 300,000 lines through Kafka (the target's row), then 1,000,000 in rows of
 * their own (`--steady-lines`, 0 leaves them out), where joining the group and the last roll
 * weigh less. The in-process row holds the whole log in
 * memory, so it runs up to 2,000,000 lines only. Without Kafka or HDFS the cluster part says why
 * in one line and the rest runs. Targets: the embedded archiver ≥ 1,000,000 lines/s; from Kafka
 * ≥ 0.8x the bare consumer. Writes bench/results/archive.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchClusterArchive } from '../src/bench/archive-cluster';
import {
  AWK,
  benchLocalArchive,
  EMBEDDED_TARGET_LINES_PER_SEC,
  hasGawk,
  IN_PROCESS,
  WHOLE_PROCESS,
} from '../src/bench/archive-local';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  freeMemoryGiB,
  type Ratio,
  ratio,
  writeReport,
} from '../src/bench/harness';
import { loadConfig } from '../src/config';
import { archiveLines } from '../src/pipeline/archive-lines';
import { runArchiver } from '../src/pipeline/run-archiver';
import { webHdfsDown } from '../src/storage/webhdfs-probe';
import { kafkaAnswers } from '../src/stream/kafka-broker';

const IN_PROCESS_MAX_LINES = 2_000_000;
const CLI = 'bin/loglab.mjs';

const args = benchArgs(
  'archive',
  `usage: npx tsx bench/archive.ts [--lines N] [--runs N] [--warmup N] [--cluster-lines N]
                         [--steady-lines N] [--no-cluster]
The archiver into a local lake (in process, and the whole \`loglab archive FILE\` with its peak
RSS) beside gawk splitting the same generated log by hour (default 1,000,000 lines); and from
real Kafka into real HDFS beside a bare kafkajs consumer and the whole \`loglab archive
--engine cluster\` with its peak RSS (default 300,000 lines, the target's row; then
--steady-lines, default 1,000,000, 0 for none, in rows of their own), when both answer.
Writes bench/results/archive.json.
example: npx tsx bench/archive.ts --lines 200000 --cluster-lines 100000 --steady-lines 0`,
  {
    values: ['lines', 'runs', 'warmup', 'cluster-lines', 'steady-lines'],
    switches: ['no-cluster'],
  },
);
const lines = args.count('lines', 1_000_000);
const runs = args.count('runs', 3);
const warmup = args.count('warmup', 1, 0);
const clusterLines = args.count('cluster-lines', 300_000);
const steadyLines = args.count('steady-lines', 1_000_000, 0);
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const started = Date.now();
const log = (line: string) =>
  process.stderr.write(`  ${line} (${Math.round((Date.now() - started) / 1000)} s)\n`);

async function measure(dir: string): Promise<number> {
  const file = join(dir, 'access.log');
  log(`generating ${n(lines)} lines in ${dir}`);
  const generated = spawnSync(
    process.execPath,
    [CLI, 'generate', '--seed', '42', '--lines', String(lines), '-o', file],
    { encoding: 'utf8' },
  );
  if (generated.status !== 0) {
    process.stderr.write(`bench/archive: loglab generate failed: ${generated.stderr.trim()}\n`);
    return 1;
  }
  const bytes = statSync(file).size;
  const loadBefore = load();
  const awk = hasGawk() ? 'gawk' : false;
  const inProcess = lines <= IN_PROCESS_MAX_LINES;
  const rows: BenchRow[] = await benchLocalArchive({
    file,
    lines,
    bytes,
    dir,
    runs,
    warmup,
    inProcess,
    awk,
    archive: archiveLines,
    log,
  });
  rmSync(file, { force: true });
  const ratios: Ratio[] = [];
  const has = (name: string) => rows.some((r) => r.name === name);
  if (awk) {
    ratios.push(ratio(rows, WHOLE_PROCESS, AWK, `${WHOLE_PROCESS} / ${AWK}`));
    if (inProcess) ratios.push(ratio(rows, IN_PROCESS, AWK, `${IN_PROCESS} / ${AWK}`));
  }
  const embedded = rows.find((r) => r.name === IN_PROCESS);
  const whole = rows.find((r) => r.name === WHOLE_PROCESS);
  const notes = [
    `input: ${n(lines)} generated lines over 1d (seed 42), ${(bytes / 1e6).toFixed(0)} MB; ` +
      `${runs === 1 ? 'one round' : `the mean of ${runs} rounds`} after ${warmup} warm-up, ` +
      'order alternating; the lake and the awk output deleted before each',
    embedded
      ? `target: embedded archiver ≥ ${n(EMBEDDED_TARGET_LINES_PER_SEC)} lines/s: ` +
        `${(embedded.linesPerSec ?? 0) >= EMBEDDED_TARGET_LINES_PER_SEC ? 'met' : 'NOT met'} ` +
        `(${n(embedded.linesPerSec ?? 0)} lines/s in process, lines already in memory)`
      : `in process: left out above ${n(IN_PROCESS_MAX_LINES)} lines (it holds the whole log in memory)`,
    `${WHOLE_PROCESS}: ${n(whole?.linesPerSec ?? 0)} lines/s, peak RSS ${whole?.peakRssMB ?? '?'} MB, start-up and reading included`,
    awk
      ? `${AWK}: gawk ${spawnSync('gawk', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}, LC_ALL=C; the hour as written (no zone applied), no checks, no dead letters, no rename: a floor, not the same job`
      : 'gawk not found (Debian: apt-get install gawk): no awk row',
  ];

  if (args.on('no-cluster')) {
    notes.push('cluster: left out (--no-cluster)');
  } else {
    const config = loadConfig();
    const kafkaUp = await kafkaAnswers(config.kafka.brokers);
    const hdfsDown = await webHdfsDown(config.hdfs.url, config.hdfs.user);
    if (!kafkaUp || hdfsDown !== null) {
      const why = !kafkaUp
        ? `no Kafka broker answers at ${config.kafka.brokers.join(',')}`
        : `HDFS is not up at ${config.hdfs.url} (${hdfsDown})`;
      const line = `cluster part skipped: ${why}; start them with \`npm run cluster -- up\``;
      process.stdout.write(`bench/archive: ${line}\n`);
      notes.push(line);
    } else {
      const cluster = await benchClusterArchive({
        config,
        count: clusterLines,
        steadyCount: steadyLines > 0 ? steadyLines : undefined,
        runs,
        workFile: join(dir, 'keyed.tsv'),
        runArchiver,
        log,
      });
      rows.push(...cluster.rows);
      ratios.push(...cluster.ratios);
      notes.push(...cluster.notes);
    }
  }
  if (!has(IN_PROCESS) && !has(WHOLE_PROCESS)) return 1;
  notes.push(
    `load average ${loadBefore} at the start, ${load()} at the end (2 cores, shared); free memory ${freeMemoryGiB()} GiB`,
  );
  const report = createReport('archive', rows, ratios, notes);
  process.stdout.write(formatReport(report));
  process.stdout.write(`results: ${writeReport(report)}\n`);
  return 0;
}

const dir = mkdtempSync(join(tmpdir(), 'loglab-bench-archive-'));
try {
  process.exitCode = await measure(dir);
} catch (err) {
  process.stderr.write(`bench/archive: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
