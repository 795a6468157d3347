/**
 * Alert latency: wall-clock time from the moment the line that makes an alert fire is produced
 * to the moment the detector emits the alert, at 10,000 lines/s, on the embedded broker and on
 * a real Kafka broker (when one answers at LOGLAB_KAFKA_BROKERS). Targets: p99 under 20 ms
 * embedded, under 250 ms on the real broker.
 *
 *   npx tsx bench/latency.ts [--seconds 30] [--rate 10000] [--fetch-wait MS] [--same-thread]
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
 * Where: on Kafka the producer runs on a thread of its own with its own client
 * (src/bench/latency-producer-thread.ts), as the web servers that write the lines would run
 * elsewhere; `--same-thread` keeps it on the consumer's thread, as before. There each produce
 * call encodes its batch in kafkajs (about 13 µs a message, synchronously) while records already
 * fetched wait for the event loop: at a load of 4–8 that was most of the tail. The run notes the
 * consumer thread's event-loop delay (p99, max), the produce calls' times and the process's CPU,
 * so a slow run shows which it was, and cuts the slowest 1% of alerts into hops (produce until
 * acked, handed over until polled, polled until alerted: src/bench/latency-hops.ts) with the
 * seconds of the run they fell in. The embedded broker lives in this thread, so its producer
 * does too.
 *
 * Traffic (src/bench/latency-traffic.ts): consecutive generated hours (10,000 lines each, every
 * incident kind in each, seeds 1, 2, …), keyed by client IP on a six-partition topic and
 * produced at --rate lines/s in batches of whatever is due every few milliseconds. Event time runs an hour per second of
 * wall clock, so alerts come about ten a second: enough for a p99 in half a minute. The
 * consumer runs in the same process (one clock), with the default detection settings except
 * the lateness: at 3,600 times the wall clock the default 30 s would allow only 8 ms of skew
 * between partitions (a live stream has 30 s of wall clock), so the run allows 30 min (0.5 s).
 * The lateness does not enter the figure: it is measured from the line that moves the
 * watermark, whatever the watermark's distance behind the newest event.
 */

import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  latencyRow,
  percentile,
  writeReport,
} from '../src/bench/harness';
import { type AlertTiming, PollTimes, slowestHops } from '../src/bench/latency-hops';
import type { LatencyProducerInput } from '../src/bench/latency-producer-thread';
import {
  type KeyedLine,
  latencyTraffic,
  type PacedRun,
  PRODUCED_AT,
  producePaced,
  wallClock,
} from '../src/bench/latency-traffic';
import { createBroker, loadConfig } from '../src/config';
import { isLoglabError } from '../src/errors';
import { parseAuto } from '../src/log/auto';
import { startWorker } from '../src/parallel/worker-thread';
import { createStreamDetector, runDetection, type StreamDetector } from '../src/pipeline/index';
import type { Broker, Engine } from '../src/stream/broker';
import { DEFAULT_FETCH_MAX_WAIT_MS, kafkaAnswers } from '../src/stream/kafka-broker';
import { removeScratch } from '../src/stream/scratch';

const TARGET_MS: Record<Engine, number> = { embedded: 20, cluster: 250 };
const PARTITIONS = 6;
/** Event time runs 3,600 times the wall clock here (see the docblock). */
const LATENESS_MS = 1_800_000;

const args = benchArgs(
  'latency',
  `usage: npx tsx bench/latency.ts [--seconds S] [--rate LINES] [--fetch-wait MS] [--same-thread]
       [--no-cluster]
Alert latency at --rate lines/s (default 10,000) for --seconds (default 30): on the embedded
broker, and on the real Kafka broker when one answers at LOGLAB_KAFKA_BROKERS (--no-cluster:
the embedded broker only).
--fetch-wait sets how long a Kafka fetch may wait on the broker (the adapter's default, 100 ms,
when absent), to compare settings in turn. On Kafka the producer runs on a thread of its own;
--same-thread runs it on the consumer's thread instead. Writes bench/results/latency.json.
example: npx tsx bench/latency.ts --fetch-wait 500`,
  { values: ['seconds', 'rate', 'fetch-wait'], switches: ['same-thread', 'no-cluster'] },
);

const seconds = args.count('seconds', 30);
const rate = args.count('rate', 10_000);
const fetchWait = args.count('fetch-wait');
const sameThread = args.on('same-thread');

interface Measured {
  engine: Engine;
  latencies: number[];
  lines: number;
  produceSeconds: number;
  flushAlerts: number;
  late: number;
  /** Where the producer ran: this thread (true) or its own. */
  sameThread: boolean;
  produceMs: number[];
  /** The consumer thread's event-loop delay while it ran, in ms. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** CPU time of the whole process over the wall time (1 = one core). */
  cores: number;
  /** Where the slowest alerts spent their time (src/bench/latency-hops.ts). */
  hops: string;
}

/** The run's lines at --rate, on a thread of its own (with its own client) or on this one. */
async function producePacedOn(
  onThread: boolean,
  broker: Broker,
  topic: string,
  lines: readonly KeyedLine[],
): Promise<PacedRun> {
  if (!onThread) return producePaced(broker, topic, lines, rate);
  const input: LatencyProducerInput = { topic, lines: lines.length, rate };
  const started = startWorker<PacedRun>(
    new URL('../src/bench/latency-producer-thread.ts', import.meta.url).pathname,
    input,
    'latency producer thread',
  );
  return (await started.result) as PacedRun;
}

