/**
 * The real-time path end to end, as a user runs it: `loglab stream --detect` (generate → produce
 * → consume → detect, one process) on the embedded broker and on a real Kafka broker through
 * kafkajs, the same generated lines (seed 42, every incident) on both. Each run is a whole
 * process: wall time (start-up, topic set-up and the group join included), lines/s over it, CPU
 * and peak RSS, and the rate the command itself reports on its last line (lines from the first
 * generated to the last detected, per second: its sustained rate). Target: ≥ 100,000 lines/s
 * on Kafka with kafkajs. When the optional librdkafka client loads (`npm run kafka:rdkafka`), the
 * same command runs once more with LOGLAB_KAFKA_CLIENT=rdkafka, for comparison (no target).
 *
 *   npx tsx bench/e2e.ts [--lines N] [--runs N] [--no-cluster] [--no-embedded] [--no-rdkafka]
 *
 * On Kafka the runs read and write a topic and group of their own (removed afterwards); the
 * alerts go to weblogs.alerts as the command's always do. Without a broker (`npm run cluster --
 * up`) it says so in one line and measures the embedded engine only. Writes
 * bench/results/e2e.json.
 */
import { loadavg } from 'node:os';
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
import { rdkafkaAvailability } from '../src/bench/stream-rdkafka';
import { createBroker, loadConfig } from '../src/config';
import { kafkaAnswers } from '../src/stream/kafka-broker';
import { removeScratch } from '../src/stream/scratch';

const TARGET_LINES_PER_SEC = 100_000;
const CLI = 'bin/loglab.mjs';

const args = benchArgs(
  'e2e',
  `usage: npx tsx bench/e2e.ts [--lines N] [--runs N] [--no-cluster] [--no-embedded] [--no-rdkafka]
Whole \`loglab stream --detect\` processes (generate → produce → consume → detect) on --lines
generated lines (default 1,000,000, seed 42, every incident), --runs times each (default 1): on
the embedded broker, and on the real Kafka broker through kafkajs when one answers at
LOGLAB_KAFKA_BROKERS, then through the optional librdkafka client when it is installed (npm run
kafka:rdkafka). Wall time, lines/s, CPU, peak RSS and the sustained rate the command reports.
--no-cluster measures the embedded engine only, --no-embedded Kafka only, --no-rdkafka leaves
the librdkafka client out. Writes bench/results/e2e.json.
example: npx tsx bench/e2e.ts --lines 300000 --runs 3`,
  { values: ['lines', 'runs'], switches: ['no-cluster', 'no-embedded', 'no-rdkafka'] },
);

const lines = args.count('lines', 1_000_000);
const runs = args.count('runs', 1);
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** "… in 12.34 s: 81,234 lines/s sustained" from the command's last line, in lines/s. */
function sustained(stderr: string): number | null {
  const m = / ([\d,]+) lines\/s sustained\s*$/.exec(stderr);
  return m === null ? null : Number(m[1].replace(/,/g, ''));
}

async function run(
  engine: 'embedded' | 'cluster',
  extra: string[],
  client: 'kafkajs' | 'rdkafka' = 'kafkajs',
): Promise<[BenchRow, string, number]> {
  const rates: number[] = [];
  const before = load();
  const row = await timeProcess({
    name: `loglab stream --detect, ${engine === 'embedded' ? 'embedded broker' : `Kafka (${client})`}`,
    group: 'end to end, whole process',
    command: process.execPath,
    args: [
      ...peakRssArgs(),
      CLI,
      'stream',
      '--detect',
      '--engine',
      engine,
      '--lines',
      String(lines),
      '--seed',
      '42',
      '--incidents',
      'all',
      ...extra,
    ],
    // The kafkajs row is kafkajs's whatever LOGLAB_KAFKA_CLIENT says.
    env: { ...process.env, LOGLAB_ENGINE: '', LOGLAB_KAFKA_CLIENT: client },
    runs,
    warmupRuns: 0,
    per: { lines },
    reportsPeakRss: true,
    onStderr(text) {
      const rate = sustained(text);
      if (rate === null) throw new Error(`loglab stream --detect (${engine}): no sustained rate`);
      rates.push(rate);
    },
  });
  const note =
    `${row.name}: ${n(row.linesPerSec ?? 0)} lines/s over the whole process ` +
    `(${(row.meanMs / 1000).toFixed(1)} s wall, ${((row.cpuMs ?? 0) / 1000).toFixed(1)} s CPU, ` +
    `peak RSS ${row.peakRssMB} MB); sustained as reported: ${rates.map(n).join(', ')} lines/s; ` +
    `load average ${before} before, ${load()} after`;
  const rate = rates.reduce((a, b) => a + b, 0) / rates.length;
  // The target is on the rate the command reports (first line generated to last detected), which
  // leaves out start-up and the group join: kept on the row beside the whole process's.
  return [Object.assign(row, { sustainedLinesPerSec: Math.round(rate) }), note, rate];
}

const rows: BenchRow[] = [];
const notes: string[] = [
  `input: ${n(lines)} generated lines (seed 42, every incident), ${runs === 1 ? 'one run' : `the mean of ${runs} runs`} of each engine; free memory ${freeMemoryGiB()} GiB`,
];

if (!args.on('no-embedded')) {
  process.stdout.write(`loglab stream --detect --engine embedded, ${n(lines)} lines …\n`);
  const [embedded, embeddedNote] = await run('embedded', []);
  rows.push(embedded);
  notes.push(embeddedNote);
}

const config = loadConfig();
if (args.on('no-cluster')) {
  notes.push('Kafka broker: not measured (--no-cluster).');
} else if (!(await kafkaAnswers(config.kafka.brokers))) {
  notes.push(
    `Kafka broker: not measured, no broker answers at ${config.kafka.brokers.join(',')} (npm run cluster -- up).`,
  );
} else {
  const clients: ('kafkajs' | 'rdkafka')[] = ['kafkajs'];
  if (!args.on('no-rdkafka')) {
    const rd = await rdkafkaAvailability();
    if (rd.kind === 'ready') clients.push('rdkafka');
    else notes.push(`librdkafka client: not measured, ${rd.reason}.`);
  }
  for (const client of clients) {
    const scratch = `loglab.bench.e2e.${Date.now()}.${client}`;
    process.stdout.write(
      `loglab stream --detect --engine cluster (${client}), ${n(lines)} lines …\n`,
    );
    try {
      // Every run the same topic and group: a later run starts at the group's commits, at the end
      // of what the earlier one wrote, and reads only its own lines.
      const [kafka, kafkaNote, rate] = await run(
        'cluster',
        ['--topic', scratch, '--group', scratch],
        client,
      );
      rows.push(kafka);
      notes.push(
        client === 'kafkajs'
          ? `${kafkaNote}; target ≥ ${n(TARGET_LINES_PER_SEC)} lines/s sustained: ${rate >= TARGET_LINES_PER_SEC ? 'met' : 'NOT met'}`
          : `${kafkaNote}; for comparison, the target is kafkajs's`,
      );
    } finally {
      const broker = createBroker('cluster', config);
      await removeScratch(broker, { topics: [scratch], groups: [scratch] }).catch(() => undefined);
      await broker.close();
    }
  }
}

const report = createReport('e2e', rows, [], notes);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
