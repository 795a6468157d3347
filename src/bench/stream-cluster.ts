/**
 * The cluster half of the stream benchmark: kafkajs (through the `Broker` port, in this process)
 * and kcat (librdkafka, a whole process) producing and consuming the same lines on the same
 * broker, topic and partitions, one codec at a time.
 *
 * Fair by construction:
 * - the same file of lines, keyed by client IP, read by both producers (kcat with `-K '\t'`,
 *   partitioning with murmur2_random, which equals Java's and our murmur2; kafkajs streaming it
 *   in chunks, see stream-file.ts), values sent as the bytes read;
 * - the same delivery: idempotent producer, acks from all in-sync replicas (`-X
 *   enable.idempotence=true -X acks=all` for kcat; the adapter always produces that way);
 * - consumers in a fresh group each, reading the topic from the beginning, `count` messages;
 *   kcat as `-G` (librdkafka's group consumer), formatting key and value to /dev/null; kafkajs
 *   through the port with values as bytes, as kcat writes them (decoding each value as UTF-8
 *   text would cost kafkajs about a fifth of its rate, work kcat does not do);
 * - runs alternate (kcat first, then last) so that a busy moment of the machine, or the broker
 *   still flushing the previous run, hits both sides alike.
 * MB/s counts the log lines (message values) only, the same bytes on both sides.
 * @platformatic/kafka, when importable, runs as a third peer in the same rounds: see
 * stream-platformatic.ts. kafka-python, the classic system's client, runs in them too when its
 * virtual environment is ready (stream-kafka-python.ts): kafkajs should be at least as fast.
 * The optional librdkafka client, when installed, runs through the same port in the same rounds
 * (stream-rdkafka.ts). The kafkajs rows always use kafkajs, whatever LOGLAB_KAFKA_CLIENT says.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createBroker, type LoglabConfig } from '../config';
import type { Broker } from '../stream/broker';
import { runConsumer } from '../stream/consume-loop';
import { removeScratch } from '../stream/scratch';
import { DEFAULT_PARTITIONS } from '../stream/topics';
import type { Codec } from './codec';
import { type BenchRow, type Ratio, timeOnce, timeProcess, type Workload } from './harness';
import { produceFile, writeKeyedFile } from './stream-file';
import {
  isReady,
  KAFKA_PYTHON_NOTE,
  type KafkaPythonSetup,
  kafkaPythonConsumeRow,
  kafkaPythonProduceRow,
  timeKafkaPythonConsume,
  timeKafkaPythonProduce,
} from './stream-kafka-python';
import {
  consumePlatformatic,
  createPlatformaticProducer,
  isLoaded,
  loadPlatformatic,
  PLATFORMATIC_BATCH,
  PLATFORMATIC_NOTE,
  PLATFORMATIC_PACKAGE,
  PLATFORMATIC_VERSION,
  type PlatformaticProducer,
  platformaticConsumeRow,
  platformaticProduceRow,
} from './stream-platformatic';
import {
  RDKAFKA_BATCH,
  RDKAFKA_RATIO_TARGET,
  rdkafkaAvailability,
  rdkafkaConsumeRow,
  rdkafkaNote,
  rdkafkaProduceRow,
  withClient,
} from './stream-rdkafka';

export const KAFKA_RATIO_TARGET = 0.5;
/** kafkajs against the classic system's client: at least as fast, producing and consuming. */
export const KAFKA_PYTHON_RATIO_TARGET = 1;
/** Produce calls per kafkajs run at most: batch 1 is one round trip per message. */
export const MAX_PRODUCE_CALLS = 2000;