async function measure(
  broker: Broker,
  lines: readonly KeyedLine[],
  suffix: string,
  onThread: boolean,
): Promise<Measured> {
  const topic = `loglab.bench.latency.${suffix}`;
  const group = `loglab.bench.latency.${suffix}`;
  await broker.createTopics([{ name: topic, partitions: PARTITIONS }]);
  const latencies: number[] = [];
  const timings: AlertTiming[] = [];
  const polls = new PollTimes();
  let flushAlerts = 0;
  const detector = createStreamDetector({
    parse: parseAuto,
    latenessMs: LATENESS_MS,
    onAlert(_alert, trigger) {
      const at = wallClock();
      const sent = trigger?.headers?.[PRODUCED_AT];
      if (trigger === null || sent === undefined) flushAlerts++;
      else {
        latencies.push(at - Number(sent));
        const polled = polls.at(trigger.partition, trigger.offset);
        timings.push({ sent: Number(sent), polled, alerted: at });
      }
    },
  });
  // The same detector, noting when each poll handed it which records.
  const timed: StreamDetector = {
    ...detector,
    addBatches(batches) {
      const at = wallClock();
      for (const b of batches) {
        if (b.records.length > 0)
          polls.note(b.partition, b.records[b.records.length - 1].offset, at);
      }
      detector.addBatches(batches);
    },
  };
  const stop = new AbortController();
  let ready: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const consuming = runDetection(broker, timed, {
    topic,
    groupId: group,
    fromBeginning: true,
    signal: stop.signal,
    maxWaitMs: 100,
    onSubscribed: () => ready(),
    onPoll() {
      if (detector.counts().read >= lines.length) stop.abort();
    },
    // A broker outage voids the figures: the run ends (below) rather than wait for the broker.
    log: () => undefined,
  });
  // Awaited below; a consumer that fails meanwhile must not end the process with a stack trace.
  consuming.catch(() => undefined);
  await Promise.race([subscribed, consuming]);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const start = wallClock();
  let paced: PacedRun;
  try {
    paced = await producePacedOn(onThread, broker, topic, lines);
  } catch (err) {
    // The producer failed (the broker went away): the consumer stops too, and the run with it.
    stop.abort();
    await consuming.catch(() => undefined);
    throw err;
  }
  await consuming;
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
  return {
    engine: broker.engine,
    latencies,
    lines: paced.sent,
    produceSeconds: paced.seconds,
    flushAlerts,
    late: detector.counts().late,
    sameThread: !onThread,
    produceMs: paced.produceMs,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    cores,
    hops: slowestHops(
      timings,
      new Map(paced.stampedAt.map((stamp, i) => [stamp, paced.produceMs[i]])),
      start,
    ),
  };
}

function row(m: Measured): BenchRow {
  return latencyRow(
    `alert latency, ${m.engine === 'embedded' ? 'embedded broker' : 'Kafka broker'}`,
    'alert latency',
    m.latencies,
  );
}

function verdict(m: Measured, r: BenchRow): string {
  const target = TARGET_MS[m.engine];
  const max = Math.max(...m.latencies);
  const produce = [...m.produceMs].sort((a, b) => a - b);
  return (
    `${r.name}: p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${r.samples} alerts ` +
    `at ${Math.round(m.lines / m.produceSeconds).toLocaleString('en-US')} lines/s ` +
    `(target p99 < ${target} ms: ${r.p99Ms < target ? 'met' : 'NOT met'}); ` +
    `${m.flushAlerts} alert lines at the end of input left out, ${m.late} late records. ` +
    `Producer on ${m.sameThread ? 'the same thread' : 'a thread of its own'}; consumer thread's ` +
    `event-loop delay p99 ${m.loopP99Ms.toFixed(0)} ms, max ${m.loopMaxMs.toFixed(0)} ms; ` +
    `produce calls p50 ${percentile(produce, 0.5).toFixed(1)} ms, p99 ${percentile(produce, 0.99).toFixed(1)} ms, ` +
    `max ${produce[produce.length - 1]?.toFixed(1)} ms; the process used ${m.cores.toFixed(2)} cores; ` +
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}; ${m.hops}`
  );
}

const total = Math.round(seconds * rate);
const lines = latencyTraffic(total);
const suffix = String(Date.now());
const results: Measured[] = [];
const notes: string[] = [
  'Latency: from the moment the line whose event time moves the watermark past a window end is handed to produce() to the moment the detector emits the alert (wall clock, one process).',
];

const embedded = createBroker('embedded');
results.push(await measure(embedded, lines, suffix, false));
await embedded.close();

const config = loadConfig();
/** Why the run on Kafka failed, if it did. */
let failed: string | null = null;
if (args.on('no-cluster')) {
  notes.push('Kafka broker: left out (--no-cluster).');
} else if (await kafkaAnswers(config.kafka.brokers)) {
  const kafka = createBroker('cluster', config, {
    kafka: fetchWait === undefined ? {} : { fetchMaxWaitMs: fetchWait },
  });
  try {
    results.push(await measure(kafka, lines, suffix, !sameThread));
    notes.push(`Kafka fetch wait: ${fetchWait ?? DEFAULT_FETCH_MAX_WAIT_MS} ms on the broker.`);
  } catch (err) {
    // The broker went away mid-run (or refused it): one line, no results file of a void run.
    failed = isLoglabError(err) || err instanceof Error ? err.message : String(err);
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

if (failed !== null) {
  process.stderr.write(`bench/latency: the Kafka run failed: ${failed.split('\n')[0]}\n`);
  process.exit(1);
}

const rows = results.map(row);
for (let i = 0; i < results.length; i++) notes.push(verdict(results[i], rows[i]));
const report = createReport('latency', rows, [], notes);
process.stdout.write(formatReport(report));
process.stdout.write(`results: ${writeReport(report)}\n`);
