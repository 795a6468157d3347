/**
 * Generator throughput in fast mode: formatted combined lines (the byte path the CLI writes),
 * the same as records (objects) and as nginx JSON lines, and the whole `loglab generate` process.
 *   npx tsx bench/generate.ts [--lines N] [--time MS] [--no-process]
 * Prints the table and writes bench/results/generate.json. Target: ≥ 1,000,000 lines/s.
 */
import { spawnSync } from 'node:child_process';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  freeMemoryGiB,
  runTasks,
  timeProcess,
  writeReport,
} from '../src/bench/harness';
import {
  createGenerator,
  defaultOptions,
  type GenerateOptions,
  generateBuffers,
} from '../src/generate/index';

const TARGET_LINES_PER_SEC = 1_000_000;

const args = benchArgs(
  'generate',
  `usage: npx tsx bench/generate.ts [--lines N] [--time MS] [--no-process]
Generator throughput in fast mode (combined lines, records, nginx JSON lines) and, unless
--no-process, the whole \`loglab generate\` process. Writes bench/results/generate.json.`,
  { values: ['lines', 'time'], switches: ['no-process'] },
);

const lines = args.count('lines', 200_000);
const time = args.count('time', 2_000);
const withProcess = !args.on('no-process');

// A day of traffic with all incidents: what `loglab generate --incidents all` writes.
const combined: GenerateOptions = defaultOptions({
  lines,
  incidents: ['error-burst', 'ip-flood', 'scanner'],
});
const json: GenerateOptions = { ...combined, format: 'json' };

/** Bytes one run writes: the same every run, since the output is a function of the options. */
function bytesOf(options: GenerateOptions): number {
  let bytes = 0;
  for (const chunk of generateBuffers(options)) bytes += chunk.byteLength;
  return bytes;
}

const combinedBytes = bytesOf(combined);
const jsonBytes = bytesOf(json);

/** Run once, checking that the run wrote what it should (and that the work is not skipped). */
function writeAll(options: GenerateOptions, expectedBytes: number): void {
  let bytes = 0;
  for (const chunk of generateBuffers(options)) bytes += chunk.byteLength;
  if (bytes !== expectedBytes) throw new Error(`a run wrote ${bytes} bytes, not ${expectedBytes}`);
}

function readAll(options: GenerateOptions): void {
  let n = 0;
  for (const r of createGenerator(options).records()) if (r.status > 0) n++;
  if (n !== options.lines) throw new Error(`a run made ${n} records, not ${options.lines}`);
}

const rows: BenchRow[] = await runTasks(
  [
    {
      name: 'generate combined lines (bytes)',
      group: 'generate',
      per: { lines, bytes: combinedBytes },
      fn: () => writeAll(combined, combinedBytes),
    },
    {
      name: 'generate records (objects)',
      group: 'generate',
      per: { lines },
      fn: () => readAll(combined),
    },
    {
      name: 'generate nginx JSON lines',
      group: 'generate',
      per: { lines, bytes: jsonBytes },
      fn: () => writeAll(json, jsonBytes),
    },
  ],
  { time, iterations: 5 },
);

const notes: string[] = [];
if (withProcess) {
  const processLines = 1_000_000;
  const args = [
    'bin/loglab.mjs',
    'generate',
    '--lines',
    String(processLines),
    '--incidents',
    'all',
  ];
  const probe = spawnSync(process.execPath, [...args, '--lines', '1000'], { encoding: 'utf8' });
  if (probe.status === 0) {
    const fileBytes = bytesOf({ ...combined, lines: processLines });
    rows.push(
      await timeProcess({
        name: 'loglab generate --lines 1000000 > /dev/null (whole process)',
        group: 'process',
        command: process.execPath,
        args: [...args, '-o', '/dev/null'],
        runs: 3,
        warmupRuns: 1,
        per: { lines: processLines, bytes: fileBytes },
      }),
    );
  } else {
    notes.push(`whole-process row skipped: loglab generate failed: ${probe.stderr.trim()}`);
  }
}

const main = rows[0];
const rate = main.linesPerSec ?? 0;
notes.push(
  `generator, combined lines: ${Math.round(rate).toLocaleString('en-US')} lines/s ` +
    `(target ≥ ${TARGET_LINES_PER_SEC.toLocaleString('en-US')}: ${rate >= TARGET_LINES_PER_SEC ? 'met' : 'NOT met'})`,
  `${lines.toLocaleString('en-US')} lines per run over 24 h with all incidents; ` +
    `${(combinedBytes / lines).toFixed(0)} bytes per combined line; free memory ${freeMemoryGiB()} GiB`,
);

const report = createReport('generate', rows, [], notes);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
