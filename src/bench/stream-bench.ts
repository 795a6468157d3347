/**
 * The stream benchmark: produce and consume throughput (messages/s and MB/s of log lines) on the
 * embedded broker, and with kafkajs beside kcat on a real Kafka broker.
 *
 *   lines (generated, seed 42) ─┬─▶ embedded: produce per batch size · consume (group, commit
 *                               │   per poll) · produce+consume at once, all in this process
 *                               └─▶ cluster, when a broker answers: see stream-cluster.ts
 *
 * On the cluster, @platformatic/kafka runs beside them when it is installed (see
 * stream-platformatic.ts), for comparison only, kafka-python, the classic system's client,
 * in a virtual environment of its own (stream-kafka-python.ts), and the optional librdkafka
 * client through the Broker port when `npm run kafka:rdkafka` installed it (stream-rdkafka.ts).
 *
 * `bench/stream.ts` runs the full version; a notebook runs a short one with small counts.
 * Targets: embedded produce+consume ≥ 2,000,000 messages/s; kafkajs ≥ 0.5 × kcat, producer and
 * consumer; kafkajs ≥ 1.0 × kafka-python, producer and consumer; rdkafka ≥ 0.5 × kcat, producer
 * and consumer.
 */
import { tmpdir } from 'node:os';
import { createBroker, type LoglabConfig, loadConfig } from '../config';
import { LoglabError } from '../errors';
import { defaultOptions, generateLines } from '../generate/generator';
import type { Broker, ProduceMessage } from '../stream/broker';
import { kafkaAnswers } from '../stream/kafka-broker';
import { clientKey } from '../stream/line-messages';
import type { Codec } from './codec';
import {
  type BenchReport,
  type BenchRow,
  type BenchTask,
  createReport,
  freeMemoryGiB,
  runTasks,
} from './harness';
import { benchCluster, hasKcat } from './stream-cluster';
import { prepareKafkaPython } from './stream-kafka-python';

export const EMBEDDED_TARGET_MESSAGES_PER_SEC = 2_000_000;
const TOPIC = 'bench.stream';

export interface StreamBenchOptions {
  /** The cluster part: when a broker answers ('auto', the default), always, or never. */
  readonly cluster?: boolean | 'auto';
  readonly config?: LoglabConfig;
  /** Combined-format lines; generated (seed 42) when absent. */
  readonly lines?: readonly string[];
  /** Messages per embedded task call (1,000,000). */
  readonly embeddedMessages?: number;
  /** Lines kcat and kafkajs produce and consume (1,000,000). */
  readonly clusterMessages?: number;
  /** Messages per produce call (1, 100, 1,000). */
  readonly batchSizes?: readonly number[];
  /** Producer compression on the cluster (none and gzip). */
  readonly codecs?: readonly Codec[];
  /** Runs of each cluster task (3). */
  readonly runs?: number;
  /** Minimum ms per embedded task, tinybench (1,000). */
  readonly time?: number;
  /** The kcat executable ('kcat'), or false to leave kcat out. */
  readonly kcat?: string | false;
  /** Records the kafkajs consumer fetches ahead (the adapter's default when absent). */
  readonly prefetchRecords?: number;
  /**
   * @platformatic/kafka as a third cluster peer: 'auto' (the default) when it can be imported,
   * true to say in the notes why it could not, false never.
   */
  readonly platformatic?: boolean | 'auto';
  /**
   * kafka-python as a cluster peer (bench/stream.ts asks for it; absent or false: not run). Its
   * virtual environment is made on first use; the notes say why when it cannot be.
   */
  readonly kafkaPython?: boolean;
  /**
   * The librdkafka client (LOGLAB_KAFKA_CLIENT=rdkafka) as a cluster peer: 'auto' (the default)
   * when `npm run kafka:rdkafka` installed it, true to say in the notes why not, false never.
   */
  readonly rdkafka?: boolean | 'auto';
  /** Where that virtual environment lives (`.cache/kafka-python-<version>`). */
  readonly venvDir?: string;
  /** Progress lines (nothing by default). */
  readonly log?: (line: string) => void;
}

