/**
 * Whole commands as a user runs them: `loglab detect FILE` and `loglab produce FILE --engine
 * embedded` on a generated file, each in its own process, with wall time, lines/s and the
 * process's peak RSS. bench/realtime.ts measures the engine alone on records made in memory;
 * this adds what a command does around it (reading, splitting, parsing, the CLI), which is where
 * a read loop that held every line it read went unseen (3 GB of RSS for 10M lines).
 *
 *   npx tsx bench/cli.ts [--lines N] [--span DURATION] [--runs N]
 *
 * Default: 1,000,000 lines over a day (seed 42), one run each. `--lines 10000000` is the 10M
 * figure in BENCHMARKS.md (a 2.7 GB log in the system's temporary folder, deleted afterwards).
 * Target: detect stays under 256 MB of peak RSS at any size. produce sends to the embedded
 * broker, which keeps the newest records of each partition (for a one-shot produce, 1 MiB) in
 * the same process: that log is counted in produce's RSS and stated beside it. Writes bench/results/cli.json.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  freeMemoryGiB,
  peakRssArgs,
  timeProcess,
  writeReport,
} from '../src/bench/harness';
import { ONE_SHOT_RETENTION_BYTES } from '../src/cli/commands/produce';
import { readLines } from '../src/log/lines';
import { DEFAULT_PARTITIONS, RAW_TOPIC } from '../src/stream/topics';

const TARGET_DETECT_RSS_MB = 256;
/** The client addresses of the target's input: "10M lines over 100k IPs". */
const ISSUE_ADDRESSES = 100_000;
const CLI = 'bin/loglab.mjs';

const args = benchArgs(
  'cli',
  `usage: npx tsx bench/cli.ts [--lines N] [--span DURATION] [--runs N] [--format FORMAT]
Whole \`loglab detect FILE\` and \`loglab produce FILE --engine embedded\` processes on a generated
log (default 1,000,000 lines over 1d in combined-time, every incident): wall time, lines/s and
peak RSS. Writes bench/results/cli.json.`,
  { values: ['lines', 'span', 'runs', 'format'] },
);

const lines = args.count('lines', 1_000_000);
const runs = args.count('runs', 1);
const span = args.text('span') ?? '1d';
// With request times every detector holds state, slow-page's included: the heavier case.
const format = args.text('format') ?? 'combined-time';
const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Distinct client addresses (the first field of each line): the keys the detectors track. */
async function distinctAddresses(path: string): Promise<number> {
  const seen = new Set<string>();
  for await (const batch of readLines(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    for (const line of batch) seen.add(line.slice(0, line.indexOf(' ')));
  }
  return seen.size;
}

/** Generate the input into `dir`, run both commands, print and write the report; the exit code. */
async function measure(dir: string): Promise<number> {
  const file = join(dir, 'access.log');
  process.stdout.write(`generating ${n(lines)} lines over ${span} in ${dir} …\n`);
  const generated = spawnSync(
    process.execPath,
    [
      CLI,
      'generate',
      '--seed',
      '42',
      '--lines',
      String(lines),
      '--span',
      span,
      '--format',
      format,
      '--incidents',
      'all',
      '-o',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (generated.status !== 0) {
    process.stderr.write(`bench/cli: loglab generate failed: ${generated.stderr.trim()}\n`);
    return 1;
  }
  const bytes = statSync(file).size;
  const addresses = await distinctAddresses(file);
  const per = { lines, bytes };
  const whole = (name: string, args: string[]): Promise<BenchRow> =>
    timeProcess({
      name,
      group: 'whole process',
      command: process.execPath,
      args: [...peakRssArgs(), CLI, ...args],
      runs,
      warmupRuns: 0,
      per,
      reportsPeakRss: true,
    });
  process.stdout.write('loglab detect …\n');
  const detect = await whole('loglab detect FILE', ['detect', file]);
  process.stdout.write('loglab produce --engine embedded …\n');
  const produce = await whole('loglab produce FILE --engine embedded', [
    'produce',
    file,
    '--engine',
    'embedded',
  ]);

  // produce writes to weblogs.raw, which it creates with DEFAULT_PARTITIONS partitions.
  const partitions = DEFAULT_PARTITIONS;
  const retainedMiB = (partitions * ONE_SHOT_RETENTION_BYTES) / 2 ** 20;
  const detectRss = detect.peakRssMB ?? 0;
  const notes = [
    `input: ${n(lines)} generated lines over ${span} (seed 42, ${format}, every incident), ${(bytes / 1e6).toFixed(0)} MB, ` +
      `${n(addresses)} distinct client addresses (the target is stated for ${n(ISSUE_ADDRESSES)}; the generator ` +
      `has no option for its client population, which grows with the lines, so ${addresses > ISSUE_ADDRESSES ? 'this input is the heavier one' : 'this input has fewer'})`,
    `loglab detect FILE: peak RSS ${detectRss} MB (target < ${TARGET_DETECT_RSS_MB} MB: ` +
      `${detectRss < TARGET_DETECT_RSS_MB ? 'met' : 'NOT met'}), ${n(detect.linesPerSec ?? 0)} lines/s`,
    `loglab produce FILE --engine embedded: peak RSS ${produce.peakRssMB} MB, ` +
      `${n(produce.linesPerSec ?? 0)} lines/s; the embedded broker in that process keeps up to ` +
      `${retainedMiB} MiB of records (${ONE_SHOT_RETENTION_BYTES / 2 ** 20} MiB counted per partition, ` +
      `${partitions} partitions of ${RAW_TOPIC}), which the peak counts`,
    `${runs === 1 ? 'one run' : `the mean of ${runs} runs (peak RSS: the largest)`} of each; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, free memory ${freeMemoryGiB()} GiB`,
  ];
  const report = createReport('cli', [detect, produce], [], notes);
  process.stdout.write(formatReport(report));
  process.stdout.write(`results: ${writeReport(report)}\n`);
  return 0;
}

const dir = mkdtempSync(join(tmpdir(), 'loglab-bench-cli-'));
try {
  process.exitCode = await measure(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
