/**
 * Alert latency: wall-clock time from the moment the line that makes an alert fire is produced
 * to the moment the detector emits the alert, at 10,000 lines/s, on the embedded broker and on
 * a real Kafka broker (when one answers at LOGLAB_KAFKA_BROKERS). Targets: p99 under 20 ms
 * embedded, under 250 ms on the real broker.
 *
 *   npx tsx bench/latency.ts [--seconds 30] [--rate 10000] [--fetch-wait MS]
 *
 * Which line: alerts fire on closed windows, when the watermark (newest event time − lateness)
 * passes a window's end. The line that makes an alert fire is therefore the one whose event time
 * moves the watermark past that end: the record the engine was processing when it emitted the
 * alert (pipeline/stream-detector.ts hands it to onAlert as the trigger). Alerts emitted when the input
 * ends (resolutions at flush) have no such line and are left out.
 *
 * When: the producer stamps each batch with the wall clock in a header just before it hands the
 * batch to the broker (`produce`), so the figure covers the produce request, the broker, the
 * consumer's fetch, the partition merge, parsing and the engine, up to the alert callback.
 *
 * Traffic: consecutive generated hours (10,000 lines each, every incident kind in each, seeds
 * 1, 2, …), keyed by client IP on a six-partition topic and produced at --rate lines/s in
 * batches of whatever is due every few milliseconds. Event time runs an hour per second of
 * wall clock, so alerts come about ten a second: enough for a p99 in half a minute. The
 * consumer runs in the same process (one clock), with the default detection settings except
 * the lateness: at 3,600 times the wall clock the default 30 s would allow only 8 ms of skew
 * between partitions (a live stream has 30 s of wall clock), so the run allows 30 min (0.5 s).
 * The lateness does not enter the figure: it is measured from the line that moves the
 * watermark, whatever the watermark's distance behind the newest event.
 */

import { benchArgs } from '../src/bench/args';
import { type BenchRow, createReport, formatReport, writeReport } from '../src/bench/harness';
import { createBroker, loadConfig } from '../src/config';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../src/generate/index';
import { parseAuto } from '../src/log/auto';
import { formatCombined } from '../src/log/format';
import { createStreamDetector, runDetection } from '../src/pipeline/index';
import type { Broker, Engine } from '../src/stream/broker';
import { DEFAULT_FETCH_MAX_WAIT_MS, kafkaAnswers } from '../src/stream/kafka-broker';
import { removeScratch } from '../src/stream/scratch';

const TARGET_MS: Record<Engine, number> = { embedded: 20, cluster: 250 };
const HEADER = 'produced-at';
const PARTITIONS = 6;
/** Event time runs 3,600 times the wall clock here (see the docblock). */
const LATENESS_MS = 1_800_000;

const args = benchArgs(
  'latency',
  `usage: npx tsx bench/latency.ts [--seconds S] [--rate LINES] [--fetch-wait MS] [--no-cluster]
Alert latency at --rate lines/s (default 10,000) for --seconds (default 30): on the embedded
broker, and on the real Kafka broker when one answers at LOGLAB_KAFKA_BROKERS (--no-cluster:
the embedded broker only).
--fetch-wait sets how long a Kafka fetch may wait on the broker (the adapter's default, 100 ms,
when absent), to compare settings in turn. Writes bench/results/latency.json.
example: npx tsx bench/latency.ts --fetch-wait 500`,
  { values: ['seconds', 'rate', 'fetch-wait'], switches: ['no-cluster'] },
);

const seconds = args.count('seconds', 30);
const rate = args.count('rate', 10_000);
const fetchWait = args.count('fetch-wait');

