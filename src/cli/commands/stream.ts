/**
 * `loglab stream`: the streaming stage in one process, on either engine.
 *
 *   generator ──lines──▶ line producer ──▶ weblogs.raw ──▶ consumer, group loglab-stream
 *   (seeded, --rate)      (key = client IP)                 │ count + checksum
 *                           └ unparseable ──▶ weblogs.deadletter   └─▶ batch handlers (stage 3)
 *
 * The producer side is the one `loglab produce` uses; the consumer side commits after every
 * batch, as `loglab consume` does. Both run at once, so the lag printed as it goes is real. The
 * run ends when the generator is done and the consumer has read everything that was
 * acknowledged; the summary compares an order-independent checksum of the lines produced with
 * that of the lines consumed.
 *
 * On a cluster, weblogs.raw may hold older messages and other groups may read it. The consumer
 * reads from its group's committed offsets (from the beginning for a new group) and skips what
 * lies before the end offsets noted at the start of the run; it counts only this run's messages,
 * assuming nobody else writes to weblogs.raw meanwhile.
 */
import { createHash, type Hash } from 'node:crypto';
import { type Command, Option } from 'commander';
import { badFlag } from '../../errors';
import type { GenerateOptions } from '../../generate/index';
import type { Broker, RecordBatch } from '../../stream/broker';
import {
  ALERTS_TOPIC,
  DEADLETTER_TOPIC,
  DEFAULT_PARTITIONS,
  RAW_TOPIC,
  standardTopics,
} from '../../stream/topics';
import { optionsFromFlags } from './generate';
import {
  createLineProducer,
  createStatusLine,
  DEFAULT_BATCH,
  engineOption,
  handleInterrupts,
  openBroker,
  parseCount,
  TIMESTAMP_HELP,
  TIMESTAMP_SOURCES,
  type TimestampSource,
  thousands,
} from './produce';

/**
 * What the consumer side does with the records it reads, after counting them: stage 3 adds its
 * detectors here (`--detect`). Each call gets one poll's batches, one RecordBatch per partition
 * in offset order, only records of this run; the batches are committed once every handler has
 * returned, so a handler that throws gets them again (at least once).
 */
export type BatchHandler = (batches: readonly RecordBatch<string>[]) => void | Promise<void>;

/** The group of `loglab stream` without --group. */
export const STREAM_GROUP = 'loglab-stream';

// ---------------------------------------------------------------------------------------------
// Checksum

/**
 * A checksum of the lines of a topic that also checks Kafka's one ordering promise: per
 * partition, SHA-1 over its lines in offset order (each followed by "\n"); the digest is the
 * line count and SHA-1 over the partitions' digests in partition order. A lost, duplicated,
 * changed or reordered line changes it; how partitions interleave does not. Native hashing,
 * one call per line: a hash written in JavaScript costs several times more per character.
 */
export interface LineChecksum {
  readonly count: number;
  add(partition: number, line: string): void;
  /** "20000:89abcdef01234567". */
  digest(): string;
}

