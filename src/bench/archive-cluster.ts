/**
 * The cluster half of the archive benchmark: the archiver (`runArchiver`, kafkajs through the
 * Broker port, the WebHDFS Store) reading a topic of real Kafka into a lake on real HDFS, beside
 * a bare kafkajs consumer reading the same topic to the end and doing nothing with the records:
 * what storing costs on top of consuming (target: the archiver at ≥ 0.8x the bare consumer).
 *
 * Both read all `count` records of a fresh topic in a fresh group, client start and group join
 * included, and stop once they have them: the archiver through its abort signal as soon as its
 * consumer has returned the last record (it then rolls every open file, so its time includes
 * the last files' upload and rename), the bare consumer when its count is reached. Each round
 * writes a lake of its own under one HDFS folder of the run, deleted at the end with the topic
 * and the groups. Rounds alternate the order.
 */
import { Kafka, logLevel } from 'kafkajs';
import { createBroker, type LoglabConfig } from '../config';
import { defaultOptions, generateLines } from '../generate';
import type { Store, StoreEntry } from '../storage/store';
import { createWebHdfsStore } from '../storage/webhdfs-store';
import type { Broker } from '../stream/broker';
import { removeScratch } from '../stream/scratch';
import { DEFAULT_PARTITIONS } from '../stream/topics';
import { type BenchRow, type Ratio, ratio, timeOnce } from './harness';
import { mergeRuns } from './stream-cluster';
import { produceFile, writeKeyedFile } from './stream-file';

export const ARCHIVER_VS_CONSUMER_TARGET = 0.8;
export const ARCHIVER = 'loglab archiver, Kafka → HDFS';
export const BARE_CONSUMER = 'bare kafkajs consumer';
const CLUSTER_SPAN_MS = 3_600_000;

export interface ClusterArchiveOptions {
  readonly config: LoglabConfig;
  /** Generated lines to produce and read back. */
  readonly count: number;
  readonly runs: number;
  /** Where the keyed input file is written for the producer. */
  readonly workFile: string;
  /** pipeline/run-archiver.ts's runArchiver, passed in: no stage imports the wiring. */
  readonly runArchiver: (
    broker: Broker,
    store: Store,
    options: { topic: string; groupId: string; signal: AbortSignal },
  ) => Promise<{ readonly lines: number; readonly files: number }>;
  readonly log: (line: string) => void;
}

export interface ClusterArchiveResult {
  readonly rows: BenchRow[];
  readonly ratios: Ratio[];
  readonly notes: string[];
}

/**
 * The store seen from inside folder `base`: the archiver's fixed layout (/loglab/raw/…) lands
 * under `base`, so a benchmark run never writes among the lake's real files. (The WebHDFS URL's
 * path cannot do this: HDFS takes a rename's destination as an absolute path.)
 */
export function rootedStore(store: Store, base: string): Store {
  const inside = (path: string) => (path === '/' ? base : `${base}${path}`);
  const outside = (entry: StoreEntry): StoreEntry => ({
    ...entry,
    path: entry.path === base ? '/' : entry.path.slice(base.length),
  });
  return {
    engine: store.engine,
    address: `${store.address}${base}`,
    mkdirs: (path) => store.mkdirs(inside(path)),
    create: (path, options) => store.create(inside(path), options),
    append: (path) => store.append(inside(path)),
    rename: (from, to) => store.rename(inside(from), inside(to)),
    list: async (path) => (await store.list(inside(path))).map(outside),
    stat: async (path) => {
      const entry = await store.stat(inside(path));
      return entry === null ? null : outside(entry);
    },
    open: (path) => store.open(inside(path)),
    delete: (path, options) => store.delete(inside(path), options),
    close: () => store.close(),
  };
}

/** The broker, with its consumers calling `onRecords` with each poll's record count (either kind). */
function counting(broker: Broker, onRecords: (n: number) => void): Broker {
  const subscribe: Broker['subscribe'] = async (opts) => {
    const consumer = await broker.subscribe(opts);
    const poll: typeof consumer.poll = async (pollOpts) => {
      const result = await consumer.poll(pollOpts);
      if (result.kind === 'records') onRecords(result.count);
      return result;
    };
    const pollRaw: typeof consumer.pollRaw = async (pollOpts) => {
      const result = await consumer.pollRaw(pollOpts);
      if (result.kind === 'records') onRecords(result.count);
      return result;
    };
    return { ...consumer, poll, pollRaw };
  };
  return { ...broker, subscribe };
}