export interface ClusterBenchOptions {
  readonly config: LoglabConfig;
  /** Combined lines, read once to write the input file. */
  readonly source: Iterable<string>;
  /** Lines for the kcat rows and the kafkajs rows at the largest batch size. */
  readonly messages: number;
  readonly batchSizes: readonly number[];
  readonly codecs: readonly Codec[];
  readonly runs: number;
  /** The kcat executable, or false for kafkajs alone. */
  readonly kcat: string | false;
  /**
   * @platformatic/kafka as a third peer: 'auto' (the default) when it can be imported, true to
   * say in the notes why it could not, false never.
   */
  readonly platformatic?: boolean | 'auto';
  /**
   * kafka-python as a peer: its prepared virtual environment, or why there is none (a note says
   * so); absent when not asked for.
   */
  readonly kafkaPython?: KafkaPythonSetup;
  /**
   * The librdkafka client (LOGLAB_KAFKA_CLIENT=rdkafka) as a peer: 'auto' (the default) when
   * its package loads, true to say in the notes why it could not, false never.
   */
  readonly rdkafka?: boolean | 'auto';
  /** Records the kafkajs consumer fetches ahead of `poll` (the adapter's default when absent). */
  readonly prefetchRecords?: number;
  /** Where the input file is written for the run. */
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export interface ClusterBenchResult {
  readonly rows: BenchRow[];
  readonly ratios: Ratio[];
  readonly notes: string[];
}

/** True when `command -V` runs: kcat is installed. */
export function hasKcat(command = 'kcat'): boolean {
  const r = spawnSync(command, ['-V'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** Short enough for a chart's axis; the group ("produce, none") says what it does. */
export function produceRowName(batch: number, codec: Codec): string {
  return `kafkajs, batch ${thousands(batch)}, ${codec}`;
}

/**
 * One row from several single-run rows of the same task: the runs are the samples. The runs
 * were taken one by one so that other tasks could run in between.
 */
export function mergeRuns(runs: readonly BenchRow[]): BenchRow {
  const first = runs[0];
  const samples = runs.map((r) => r.meanMs).sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const sd = Math.sqrt(
    samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples.length - 1),
  );
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  const opsPerSec = 1000 / mean;
  const per: Workload = first.per;
  const cpu = runs.every((r) => r.cpuMs !== undefined)
    ? runs.reduce((a, r) => a + (r.cpuMs ?? 0), 0) / runs.length
    : undefined;
  return {
    name: first.name,
    group: first.group,
    kind: first.kind,
    opsPerSec,
    meanMs: mean,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    rmePct: samples.length > 1 ? ((1.96 * sd) / Math.sqrt(samples.length) / mean) * 100 : 0,
    samples: samples.length,
    per,
    ...(per.lines ? { linesPerSec: per.lines * opsPerSec } : {}),
    ...(per.bytes ? { mbPerSec: (per.bytes * opsPerSec) / 1e6 } : {}),
    ...(per.messages ? { messagesPerSec: per.messages * opsPerSec } : {}),
    ...(per.events ? { eventsPerSec: per.events * opsPerSec } : {}),
    ...(cpu !== undefined ? { cpuMs: cpu } : {}),
  };
}

/** CPU µs per message of a row, where its CPU time was measured. */
export function cpuPerMessageUs(row: BenchRow | undefined): number | undefined {
  if (row?.cpuMs === undefined || !row.per.messages) return undefined;
  return (row.cpuMs * 1000) / row.per.messages;
}

/** Reads `count` messages of `topic` as a new group from the beginning, values as bytes. */
export async function consumeAll(
  broker: Broker,
  groupId: string,
  topic: string,
  count: number,
): Promise<number> {
  const consumer = await broker.subscribe({
    groupId,
    topics: [topic],
    fromBeginning: true,
    valueAs: 'buffer',
  });
  let seen = 0;
  try {
    const summary = await runConsumer(
      consumer,
      (batches) => {
        for (const b of batches) seen += b.records.length;
      },
      { maxRecords: count, signal: AbortSignal.timeout(300_000) },
    );
    return summary.records === count ? seen : Math.min(seen, summary.records);
  } finally {
    await consumer.close();
  }
}

/**
 * Runs one round of tasks, kcat first in even rounds and last in odd ones: whatever the broker
 * still does after a task (flushing, the page cache writing back) falls on both sides alike.
 */
async function alternate(
  round: number,
  tasks: readonly (() => Promise<BenchRow>)[],
  add: (row: BenchRow) => void,
): Promise<void> {
  const order = round % 2 === 0 ? tasks : [...tasks].reverse();
  for (const task of order) add(await task());
}

export async function benchCluster(o: ClusterBenchOptions): Promise<ClusterBenchResult> {
  const run = Date.now();
  const address = o.config.kafka.brokers.join(',');
  const notes: string[] = [];
  const tsv = join(o.workDir, `loglab-stream-bench-${run}.tsv`);
  const limits = o.batchSizes.map((b) => b * MAX_PRODUCE_CALLS);
  const file = writeKeyedFile(tsv, o.source, o.messages, limits);
  const count = file.lines;
  const bytes = file.bytes;

  const kafkajs = withClient(o.config, 'kafkajs');
  const admin = createBroker('cluster', kafkajs);
  const topics = o.codecs.map((c) => `loglab.bench.stream.${run}.${c}`);
  const groups: string[] = [];
  const kcatGroupPrefix = `loglab.bench.stream.${run}.kcat`;
  const producers: Broker[] = [];
  const platformatic = o.platformatic === false ? undefined : await loadPlatformatic();
  const pf = platformatic && isLoaded(platformatic) ? platformatic.lib : undefined;
  const pfProducers: PlatformaticProducer[] = [];
  const python = o.kafkaPython && isReady(o.kafkaPython) ? o.kafkaPython.python : undefined;
  const rdkafka = o.rdkafka === false ? undefined : await rdkafkaAvailability();
  const rd = rdkafka?.kind === 'ready' ? withClient(o.config, 'rdkafka') : undefined;
  const runs = new Map<string, BenchRow[]>();
  const add = (row: BenchRow) => {
    const list = runs.get(row.name);
    if (list) list.push(row);
    else runs.set(row.name, [row]);
  };
  try {
    await admin.createTopics(topics.map((name) => ({ name, partitions: DEFAULT_PARTITIONS })));
    for (let c = 0; c < o.codecs.length; c++) {
      const codec = o.codecs[c];
      const topic = topics[c];
      const producer = createBroker('cluster', kafkajs, { kafka: { compression: codec } });
      producers.push(producer);
      // Connects the producer and loads metadata outside the timing.
      await produceFile(producer, topic, tsv, 10, 10);
      const rdProducer = rd ? createBroker('cluster', rd, { kafka: { compression: codec } }) : null;
      if (rdProducer) {
        producers.push(rdProducer);
        await produceFile(rdProducer, topic, tsv, 10, 10);
      }
      const pfProducer = pf
        ? createPlatformaticProducer(pf, {
            brokers: o.config.kafka.brokers,
            codec,
            partitions: DEFAULT_PARTITIONS,
          })
        : undefined;
      if (pfProducer) {
        pfProducers.push(pfProducer);
        await pfProducer.produceFile(topic, tsv, 10, 10);
      }
      const group = `produce, ${codec}`;
      for (let r = 0; r < o.runs; r++) {
        o.log(`${codec}: produce run ${r + 1} of ${o.runs}`);
        const tasks: (() => Promise<BenchRow>)[] = [];
        const kcat = o.kcat;
        if (kcat) {
          tasks.push(() =>
            timeProcess({
              name: `kcat produce, ${codec}`,
              group,
              command: kcat,
              args: [
                ...['-b', address, '-P', '-t', topic, '-K', '\t', '-l'],
                ...['-X', 'partitioner=murmur2_random', '-X', 'enable.idempotence=true'],
                ...['-X', 'acks=all', '-z', codec, tsv],
              ],
              runs: 1,
              warmupRuns: 0,
              per: { messages: count, bytes },
            }),
          );
        }
        for (const batch of o.batchSizes) {
          const n = Math.min(count, batch * MAX_PRODUCE_CALLS);
          tasks.push(() =>
            timeOnce(
              produceRowName(batch, codec),
              group,
              { messages: n, bytes: file.bytesAt.get(n) ?? bytes },
              async () => {
                const sent = await produceFile(producer, topic, tsv, batch, n);
                if (sent !== n) throw new Error(`kafkajs produced ${sent} of ${n} messages`);
              },
            ),
          );
        }
        if (python) {
          tasks.push(() =>
            timeKafkaPythonProduce({
              python,
              address,
              topic,
              group,
              file: tsv,
              codec,
              messages: count,
              bytes,
            }),
          );
        }
        if (rdProducer) {
          tasks.push(() =>
            timeOnce(rdkafkaProduceRow(codec), group, { messages: count, bytes }, async () => {
              const sent = await produceFile(rdProducer, topic, tsv, RDKAFKA_BATCH, count);
              if (sent !== count) throw new Error(`rdkafka produced ${sent} of ${count} messages`);
            }),
          );
        }
        if (pfProducer) {
          tasks.push(() =>
            timeOnce(platformaticProduceRow(codec), group, { messages: count, bytes }, async () => {
              const sent = await pfProducer.produceFile(topic, tsv, PLATFORMATIC_BATCH, count);
              if (sent !== count) {
                throw new Error(`platformatic produced ${sent} of ${count} messages`);
              }
            }),
          );
        }
        await alternate(r, tasks, add);
      }

      const consumeGroup = `consume, ${codec}`;
      const consumerBroker = createBroker('cluster', kafkajs, {
        kafka: o.prefetchRecords ? { prefetchRecords: o.prefetchRecords } : {},
      });
      producers.push(consumerBroker);
      const rdConsumerBroker = rd ? createBroker('cluster', rd) : null;
      if (rdConsumerBroker) producers.push(rdConsumerBroker);
      for (let r = 0; r < o.runs; r++) {
        o.log(`${codec}: consume run ${r + 1} of ${o.runs}`);
        const tasks: (() => Promise<BenchRow>)[] = [];
        const kcat = o.kcat;
        if (kcat) {
          tasks.push(() =>
            timeProcess({
              name: `kcat consume, ${codec}`,
              group: consumeGroup,
              command: 'sh',
              // $$ is the shell's pid, kept by exec: a fresh group for every run.
              args: [
                '-c',
                'exec "$0" -b "$1" -G "$2.$$" -o beginning -e -q -c "$3" -f "%k\\t%s\\n" "$4"',
                kcat,
                address,
                kcatGroupPrefix,
                String(count),
                topic,
              ],
              runs: 1,
              warmupRuns: 0,
              per: { messages: count, bytes },
            }),
          );
        }
        const groupId = `loglab.bench.stream.${run}.kafkajs.${codec}.${r}`;
        groups.push(groupId);
        tasks.push(() =>
          timeOnce(
            `kafkajs consume, ${codec}`,
            consumeGroup,
            { messages: count, bytes },
            async () => {
              const seen = await consumeAll(consumerBroker, groupId, topic, count);
              if (seen !== count) throw new Error(`kafkajs consumed ${seen} of ${count} messages`);
            },
          ),
        );
        if (rdConsumerBroker) {
          const rdGroup = `loglab.bench.stream.${run}.rdkafka.${codec}.${r}`;
          groups.push(rdGroup);
          tasks.push(() =>
            timeOnce(
              rdkafkaConsumeRow(codec),
              consumeGroup,
              { messages: count, bytes },
              async () => {
                const seen = await consumeAll(rdConsumerBroker, rdGroup, topic, count);
                if (seen !== count)
                  throw new Error(`rdkafka consumed ${seen} of ${count} messages`);
              },
            ),
          );
        }
        if (python) {
          const pyGroup = `loglab.bench.stream.${run}.kafka-python.${codec}.${r}`;
          groups.push(pyGroup);
          tasks.push(() =>
            timeKafkaPythonConsume({
              python,
              address,
              topic,
              group: consumeGroup,
              groupId: pyGroup,
              codec,
              messages: count,
              bytes,
            }),
          );
        }
        if (pf) {
          const pfGroup = `loglab.bench.stream.${run}.platformatic.${codec}.${r}`;
          groups.push(pfGroup);
          tasks.push(() =>
            timeOnce(
              platformaticConsumeRow(codec),
              consumeGroup,
              { messages: count, bytes },
              async () => {
                const { consumed } = await consumePlatformatic(pf, {
                  brokers: o.config.kafka.brokers,
                  groupId: pfGroup,
                  topic,
                  count,
                });
                if (consumed !== count) {
                  throw new Error(`platformatic consumed ${consumed} of ${count} messages`);
                }
              },
            ),
          );
        }
        await alternate(r, tasks, add);
      }
    }
  } finally {
    await Promise.allSettled([...producers, ...pfProducers].map((p) => p.close()));
    const known = await admin.listGroups().catch(() => [] as string[]);
    for (const g of known) if (g.startsWith(`${kcatGroupPrefix}.`)) groups.push(g);
    await removeScratch(admin, { topics, groups }).catch((err: Error) => {
      notes.push(`could not remove the benchmark topics: ${err.message}`);
    });
    await admin.close();
    rmSync(tsv, { force: true });
  }

  const rows = [...runs.values()].map(mergeRuns);
  const ratios: Ratio[] = [];
  const largest = Math.max(...o.batchSizes);
  if (o.kcat) {
    for (const codec of o.codecs) {
      const cpu = (name: string) => cpuPerMessageUs(rows.find((r) => r.name === name));
      // The target is kafkajs's: the platformatic ratios are printed for comparison only.
      const peers: [string, string, string, number | undefined][] = [
        [
          'kafkajs',
          produceRowName(largest, codec),
          `kafkajs consume, ${codec}`,
          KAFKA_RATIO_TARGET,
        ],
      ];
      if (rd) {
        peers.push([
          'rdkafka',
          rdkafkaProduceRow(codec),
          rdkafkaConsumeRow(codec),
          RDKAFKA_RATIO_TARGET,
        ]);
      }
      if (pf) {
        peers.push([
          'platformatic',
          platformaticProduceRow(codec),
          platformaticConsumeRow(codec),
          undefined,
        ]);
      }
      for (const [peer, produce, consume, target] of peers) {
        const pairs: [string, string, string][] = [
          ['producer', produce, `kcat produce, ${codec}`],
          ['consumer', consume, `kcat consume, ${codec}`],
        ];
        for (const [side, subject, baseline] of pairs) {
          const a = cpu(subject);
          const b = cpu(baseline);
          if (a === undefined || b === undefined) continue;
          notes.push(
            `CPU per message, ${side}, ${codec}: ${peer} ${a.toFixed(1)} µs, kcat ${b.toFixed(1)} µs (${(a / b).toFixed(1)}x); the broker's own CPU not counted`,
          );
        }
        for (const [side, subject, baseline] of pairs) {
          const label = `${peer}/kcat ${side}, ${codec}`;
          ratios.push(messagesRatio(rows, subject, baseline, label, target));
        }
      }
    }
  }
  if (python) {
    for (const codec of o.codecs) {
      const pairs: [string, string, string][] = [
        ['producer', produceRowName(largest, codec), kafkaPythonProduceRow(codec)],
        ['consumer', `kafkajs consume, ${codec}`, kafkaPythonConsumeRow(codec)],
      ];
      for (const [side, subject, baseline] of pairs) {
        const a = cpuPerMessageUs(rows.find((r) => r.name === subject));
        const b = cpuPerMessageUs(rows.find((r) => r.name === baseline));
        if (a !== undefined && b !== undefined) {
          notes.push(
            `CPU per message, ${side}, ${codec}: kafkajs ${a.toFixed(1)} µs, kafka-python ${b.toFixed(1)} µs (${(a / b).toFixed(2)}x)`,
          );
        }
        ratios.push(
          messagesRatio(
            rows,
            subject,
            baseline,
            `kafkajs/kafka-python ${side}, ${codec}`,
            KAFKA_PYTHON_RATIO_TARGET,
          ),
        );
      }
    }
    notes.push(KAFKA_PYTHON_NOTE);
  } else if (o.kafkaPython && !isReady(o.kafkaPython)) {
    notes.push(`kafka-python: not run, ${o.kafkaPython.reason}: no kafka-python rows`);
  }
  notes.push(
    `cluster: ${address}, ${DEFAULT_PARTITIONS} partitions, ${thousands(count)} lines (${(bytes / 1e6).toFixed(0)} MB of values), ${o.runs} run${o.runs === 1 ? '' : 's'} of each; kafkajs batches of 1 and 100 send at most ${thousands(MAX_PRODUCE_CALLS)} batches`,
    'both producers idempotent with acks=all; librdkafka keeps up to 5 requests in flight per broker, kafkajs one (its idempotent producer locks the broker per request)',
  );
  if (rdkafka?.kind === 'ready') notes.push(rdkafkaNote(rdkafka.librdkafka));
  if (o.rdkafka === true && rdkafka?.kind === 'missing') {
    notes.push(`rdkafka: not run, ${rdkafka.reason}: no rdkafka rows`);
  }
  if (pf) notes.push(PLATFORMATIC_NOTE);
  if (o.platformatic === true && platformatic && !isLoaded(platformatic)) {
    notes.push(
      `${PLATFORMATIC_PACKAGE} could not be imported (${platformatic.reason}); \`npm install --no-save ${PLATFORMATIC_PACKAGE}@${PLATFORMATIC_VERSION}\` adds it: no platformatic rows`,
    );
  }
  if (!o.kcat) notes.push('kcat not found (Debian: apt-get install kcat): no kcat rows, no ratios');
  return { rows, ratios, notes };
}

/**
 * subject ÷ baseline in messages/s, so rows with different message counts compare fairly.
 * Without a target the ratio is printed for comparison only.
 */
export function messagesRatio(
  rows: readonly BenchRow[],
  subject: string,
  baseline: string,
  label: string,
  target?: number,
): Ratio {
  const s = rows.find((r) => r.name === subject);
  const b = rows.find((r) => r.name === baseline);
  if (!s || !b) throw new Error(`ratio ${label}: no row named ${!s ? subject : baseline}`);
  return {
    label,
    subject,
    baseline,
    value: (s.messagesPerSec ?? 0) / (b.messagesPerSec ?? 1),
    ...(target === undefined ? {} : { target }),
  };
}