export function createChecksum(): LineChecksum {
  const hashes: Hash[] = [];
  let count = 0;
  return {
    get count() {
      return count;
    },
    add(partition, line) {
      let h = hashes[partition];
      if (h === undefined) {
        h = createHash('sha1');
        hashes[partition] = h;
      }
      h.update(`${line}\n`);
      count++;
    },
    digest() {
      const all = createHash('sha1');
      for (let p = 0; p < hashes.length; p++) {
        all.update(`${p}:${hashes[p] === undefined ? '' : hashes[p].copy().digest('hex')}\n`);
      }
      return `${count}:${all.digest('hex').slice(0, 16)}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The pipeline

export interface StreamSettings {
  readonly generate: GenerateOptions;
  /** Partitions of weblogs.raw when it has to be created (6). */
  readonly partitions?: number;
  readonly groupId?: string;
  /** Lines per second at most; as fast as it goes when absent. */
  readonly rate?: number;
  readonly batchSize?: number;
  /** Message timestamps: the line's own time (the default) or the time of sending. */
  readonly timestamps?: TimestampSource;
  readonly handlers?: readonly BatchHandler[];
  /** Stop generating: what was generated is still produced, and consumed to the end. */
  readonly stopProducing?: AbortSignal;
  /** Stop consuming after the batch in hand (and stop producing too). */
  readonly stopConsuming?: AbortSignal;
  readonly onSample?: (sample: StreamSample) => void;
  /** How often `onSample` is called (1,000 ms). */
  readonly sampleMs?: number;
}

export interface StreamSample {
  readonly elapsedMs: number;
  readonly produced: number;
  readonly deadLettered: number;
  readonly consumed: number;
  /** Acknowledged but not yet consumed, as this process sees it. */
  readonly lag: number;
  /** Since the previous sample. */
  readonly producedPerSecond: number;
  readonly consumedPerSecond: number;
}

export interface StreamSummary {
  readonly engine: string;
  readonly address: string;
  readonly topic: string;
  readonly partitions: number;
  readonly groupId: string;
  readonly produced: number;
  readonly deadLettered: number;
  readonly consumed: number;
  /** Older messages the group read and skipped (cluster only). */
  readonly skipped: number;
  /** The group's lag on the topic after its last commit, as the broker reports it. */
  readonly lag: number;
  readonly produceSeconds: number;
  readonly consumeSeconds: number;
  readonly producedPerSecond: number;
  readonly consumedPerSecond: number;
  readonly checksum: {
    readonly produced: string;
    readonly consumed: string;
    readonly equal: boolean;
  };
  /** Stopped by Ctrl-C before the generator was done. */
  readonly interrupted: boolean;
}

/** A consumer idle this long after the producer finished asks the broker whether it is done. */
const DRAIN_CHECK_MS = 3000;

/** Lines of generated chunks, as `readLines` gives them from a file. */
async function* generatedLines(options: GenerateOptions, paced: boolean): AsyncGenerator<string[]> {
  const [{ generateBuffers }, { readLines }] = await Promise.all([
    import('../../generate/index'),
    import('../../log/lines'),
  ]);
  // Paced runs generate small chunks, so that Ctrl-C leaves little already generated to send.
  async function* chunks() {
    for (const chunk of generateBuffers(options, paced ? 16_384 : 1 << 18)) yield chunk;
  }
  yield* readLines(chunks());
}

export async function runStream(broker: Broker, settings: StreamSettings): Promise<StreamSummary> {
  const [{ parseAuto }, { runConsumer }, { partitionForKey }] = await Promise.all([
    import('../../log/auto'),
    import('../../stream/consume-loop'),
    import('../../stream/partitioner'),
  ]);
  const groupId = settings.groupId ?? STREAM_GROUP;
  const handlers = settings.handlers ?? [];
  await broker.createTopics(standardTopics(settings.partitions ?? DEFAULT_PARTITIONS));
  // Where this run's messages will start: anything before is older and skipped.
  const startOffsets = new Map<number, number>();
  for (const p of (await broker.describeTopic(RAW_TOPIC)).partitions) {
    startOffsets.set(p.partition, p.end);
  }
  const partitions = startOffsets.size;
  const consumer = await broker.subscribe({
    groupId,
    topics: [RAW_TOPIC],
    fromBeginning: true,
    clientId: 'loglab-stream',
  });

  const stopConsumer = new AbortController();
  const stopProducer = new AbortController();
  const producerSignals = [stopProducer.signal];
  if (settings.stopProducing) producerSignals.push(settings.stopProducing);
  if (settings.stopConsuming) producerSignals.push(settings.stopConsuming);
  const producerStop = AbortSignal.any(producerSignals);
  const consumerStop = settings.stopConsuming
    ? AbortSignal.any([stopConsumer.signal, settings.stopConsuming])
    : stopConsumer.signal;

  const producedSum = createChecksum();
  const consumedSum = createChecksum();
  const producer = createLineProducer(broker, {
    topic: RAW_TOPIC,
    parse: parseAuto,
    batchSize: settings.batchSize ?? DEFAULT_BATCH,
    timestamps: settings.timestamps,
    rate: settings.rate,
    signal: producerStop,
    onAcked(messages) {
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i];
        // Keys of parsed lines are never null: the partition is the one the broker picked.
        producedSum.add(partitionForKey(m.key as string, partitions), m.value as string);
      }
    },
  });
  const counts = producer.counts;
  let producerDone = false;
  let interrupted = false;
  let skipped = 0;
  const started = performance.now();
  let produceEnd = started;
  let consumeEnd = started;
  let lastConsumedAt = started;

  const caughtUp = () => producerDone && consumedSum.count >= counts.produced;

  const handle = async (batches: readonly RecordBatch<string>[]) => {
    let mine = batches;
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b];
      const from = startOffsets.get(batch.partition) ?? 0;
      if (batch.records[0].offset >= from) continue;
      // Older messages on this partition: keep only this run's (rare; the first run of a group).
      const kept: RecordBatch<string>[] = [];
      for (const x of batches) {
        const first = startOffsets.get(x.partition) ?? 0;
        const records = x.records.filter((r) => r.offset >= first);
        skipped += x.records.length - records.length;
        if (records.length > 0) kept.push({ ...x, records });
      }
      mine = kept;
      break;
    }
    for (let b = 0; b < mine.length; b++) {
      const { partition, records } = mine[b];
      for (let i = 0; i < records.length; i++) consumedSum.add(partition, records[i].value);
    }
    if (mine.length > 0) {
      lastConsumedAt = performance.now();
      consumeEnd = lastConsumedAt;
      for (const h of handlers) await h(mine);
    }
    if (caughtUp()) stopConsumer.abort();
  };

  const sampleMs = settings.sampleMs ?? 1000;
  let last = { at: started, produced: 0, consumed: 0 };
  let draining = false;
  const timer = setInterval(() => {
    const now = performance.now();
    const dt = Math.max(now - last.at, 1) / 1000;
    settings.onSample?.({
      elapsedMs: now - started,
      produced: counts.produced,
      deadLettered: counts.deadLettered,
      consumed: consumedSum.count,
      lag: Math.max(0, counts.produced - consumedSum.count),
      producedPerSecond: (counts.produced - last.produced) / dt,
      consumedPerSecond: (consumedSum.count - last.consumed) / dt,
    });
    last = { at: now, produced: counts.produced, consumed: consumedSum.count };
    // Messages can vanish before they are read (retention); then the broker says there is
    // nothing left, and waiting for the count would never end.
    if (producerDone && !draining && now - lastConsumedAt > DRAIN_CHECK_MS) {
      draining = true;
      const asked = lastConsumedAt;
      broker
        .groupLag(groupId, [RAW_TOPIC])
        .then((lag) => {
          // Nothing left for the group, and nothing arrived while the broker was asked.
          if (lag.total === 0 && lastConsumedAt === asked) stopConsumer.abort();
        })
        .catch(() => undefined)
        .finally(() => {
          draining = false;
        });
    }
  }, sampleMs);

  const producing = (async () => {
    try {
      for await (const lines of generatedLines(settings.generate, settings.rate !== undefined)) {
        if (producerStop.aborted) {
          interrupted = !stopProducer.signal.aborted;
          break;
        }
        await producer.add(lines);
      }
      await producer.flush();
    } catch (err) {
      stopConsumer.abort();
      throw err;
    } finally {
      produceEnd = performance.now();
      producerDone = true;
      if (caughtUp()) stopConsumer.abort();
    }
  })();
  const consuming = runConsumer(consumer, handle, { signal: consumerStop, maxWaitMs: 200 }).catch(
    (err) => {
      stopProducer.abort();
      throw err;
    },
  );

  let lag: number;
  try {
    const [produced, consumed] = await Promise.allSettled([producing, consuming]);
    if (produced.status === 'rejected') throw produced.reason;
    if (consumed.status === 'rejected') throw consumed.reason;
    lag = (await broker.groupLag(groupId, [RAW_TOPIC])).total;
  } finally {
    clearInterval(timer);
    await consumer.close();
  }

  const produceSeconds = (produceEnd - started) / 1000;
  const consumeSeconds = (consumeEnd - started) / 1000;
  const producedText = producedSum.digest();
  const consumedText = consumedSum.digest();
  return {
    engine: broker.engine,
    address: broker.address,
    topic: RAW_TOPIC,
    partitions,
    groupId,
    produced: counts.produced,
    deadLettered: counts.deadLettered,
    consumed: consumedSum.count,
    skipped,
    lag,
    produceSeconds,
    consumeSeconds,
    producedPerSecond: produceSeconds > 0 ? counts.produced / produceSeconds : 0,
    consumedPerSecond: consumeSeconds > 0 ? consumedSum.count / consumeSeconds : 0,
    checksum: {
      produced: producedText,
      consumed: consumedText,
      equal: producedText === consumedText,
    },
    interrupted,
  };
}

// ---------------------------------------------------------------------------------------------
// The command

interface StreamFlags {
  detect?: boolean;
  dashboard?: boolean;
  window: string;
  hop: string;
  lateness: string;
  lines?: string;
  seed: string;
  rate?: string;
  incidents?: string;
  engine?: string;
  partitions: string;
  group: string;
  batch: string;
  timestamp: TimestampSource;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  loglab stream                                   100,000 lines through the embedded broker
  loglab stream --engine cluster --lines 1000000 --timestamp now
                                                  a million through Kafka (npm run cluster -- up)
  loglab stream --rate 500 --incidents all        live: 500 lines a second until Ctrl-C

The generator's lines are produced to weblogs.raw (key = client IP, timestamp = the line's time)
and read back by group loglab-stream in the same process, which commits after every batch.
While it runs, stderr shows produced/s, consumed/s and lag (a refreshing line on a terminal,
one line a second otherwise); at the end stdout has the summary: produced, consumed,
dead-lettered, the group's lag and a checksum of the lines on each side, which must be equal.
With --detect the consumer side also runs the detectors of \`loglab detect\` (group
loglab-stream): alerts go to stdout as NDJSON and to weblogs.alerts, and the summary goes to
stderr; --dashboard draws the live detection view instead of the status line on a terminal
(try: loglab stream --rate 500 --incidents all --dashboard).
Ctrl-C stops generating and lets the consumer catch up (exit 0); a second Ctrl-C stops the
consumer too; a third exits at once with 130. Exit code 1 when the consumer did not get exactly
the lines that were produced.

${TIMESTAMP_HELP}
Without --rate the generated day is 2024-03-12: on the cluster engine, use --timestamp now or
--rate (lines stamped with the current time), or its retention may drop them during the run.
`;

export function registerStream(program: Command): void {
  program
    .command('stream')
    .description(
      'Generate, produce and consume in one process, with throughput, lag and checksums.',
    )
    .option('--lines <n>', 'lines to generate (default 100000; endless with --rate)')
    .option('--seed <s>', 'random seed of the generator', '42')
    .option('--rate <r>', 'lines per second, stamped with the current time (real-time mode)')
    .option('--incidents <list>', 'comma-separated: error-burst, ip-flood, scanner, or all')
    .addOption(engineOption('embedded'))
    .option(
      '--partitions <n>',
      'partitions of weblogs.raw when it is created',
      String(DEFAULT_PARTITIONS),
    )
    .option('--group <id>', 'consumer group of the consuming side', STREAM_GROUP)
    .option('--batch <n>', 'messages per produce request', String(DEFAULT_BATCH))
    .addOption(
      new Option(
        '--timestamp <source>',
        "message timestamps: the line's time or the time of sending",
      )
        .choices([...TIMESTAMP_SOURCES])
        .default('event'),
    )
    .option('--json', 'print the summary as one JSON object')
    .option('--detect', 'also detect incidents on the consumed lines: alerts as NDJSON on stdout')
    .option('--dashboard', 'with --detect (implied): the live detection dashboard on a terminal')
    .option('--window <duration>', 'detection window length (with --detect)', '5m')
    .option('--hop <duration>', 'how often a detection window closes (with --detect)', '1m')
    .option('--lateness <duration>', 'allowed lateness of the detector (with --detect)', '30s')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: StreamFlags) => {
      await runStreamCommand(flags);
    });
}

function formatSample(s: StreamSample): string {
  return (
    `${(s.elapsedMs / 1000).toFixed(1)} s  produced ${s.produced} (${thousands(s.producedPerSecond)}/s)` +
    `  consumed ${s.consumed} (${thousands(s.consumedPerSecond)}/s)  lag ${s.lag}` +
    (s.deadLettered > 0 ? `  dead-lettered ${s.deadLettered}` : '')
  );
}

export function formatSummary(s: StreamSummary): string {
  const rows = [
    `engine     ${s.engine === 'embedded' ? 'embedded' : `cluster (Kafka at ${s.address})`}, ${s.topic} with ${s.partitions} partitions, group ${s.groupId}`,
    `produced   ${s.produced} to ${s.topic}, ${s.deadLettered} to ${DEADLETTER_TOPIC}, in ${s.produceSeconds.toFixed(2)} s (${thousands(s.producedPerSecond)} lines/s)`,
    `consumed   ${s.consumed} from ${s.topic}, in ${s.consumeSeconds.toFixed(2)} s (${thousands(s.consumedPerSecond)} lines/s)`,
  ];
  if (s.skipped > 0) rows.push(`skipped    ${s.skipped} older messages before this run's`);
  rows.push(`lag        ${s.lag}`);
  rows.push(
    `checksum   produced ${s.checksum.produced}, consumed ${s.checksum.consumed}: ${s.checksum.equal ? 'equal' : 'DIFFERENT'}`,
  );
  if (s.interrupted) rows.push('stopped    by Ctrl-C');
  return `${rows.join('\n')}\n`;
}

async function runStreamCommand(flags: StreamFlags): Promise<void> {
  const generate = optionsFromFlags(
    {
      lines: flags.lines,
      seed: flags.seed,
      rate: flags.rate,
      incidents: flags.incidents,
      format: 'combined',
    },
    Date.now(),
  );
  const partitions = parseCount(flags.partitions, '--partitions', 1);
  const batchSize = parseCount(flags.batch, '--batch', 1);
  if (flags.group.trim() === '') throw badFlag('--group must not be empty');
  const { validateOptions } = await import('../../generate/index');
  validateOptions(generate);

  const detecting = flags.detect === true || flags.dashboard === true;
  const detection = detecting ? await openDetection(flags) : null;
  const { broker } = await openBroker(flags.engine, 'embedded');
  const interrupts = handleInterrupts(2);
  const [stopProducing, stopConsuming] = interrupts.stages;
  const handlers: BatchHandler[] = [];
  if (detection !== null) handlers.push(detection.handler(broker));
  // The dashboard shows the same figures and more: no status line under it.
  const drawing = detection?.session.drawsDashboard === true;
  const status = createStatusLine();
  let summary: StreamSummary;
  try {
    if (detection !== null) {
      await detection.session.startDashboard(
        `generated, ${RAW_TOPIC} on ${broker.engine === 'cluster' ? `Kafka ${broker.address}` : 'the embedded broker'}, group ${flags.group}`,
        () => null,
      );
    }
    summary = await runStream(broker, {
      generate,
      partitions,
      groupId: flags.group,
      rate: generate.rate,
      batchSize,
      timestamps: flags.timestamp,
      handlers,
      stopProducing,
      stopConsuming,
      sampleMs: status.enabled ? 250 : 1000,
      onSample(sample) {
        if (drawing) return;
        if (status.enabled) status.show(formatSample(sample));
        else process.stderr.write(`${formatSample(sample)}\n`);
      },
    });
    if (detection !== null) await detection.finish(broker);
  } finally {
    detection?.session.stopDashboard(true);
    status.clear();
    interrupts.dispose();
    await broker.close();
  }
  if (summary.partitions !== partitions) {
    process.stderr.write(
      `loglab stream: ${RAW_TOPIC} already had ${summary.partitions} partitions; --partitions applies only when it is created\n`,
    );
  }
  // With --detect stdout carries the alerts: the summary goes to stderr.
  const summaryOut = detection !== null ? process.stderr : process.stdout;
  summaryOut.write(flags.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  if (detection !== null) {
    process.stderr.write(`${detection.counts()}\n`);
  }
  const complete = summary.consumed === summary.produced && summary.checksum.equal;
  if (!complete && !stopConsuming.aborted) {
    // Not a usage error: something was lost or changed on the way (exit 1).
    throw new Error(
      `consumed ${summary.consumed} lines for ${summary.produced} produced, and the checksums differ`,
    );
  }
}

/** `--detect`: the detector of `loglab detect` as one more batch handler of the consumer side. */
async function openDetection(flags: StreamFlags) {
  const [{ openDetectSession, windowFlags }, detectStream] = await Promise.all([
    import('./detect'),
    import('../../realtime/detect-stream'),
  ]);
  const settings = await windowFlags(flags);
  const session = await openDetectSession(settings, 'auto', flags.dashboard === true);
  const { detector } = session;
  const produceAlerts = async (broker: Broker) => {
    const alerts = detector.takeAlerts();
    detector.takeDeadLetters();
    if (alerts.length > 0)
      await broker.produce(ALERTS_TOPIC, alerts.map(detectStream.alertMessage));
  };
  return {
    session,
    /** Detects on each poll's batches; alerts are written before the batches are committed. */
    handler(broker: Broker): BatchHandler {
      let expected = false;
      return async (batches) => {
        if (!expected) {
          // Every partition of the topic will deliver: none runs ahead of one not read yet.
          const described = await broker.describeTopic(RAW_TOPIC);
          detector.expectPartitions(described.partitions.map((p) => p.partition));
          expected = true;
        }
        detector.addBatches(batches);
        await session.writeAlerts();
        await produceAlerts(broker);
      };
    },
    /** The stream ended: close every window and write the last alerts. */
    async finish(broker: Broker) {
      detector.finish();
      await session.writeAlerts();
      await produceAlerts(broker);
    },
    counts: () => detectStream.formatDetectCounts(detector.counts()),
  };
}
