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
 *
 * Beside them, the whole `loglab archive --engine cluster` a user runs, as its own process with
 * `--max count` and `--lake` in the run's folder: its time (start-up and exit included) and its
 * peak RSS, since a fast archiver in a process that grows with the topic would be a leaking tool.
 *
 * The target row reads `count` records (300,000 by default). Joining the group and the last
 * roll's upload and renames cost the archiver about the same time whatever the count, so with
 * `steadyCount` the same rounds run again on a topic of that many records (1,000,000 by default
 * in bench/archive.ts), as rows of their own beside the target's: the rate once those fixed costs
 * are spread. Each archiver round also notes when its first record came (client start, join and
 * the lake's recovery), when its last record came, and when its last roll was committed.
 */
import { Kafka, logLevel } from 'kafkajs';
import { createBroker, type LoglabConfig } from '../config';
import { defaultOptions, generateLines } from '../generate';
import { createPrefixedStore } from '../storage/prefixed-store';
import type { Store } from '../storage/store';
import { createWebHdfsStore } from '../storage/webhdfs-store';
import type { Broker } from '../stream/broker';
import { removeScratch } from '../stream/scratch';
import { DEFAULT_PARTITIONS } from '../stream/topics';
import { mergeWithPeak } from './archive-local';
import { type BenchRow, peakRssArgs, type Ratio, ratio, timeOnce, timeProcess } from './harness';
import { produceFile, writeKeyedFile } from './stream-file';

export const ARCHIVER_VS_CONSUMER_TARGET = 0.8;
export const ARCHIVER = 'loglab archiver, Kafka → HDFS';
export const BARE_CONSUMER = 'bare kafkajs consumer';
/** The whole command a user runs, as a process of its own: start-up and exit included. */
export const WHOLE_ARCHIVE = 'loglab archive --engine cluster';
const CLI = 'bin/loglab.mjs';
const CLUSTER_SPAN_MS = 3_600_000;

export interface ClusterArchiveOptions {
  readonly config: LoglabConfig;
  /** Generated lines to produce and read back: the target's rows. */
  readonly count: number;
  /** A second, larger topic measured the same way, in rows of its own; absent: none. */
  readonly steadyCount?: number;
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

/** Seconds from a round's start: first record, last record, last roll committed. */
interface Phases {
  readonly first: number;
  readonly last: number;
  readonly done: number;
}

/** The rows' names for a topic of `count` records: the target's own names for the target's. */
function names(count: number, target: boolean): { archiver: string; bare: string; whole: string } {
  if (target) return { archiver: ARCHIVER, bare: BARE_CONSUMER, whole: WHOLE_ARCHIVE };
  const lines = `${count.toLocaleString('en-US')} lines`;
  return {
    archiver: `${ARCHIVER}, ${lines}`,
    bare: `${BARE_CONSUMER}, ${lines}`,
    whole: `${WHOLE_ARCHIVE}, ${lines}`,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One topic of `count` generated lines, produced, then read by both in alternating rounds. */
async function measureTopic(
  o: ClusterArchiveOptions,
  count: number,
  target: boolean,
  scratch: { readonly topics: string[]; readonly groups: string[]; readonly base: string },
  admin: Broker,
): Promise<{ rows: BenchRow[]; files: number; bytes: number; phases: Phases[] }> {
  const { url, user } = o.config.hdfs;
  const topic = `loglab.bench.archive.${Date.now()}`;
  scratch.topics.push(topic);
  const { archiver: archiverName, bare: bareName, whole: wholeName } = names(count, target);
  // One hour of traffic: a live stream is dense (at 1,000 lines/s an hour holds 3.6 M lines), so
  // the archiver writes a few large files per partition, not one small file per partition and
  // hour as a day squeezed into a few hundred thousand lines would make it.
  const source = generateLines(defaultOptions({ lines: count, spanMs: CLUSTER_SPAN_MS }));
  const file = writeKeyedFile(o.workFile, source, count);
  let files = 0;
  const phases: Phases[] = [];
  const per = { lines: file.lines, messages: file.lines, bytes: file.bytes };
  const samples = new Map<string, BenchRow[]>();
  await admin.createTopics([{ name: topic, partitions: DEFAULT_PARTITIONS }]);
  o.log(`cluster: producing ${file.lines.toLocaleString('en-US')} lines to ${topic}`);
  const sent = await produceFile(admin, topic, file.path, 2_000, file.lines);
  if (sent !== file.lines) throw new Error(`produced ${sent} of ${file.lines} lines`);

  const archiver = (round: number) => async (): Promise<BenchRow> => {
    const groupId = `${topic}.archiver.${round}`;
    scratch.groups.push(groupId);
    const store = createPrefixedStore(
      createWebHdfsStore({ url, user }),
      `${scratch.base}/t${scratch.topics.length}-r${round}`,
    );
    return timeOnce(archiverName, 'Kafka → lake', per, async () => {
      const start = performance.now();
      const at = () => (performance.now() - start) / 1000;
      const stop = new AbortController();
      let seen = 0;
      let first = 0;
      let last = 0;
      const broker = counting(createBroker('cluster', o.config), (n) => {
        if (seen === 0) first = at();
        seen += n;
        if (seen >= file.lines) {
          last = at();
          stop.abort();
        }
      });
      try {
        const done = await o.runArchiver(broker, store, { topic, groupId, signal: stop.signal });
        if (done.lines !== file.lines) {
          throw new Error(`the archiver stored ${done.lines} of ${file.lines} lines`);
        }
        files = done.files;
        phases.push({ first, last, done: at() });
      } finally {
        await broker.close();
        await store.close();
      }
    });
  };
  const bare = (round: number) => async (): Promise<BenchRow> => {
    const groupId = `${topic}.bare.${round}`;
    scratch.groups.push(groupId);
    return timeOnce(bareName, 'Kafka → lake', per, async () => {
      const seen = await bareConsume(o.config.kafka.brokers, topic, groupId, file.lines);
      if (seen < file.lines) throw new Error(`kafkajs read ${seen} of ${file.lines} records`);
    });
  };
  const whole = (round: number) => async (): Promise<BenchRow> => {
    const groupId = `${topic}.cli.${round}`;
    scratch.groups.push(groupId);
    let said = '';
    const row = await timeProcess({
      name: wholeName,
      group: 'Kafka → lake',
      command: process.execPath,
      args: [
        ...peakRssArgs(),
        CLI,
        'archive',
        '--engine',
        'cluster',
        '--topic',
        topic,
        '--group',
        groupId,
        '--lake',
        `${scratch.base}/t${scratch.topics.length}-cli${round}`,
        '--max',
        String(file.lines),
        // A round that stops getting records fails (its last line is checked) instead of hanging.
        '--idle-exit',
        '60s',
      ],
      env: {
        ...process.env,
        LOGLAB_KAFKA_BROKERS: o.config.kafka.brokers.join(','),
        LOGLAB_HDFS_URL: url,
        LOGLAB_HDFS_USER: user,
      },
      runs: 1,
      warmupRuns: 0,
      per,
      reportsPeakRss: true,
      onStderr: (text) => {
        said = text;
      },
    });
    const last = said.trimEnd().split('\n').at(-1) ?? '';
    if (!last.startsWith(`archived ${file.lines} lines into `)) {
      throw new Error(`loglab archive did not store every line: ${last}`);
    }
    return row;
  };
  for (let round = 0; round < o.runs; round++) {
    o.log(`cluster: ${file.lines.toLocaleString('en-US')} lines, round ${round + 1} of ${o.runs}`);
    const tasks = [archiver(round), bare(round), whole(round)];
    for (const task of round % 2 === 0 ? tasks : tasks.reverse()) {
      const row = await task();
      samples.set(row.name, [...(samples.get(row.name) ?? []), row]);
    }
  }
  return { rows: [...samples.values()].map(mergeWithPeak), files, bytes: file.bytes, phases };
}

/** The archiver's mean phases and CPU per line beside the bare consumer's, as one note. */
function phaseNote(count: number, target: boolean, rows: readonly BenchRow[], p: Phases[]): string {
  const { archiver, bare } = names(count, target);
  const us = (name: string) => {
    const cpu = rows.find((r) => r.name === name)?.cpuMs;
    return cpu === undefined ? '?' : ((cpu * 1000) / count).toFixed(2);
  };
  const s = (x: number) => x.toFixed(2);
  const first = mean(p.map((x) => x.first));
  const last = mean(p.map((x) => x.last));
  const done = mean(p.map((x) => x.done));
  return (
    `cluster, ${count.toLocaleString('en-US')} lines: the archiver's round (mean) ${s(done)} s: ` +
    `first record at ${s(first)} s (client start, join, the lake's recovery), reading to the ` +
    `last record ${s(last - first)} s, last roll (upload end, claim, renames, commit) ` +
    `${s(done - last)} s; CPU per line ${us(archiver)} µs for the archiver, ${us(bare)} µs for ` +
    'the bare consumer (this process, both rounds alike)'
  );
}

export async function benchClusterArchive(o: ClusterArchiveOptions): Promise<ClusterArchiveResult> {
  const { url, user } = o.config.hdfs;
  const scratch = {
    topics: [] as string[],
    groups: [] as string[],
    base: `/loglab-bench/archive-${Date.now()}`,
  };
  const notes: string[] = [];
  const admin = createBroker('cluster', o.config);
  const root = createWebHdfsStore({ url, user });
  const rows: BenchRow[] = [];
  const ratios: Ratio[] = [];
  const counts: [number, boolean][] = [[o.count, true]];
  if (o.steadyCount !== undefined) counts.push([o.steadyCount, false]);
  const described: string[] = [];
  try {
    for (const [count, target] of counts) {
      const measured = await measureTopic(o, count, target, scratch, admin);
      rows.push(...measured.rows);
      const { archiver, bare, whole } = names(count, target);
      ratios.push(
        target
          ? ratio(
              rows,
              ARCHIVER,
              BARE_CONSUMER,
              'archiver Kafka → HDFS / bare kafkajs consumer',
              ARCHIVER_VS_CONSUMER_TARGET,
            )
          : ratio(rows, archiver, bare, `${archiver} / ${bare}`),
      );
      ratios.push(ratio(rows, whole, bare, `${whole} / ${bare}`));
      notes.push(phaseNote(count, target, measured.rows, measured.phases));
      const w = measured.rows.find((r) => r.name === whole);
      notes.push(
        `${whole}: ${Math.round(w?.linesPerSec ?? 0).toLocaleString('en-US')} lines/s, peak RSS ${w?.peakRssMB ?? '?'} MB (the largest of the rounds), as a user runs it: its own process with --max ${count.toLocaleString('en-US')} and --lake in the run's HDFS folder, start-up, join, the lake's recovery and the last roll included`,
      );
      described.push(
        `${count.toLocaleString('en-US')} (${(measured.bytes / 1e6).toFixed(0)} MB, ${measured.files} files in the last round)`,
      );
    }
  } finally {
    await root.delete(scratch.base, { recursive: true, missingOk: true }).catch((err: Error) => {
      notes.push(`could not delete ${scratch.base} on HDFS: ${err.message}`);
    });
    await root.close();
    await removeScratch(admin, scratch).catch((err: Error) => {
      notes.push(`could not remove the benchmark topic: ${err.message}`);
    });
    await admin.close();
  }
  notes.push(
    `cluster: generated lines over one hour on a topic of ${DEFAULT_PARTITIONS} partitions at ${o.config.kafka.brokers.join(',')}, HDFS at ${url}: ${described.join(' and ')}; the target is judged on the ${o.count.toLocaleString('en-US')}-line row; ${o.runs} round${o.runs === 1 ? '' : 's'} each, order alternating; each reader in a fresh group, client start and group join included; the archiver with its default roll settings (64 MB, 60 s), its time including the upload and rename of its last files`,
  );
  return { rows, ratios, notes };
}