/** Wall clock in ms with sub-millisecond resolution, comparable within this process. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Keyed {
  key: string;
  value: string;
}

function traffic(total: number): Keyed[] {
  const out: Keyed[] = [];
  const hour = 3_600_000;
  const start = Date.UTC(2024, 2, 12);
  for (let i = 0; out.length < total; i++) {
    const generator = createGenerator(
      defaultOptions({
        lines: 10_000,
        spanMs: hour,
        start: start + i * hour,
        seed: i + 1,
        incidents: [...INCIDENT_KINDS],
      }),
    );
    for (const r of generator.records()) {
      if (out.length === total) break;
      out.push({ key: r.ip, value: formatCombined(r) });
    }
  }
  return out;
}

interface Measured {
  engine: Engine;
  latencies: number[];
  lines: number;
  produceSeconds: number;
  flushAlerts: number;
  late: number;
}

async function measure(broker: Broker, lines: readonly Keyed[], suffix: string): Promise<Measured> {
  const topic = `loglab.bench.latency.${suffix}`;
  const group = `loglab.bench.latency.${suffix}`;
  await broker.createTopics([{ name: topic, partitions: PARTITIONS }]);
  const latencies: number[] = [];
  let flushAlerts = 0;
  const detector = createStreamDetector({
    parse: parseAuto,
    latenessMs: LATENESS_MS,
    onAlert(_alert, trigger) {
      const at = now();
      const sent = trigger?.headers?.[HEADER];
      if (sent === undefined) flushAlerts++;
      else latencies.push(at - Number(sent));
    },
  });
  const stop = new AbortController();
  let ready: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const consuming = runDetection(broker, detector, {
    topic,
    groupId: group,
    fromBeginning: true,
    signal: stop.signal,
    maxWaitMs: 100,
    onSubscribed: () => ready(),
    onPoll() {
      if (detector.counts().read >= lines.length) stop.abort();
    },
  });
  await subscribed;
  // Paced: every few ms, whatever is due goes out as one request, stamped as it is handed over.
  const t0 = performance.now();
  let sent = 0;
  while (sent < lines.length) {
    const due = Math.min(lines.length, Math.floor(((performance.now() - t0) * rate) / 1000));
    if (due <= sent) {
      await sleep(2);
      continue;
    }
    const headers = { [HEADER]: String(now()) };
    const batch = [];
    for (let i = sent; i < due; i++)
      batch.push({ key: lines[i].key, value: lines[i].value, headers });
    await broker.produce(topic, batch);
    sent = due;
  }
  const produceSeconds = (performance.now() - t0) / 1000;
  await consuming;
  return {
    engine: broker.engine,
    latencies,
    lines: sent,
    produceSeconds,
    flushAlerts,
    late: detector.counts().late,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function row(m: Measured): BenchRow {
  const sorted = [...m.latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  const sd = Math.sqrt(
    sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, sorted.length - 1),
  );
  return {
    name: `alert latency, ${m.engine === 'embedded' ? 'embedded broker' : 'Kafka broker'}`,
    group: 'alert latency',
    // Measured in this process (not by tinybench): one sample per alert.
    kind: 'tinybench',
    opsPerSec: mean > 0 ? 1000 / mean : 0,
    meanMs: mean,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    rmePct: sorted.length > 1 ? ((1.96 * sd) / Math.sqrt(sorted.length) / mean) * 100 : 0,
    samples: sorted.length,
    per: {},
  };
}

function verdict(m: Measured, r: BenchRow): string {
  const target = TARGET_MS[m.engine];
  const max = Math.max(...m.latencies);
  return (
    `${r.name}: p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${r.samples} alerts ` +
    `at ${Math.round(m.lines / m.produceSeconds).toLocaleString('en-US')} lines/s ` +
    `(target p99 < ${target} ms: ${r.p99Ms < target ? 'met' : 'NOT met'}); ` +
    `${m.flushAlerts} alert lines at the end of input left out, ${m.late} late records`
  );
}

const total = Math.round(seconds * rate);
const lines = traffic(total);
const suffix = String(Date.now());
const results: Measured[] = [];
const notes: string[] = [
  'Latency: from the moment the line whose event time moves the watermark past a window end is handed to produce() to the moment the detector emits the alert (wall clock, one process).',
];

const embedded = createBroker('embedded');
results.push(await measure(embedded, lines, suffix));
await embedded.close();

const config = loadConfig();
if (args.on('no-cluster')) {
  notes.push('Kafka broker: left out (--no-cluster).');
} else if (await kafkaAnswers(config.kafka.brokers)) {
  const kafka = createBroker('cluster', config, {
    kafka: fetchWait === undefined ? {} : { fetchMaxWaitMs: fetchWait },
  });
  try {
    results.push(await measure(kafka, lines, suffix));
    notes.push(`Kafka fetch wait: ${fetchWait ?? DEFAULT_FETCH_MAX_WAIT_MS} ms on the broker.`);
  } finally {
    // The run's topic and group are scratch: leave the shared broker as it was.
    const scratch = `loglab.bench.latency.${suffix}`;
    await removeScratch(kafka, { topics: [scratch], groups: [scratch] }).catch(() => undefined);
    await kafka.close();
  }
} else {
  notes.push(
    `Kafka broker: not measured, no broker answers at ${config.kafka.brokers.join(',')} (npm run cluster -- up).`,
  );
}

const rows = results.map(row);
for (let i = 0; i < results.length; i++) notes.push(verdict(results[i], rows[i]));
const report = createReport('latency', rows, [], notes);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