/** kafkajs alone: connect, join, read `count` records from the beginning, leave. */
async function bareConsume(
  brokers: readonly string[],
  topic: string,
  groupId: string,
  count: number,
): Promise<number> {
  const kafka = new Kafka({
    clientId: 'loglab-bench-bare',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId });
  let seen = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            seen += batch.messages.length;
            if (seen >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

export async function benchClusterArchive(o: ClusterArchiveOptions): Promise<ClusterArchiveResult> {
  const run = Date.now();
  const { url, user } = o.config.hdfs;
  const topic = `loglab.bench.archive.${run}`;
  const base = `/loglab-bench/archive-${run}`;
  const groups: string[] = [];
  const notes: string[] = [];
  // One hour of traffic: a live stream is dense (at 1,000 lines/s an hour holds 3.6 M lines), so
  // the archiver writes a few large files per partition, not one small file per partition and
  // hour as a day squeezed into a few hundred thousand lines would make it.
  const source = generateLines(defaultOptions({ lines: o.count, spanMs: CLUSTER_SPAN_MS }));
  const file = writeKeyedFile(o.workFile, source, o.count);
  let files = 0;
  const per = { lines: file.lines, messages: file.lines, bytes: file.bytes };
  const admin = createBroker('cluster', o.config);
  const root = createWebHdfsStore({ url, user });
  const samples = new Map<string, BenchRow[]>();
  try {
    await admin.createTopics([{ name: topic, partitions: DEFAULT_PARTITIONS }]);
    o.log(`cluster: producing ${file.lines.toLocaleString('en-US')} lines to ${topic}`);
    const sent = await produceFile(admin, topic, file.path, 2_000, file.lines);
    if (sent !== file.lines) throw new Error(`produced ${sent} of ${file.lines} lines`);

    const archiver = (round: number) => async (): Promise<BenchRow> => {
      const groupId = `${topic}.archiver.${round}`;
      groups.push(groupId);
      const store = rootedStore(createWebHdfsStore({ url, user }), `${base}/r${round}`);
      return timeOnce(ARCHIVER, 'Kafka → lake', per, async () => {
        const stop = new AbortController();
        let seen = 0;
        const broker = counting(createBroker('cluster', o.config), (n) => {
          seen += n;
          if (seen >= file.lines) stop.abort();
        });
        try {
          const done = await o.runArchiver(broker, store, { topic, groupId, signal: stop.signal });
          if (done.lines !== file.lines) {
            throw new Error(`the archiver stored ${done.lines} of ${file.lines} lines`);
          }
          files = done.files;
        } finally {
          await broker.close();
          await store.close();
        }
      });
    };
    const bare = (round: number) => async (): Promise<BenchRow> => {
      const groupId = `${topic}.bare.${round}`;
      groups.push(groupId);
      return timeOnce(BARE_CONSUMER, 'Kafka → lake', per, async () => {
        const seen = await bareConsume(o.config.kafka.brokers, topic, groupId, file.lines);
        if (seen < file.lines) throw new Error(`kafkajs read ${seen} of ${file.lines} records`);
      });
    };
    for (let round = 0; round < o.runs; round++) {
      o.log(`cluster: round ${round + 1} of ${o.runs}`);
      const tasks = [archiver(round), bare(round)];
      for (const task of round % 2 === 0 ? tasks : tasks.reverse()) {
        const row = await task();
        samples.set(row.name, [...(samples.get(row.name) ?? []), row]);
      }
    }
  } finally {
    await root.delete(base, { recursive: true, missingOk: true }).catch((err: Error) => {
      notes.push(`could not delete ${base} on HDFS: ${err.message}`);
    });
    await root.close();
    await removeScratch(admin, { topics: [topic], groups }).catch((err: Error) => {
      notes.push(`could not remove the benchmark topic: ${err.message}`);
    });
    await admin.close();
  }
  const rows = [...samples.values()].map(mergeRuns);
  const ratios = [
    ratio(
      rows,
      ARCHIVER,
      BARE_CONSUMER,
      'archiver Kafka → HDFS / bare kafkajs consumer',
      ARCHIVER_VS_CONSUMER_TARGET,
    ),
  ];
  notes.push(
    `cluster: ${file.lines.toLocaleString('en-US')} generated lines over one hour (${(file.bytes / 1e6).toFixed(0)} MB) on a topic of ${DEFAULT_PARTITIONS} partitions at ${o.config.kafka.brokers.join(',')}, HDFS at ${url}; ${o.runs} round${o.runs === 1 ? '' : 's'}, order alternating; each reader in a fresh group, client start and group join included; the archiver with its default roll settings (64 MB, 60 s), its time including the upload and rename of its last files; ${files} files in its last round`,
  );
  return { rows, ratios, notes };
}
