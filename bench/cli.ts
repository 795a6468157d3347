/**
 * Whole commands as a user runs them: `loglab detect FILE` and `loglab produce FILE --engine
 * embedded` on a generated file, each in its own process, with wall time, lines/s and the
 * process's peak RSS. bench/realtime.ts measures the engine alone on records made in memory;
 * this adds what a command does around it (reading, splitting, parsing, the CLI), which is where
 * a read loop that held every line it read went unseen (3 GB of RSS for 10M lines).
 *
 *   npx tsx bench/cli.ts [--lines N] [--span DURATION] [--runs N] [--clients N]
 *
 * Two inputs, one after the other, each deleted once measured (in the system's temporary
 * folder; 2.7 GB each at 10M lines):
 * - the target's: `--lines` lines over `--span` (seed 42, every incident) from a fixed population
 *   of `--clients` client addresses (default 100,000, as the issue states "10M lines over 100k
 *   IPs"; incident addresses come on top). Both commands run on it; its detect row is the target
 *   row, named "loglab detect FILE".
 * - the same flags without --clients: the generator's default population, which grows with the
 *   lines (some 319,000 addresses at 10M lines), the heavier input. Only detect runs on it, as
 *   "loglab detect FILE, default population"; both figures are reported.
 *
 * Default: 1,000,000 lines over a day, one run each; `--lines 10000000 --runs 3` is the 10M figure.
 * Target: detect stays under 256 MB of peak RSS. produce sends to the embedded broker, which
 * keeps the newest records of each partition (for a one-shot produce, 1 MiB) in the same
 * process: that log is counted in produce's RSS and stated beside it. Writes bench/results/cli.json.
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
const TARGET_ROW = 'loglab detect FILE';
const DEFAULT_POPULATION_ROW = 'loglab detect FILE, default population';
const CLI = 'bin/loglab.mjs';

const args = benchArgs(
  'cli',
  `usage: npx tsx bench/cli.ts [--lines N] [--span DURATION] [--runs N] [--format FORMAT] [--clients N]
Whole \`loglab detect FILE\` and \`loglab produce FILE --engine embedded\` processes on a generated
log (default 1,000,000 lines over 1d in combined-time, every incident, from --clients addresses,
default 100,000), and detect again on the same log from the generator's default population:
wall time, lines/s and peak RSS. Writes bench/results/cli.json.`,
  { values: ['lines', 'span', 'runs', 'format', 'clients'] },
);

const lines = args.count('lines', 1_000_000);
const runs = args.count('runs', 1);
const span = args.text('span') ?? '1d';
// With request times every detector holds state, slow-page's included: the heavier case.
const format = args.text('format') ?? 'combined-time';
const clients = args.count('clients', ISSUE_ADDRESSES);
const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Distinct client addresses (the first field of each line): the keys the detectors track. */
async function distinctAddresses(path: string): Promise<number> {
  const seen = new Set<string>();
  for await (const batch of readLines(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    for (const line of batch) seen.add(line.slice(0, line.indexOf(' ')));
  }
  return seen.size;
}

/** Generate the input into `file`: the target's population, or the default one; its size. */
function generate(file: string, population: number | null): boolean {
  const what = population === null ? 'the default population' : `${n(population)} clients`;
  process.stdout.write(`generating ${n(lines)} lines over ${span} from ${what} …\n`);
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
      ...(population === null ? [] : ['--clients', String(population)]),
      '-o',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (generated.status !== 0) {
    process.stderr.write(`bench/cli: loglab generate failed: ${generated.stderr.trim()}\n`);
    return false;
  }
  return true;
}

/** Generate each input into `dir`, run the commands, print and write the report; the exit code. */
async function measure(dir: string): Promise<number> {
  const file = join(dir, 'access.log');
  const whole = (name: string, args: string[], bytes: number): Promise<BenchRow> =>
    timeProcess({
      name,
      group: 'whole process',
      command: process.execPath,
      args: [...peakRssArgs(), CLI, ...args],
      runs,
      warmupRuns: 0,
      per: { lines, bytes },
      reportsPeakRss: true,
    });

  if (!generate(file, clients)) return 1;
  const bytes = statSync(file).size;
  const addresses = await distinctAddresses(file);
  process.stdout.write('loglab detect …\n');
  const detect = await whole(TARGET_ROW, ['detect', file], bytes);
  process.stdout.write('loglab produce --engine embedded …\n');
  const produce = await whole(
    'loglab produce FILE --engine embedded',
    ['produce', file, '--engine', 'embedded'],
    bytes,
  );
  rmSync(file);

  if (!generate(file, null)) return 1;
  const defaultBytes = statSync(file).size;
  const defaultAddresses = await distinctAddresses(file);
  process.stdout.write('loglab detect, default population …\n');
  const heavier = await whole(DEFAULT_POPULATION_ROW, ['detect', file], defaultBytes);
  rmSync(file);

  // produce writes to weblogs.raw, which it creates with DEFAULT_PARTITIONS partitions.
  const partitions = DEFAULT_PARTITIONS;
  const retainedMiB = (partitions * ONE_SHOT_RETENTION_BYTES) / 2 ** 20;
  const verdict = (mb: number) =>
    `target < ${TARGET_DETECT_RSS_MB} MB: ${mb < TARGET_DETECT_RSS_MB ? 'met' : 'NOT met'}`;
  const detectRss = detect.peakRssMB ?? 0;
  const heavierRss = heavier.peakRssMB ?? 0;
  const notes = [
    `input: ${n(lines)} generated lines over ${span} (seed 42, ${format}, every incident) from --clients ${n(clients)}, ` +
      `${(bytes / 1e6).toFixed(0)} MB, ${n(addresses)} distinct client addresses (the incidents' come on top of the population)`,
    `${TARGET_ROW}: peak RSS ${detectRss} MB (${verdict(detectRss)}), ${n(detect.linesPerSec ?? 0)} lines/s`,
    `${DEFAULT_POPULATION_ROW}: the same flags without --clients, ${(defaultBytes / 1e6).toFixed(0)} MB, ` +
      `${n(defaultAddresses)} distinct client addresses (${defaultAddresses > addresses ? 'the heavier input' : 'the same: too few lines to fill the population'}): peak RSS ${heavierRss} MB ` +
      `(${verdict(heavierRss)}), ${n(heavier.linesPerSec ?? 0)} lines/s`,
    `loglab produce FILE --engine embedded (on the first input): peak RSS ${produce.peakRssMB} MB, ` +
      `${n(produce.linesPerSec ?? 0)} lines/s; the embedded broker in that process keeps up to ` +
      `${retainedMiB} MiB of records (${ONE_SHOT_RETENTION_BYTES / 2 ** 20} MiB counted per partition, ` +
      `${partitions} partitions of ${RAW_TOPIC}), which the peak counts`,
    `${runs === 1 ? 'one run' : `the mean of ${runs} runs (peak RSS: the largest)`} of each; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, free memory ${freeMemoryGiB()} GiB`,
  ];
  const report = createReport('cli', [detect, produce, heavier], [], notes);
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