/** `count` lines from `source`, repeated if it is shorter. */
function take(source: readonly string[], count: number): string[] {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = source[i % source.length];
  return out;
}

function keyed(lines: readonly string[]): ProduceMessage[] {
  const out: ProduceMessage[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) out[i] = { key: clientKey(lines[i]), value: lines[i] };
  return out;
}

function chunks(messages: readonly ProduceMessage[], size: number): ProduceMessage[][] {
  const out: ProduceMessage[][] = [];
  for (let i = 0; i < messages.length; i += size) out.push(messages.slice(i, i + size));
  return out;
}

function lineBytes(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) n += Buffer.byteLength(l, 'utf8');
  return n;
}

/** A broker without retention limits, so a task always finds every message it produced. */
function embedded(config: LoglabConfig): Broker {
  return createBroker('embedded', config, { memory: { retentionBytes: Number.MAX_SAFE_INTEGER } });
}

/** Reads `count` messages of `topic` as a new group from the beginning, committing every poll. */
async function drain(broker: Broker, groupId: string, count: number, waitMs: number) {
  const consumer = await broker.subscribe({ groupId, topics: [TOPIC], fromBeginning: true });
  let seen = 0;
  try {
    while (seen < count) {
      const r = await consumer.poll({ maxRecords: 10_000, maxWaitMs: waitMs });
      if (r.kind === 'records') {
        seen += r.count;
        await consumer.commit();
      } else if (r.kind === 'stopped' || waitMs === 0) {
        throw new LoglabError('INTERNAL', `consumed ${seen} of ${count} messages`);
      }
    }
  } finally {
    await consumer.close();
  }
}

async function produceAll(broker: Broker, batches: readonly ProduceMessage[][]): Promise<void> {
  for (let i = 0; i < batches.length; i++) await broker.produce(TOPIC, batches[i]);
}

/** Embedded broker rows: produce per batch size, consume, and produce+consume at once. */
export async function benchEmbedded(
  lines: readonly string[],
  options: { config: LoglabConfig; batchSizes: readonly number[]; time: number },
): Promise<BenchRow[]> {
  const messages = keyed(lines);
  const per = { messages: lines.length, bytes: lineBytes(lines) };
  const byBatch = options.batchSizes.map((b) => ({ batch: b, batches: chunks(messages, b) }));
  const fresh = async () => {
    const b = embedded(options.config);
    await b.createTopics([{ name: TOPIC }]);
    return b;
  };
  // One broker filled once for the consume task: every call reads it as a new group.
  const full = await fresh();
  await produceAll(full, chunks(messages, 1000));
  let groupSeq = 0;
  const largest = byBatch[byBatch.length - 1];
  const tasks: BenchTask[] = [
    ...byBatch.map(({ batch, batches }) => ({
      name: `embedded produce, batch ${batch.toLocaleString('en-US')}`,
      group: 'embedded produce',
      per,
      fn: async () => {
        const b = await fresh();
        await produceAll(b, batches);
        await b.close();
      },
    })),
    {
      name: 'embedded consume',
      group: 'embedded consume',
      per,
      // async: tinybench calls a plain function once more, unawaited, to see whether it returns
      // a promise; that extra drain would still be reading during the first measured run.
      fn: async () => drain(full, `bench-${++groupSeq}`, messages.length, 0),
    },
    {
      name: 'embedded produce+consume',
      group: 'embedded produce+consume',
      per,
      fn: async () => {
        const b = await fresh();
        const reading = drain(b, 'bench', messages.length, 1000);
        await produceAll(b, largest.batches);
        await reading;
        await b.close();
      },
    },
  ];
  try {
    return await runTasks(tasks, { time: options.time, iterations: 3 });
  } finally {
    await full.close();
  }
}

/**
 * The whole benchmark. The cluster part runs when asked and a broker answers; otherwise a note
 * says in one line why it did not.
 */
export async function benchStream(options: StreamBenchOptions = {}): Promise<BenchReport> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? (() => undefined);
  const batchSizes = [...(options.batchSizes ?? [1, 100, 1000])].sort((a, b) => a - b);
  const codecs = options.codecs ?? ['none', 'gzip'];
  const embeddedCount = options.embeddedMessages ?? 1_000_000;
  const clusterCount = options.clusterMessages ?? 1_000_000;
  const wantCluster = options.cluster ?? 'auto';
  if (options.lines?.length === 0) {
    throw new LoglabError('BAD_INPUT', 'the benchmark source has no lines');
  }
  // Generated lines are made per part, so that the embedded part's lines are garbage before the
  // cluster part runs (see stream-file.ts on why a big heap would skew kafkajs's figures).
  const linesFor = (count: number): Iterable<string> =>
    options.lines ? take(options.lines, count) : generateLines(defaultOptions({ lines: count }));

  const address = config.kafka.brokers.join(',');
  const clusterUp = wantCluster !== false && (await kafkaAnswers(config.kafka.brokers));
  if (wantCluster === true && !clusterUp) {
    throw new LoglabError(
      'SERVICE_DOWN',
      `no Kafka broker answers at ${address}: start one with \`npm run cluster -- up\``,
      { retriable: true },
    );
  }

  log(`embedded: ${embeddedCount.toLocaleString('en-US')} messages per task`);
  const rows = await benchEmbedded([...linesFor(embeddedCount)], {
    config,
    batchSizes,
    time: options.time ?? 1000,
  });
  const both = rows.find((r) => r.group === 'embedded produce+consume');
  const rate = both?.messagesPerSec ?? 0;
  const notes = [
    `embedded: ${embeddedCount.toLocaleString('en-US')} generated lines per call, keyed by client IP, 6 partitions; consume = a new group reading all of them, committing every poll of 10,000; produce+consume = a producer (batches of ${batchSizes[batchSizes.length - 1].toLocaleString('en-US')}) and a group consumer at once in one process`,
    `target: embedded produce+consume ≥ ${EMBEDDED_TARGET_MESSAGES_PER_SEC.toLocaleString('en-US')} messages/s: ${rate >= EMBEDDED_TARGET_MESSAGES_PER_SEC ? 'met' : 'NOT met'} (${Math.round(rate).toLocaleString('en-US')} messages/s)`,
  ];
  const ratios = [];

  if (wantCluster === 'auto' && !clusterUp) {
    notes.push(
      `cluster: no Kafka broker answers at ${address}, so only the embedded part ran (start one with \`npm run cluster -- up\`)`,
    );
  }
  if (clusterUp) {
    const kcat = options.kcat ?? 'kcat';
    const cluster = await benchCluster({
      config,
      source: linesFor(clusterCount),
      messages: clusterCount,
      batchSizes,
      codecs,
      runs: options.runs ?? 3,
      kcat: kcat !== false && hasKcat(kcat) ? kcat : false,
      platformatic: options.platformatic ?? 'auto',
      rdkafka: options.rdkafka ?? 'auto',
      kafkaPython: options.kafkaPython
        ? prepareKafkaPython({ venvDir: options.venvDir, log })
        : undefined,
      prefetchRecords: options.prefetchRecords,
      workDir: tmpdir(),
      log,
    });
    rows.push(...cluster.rows);
    ratios.push(...cluster.ratios);
    notes.push(...cluster.notes);
  }
  notes.push(`free memory at the end: ${freeMemoryGiB()} GiB`);
  return createReport('stream', rows, ratios, notes);
}

/**
 * The embedded or the cluster rows of a stream report as a report of their own, so that each can
 * be charted on its own scale (millions of messages/s beside tens of thousands hide the latter).
 */
export function streamReportPart(report: BenchReport, part: 'embedded' | 'cluster'): BenchReport {
  const rows = report.rows.filter((r) => r.group.startsWith('embedded') === (part === 'embedded'));
  const names = new Set(rows.map((r) => r.name));
  return { ...report, rows, ratios: report.ratios.filter((r) => names.has(r.subject)) };
}
