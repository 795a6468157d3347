/**
 * The streaming stage in one process, on either engine: what `loglab stream` runs (its place in
 * the pipeline: index.ts). A generator feeds the line producer (key = client IP, unparseable
 * lines to weblogs.deadletter); a consumer in group loglab-stream reads weblogs.raw back,
 * counts and checksums what it reads, and hands each poll to the batch handlers (stage 3).
 *
 * The producer side is the line producer `loglab produce` uses (stream/line-producer.ts); the
 * consumer side commits only what every handler is done with (a detector is not done with the
 * records its partition merge holds back), at most once a second while records flow, with
 * detection's committer (stream/committer.ts); when consuming stops, the handlers finish (the
 * detector closes its windows) before the last commit. Both run at once, so the lag sampled as
 * it goes is real. The run ends when the generator is done and the consumer has read everything
 * that was acknowledged; the summary compares an order-independent checksum of the lines
 * produced with that of the lines consumed (stream/checksum.ts).
 *
 * With `archive`, the archiver reads the same topic in its own group and stores it in the lake
 * (stream-archive.ts); the run returns once it has stored everything this run produced.
 *
 * On a cluster, weblogs.raw may hold older messages and other groups may read it. The consumer
 * reads from its group's committed offsets (from the beginning for a new group); it counts and
 * checksums only this run's messages, from the end offsets noted at the start of the run on,
 * assuming nobody else writes to weblogs.raw meanwhile. What lies before them is skipped.
 *
 * With `resume`, what lies between the group's committed offsets and this run's start is
 * resumed instead: after a crash that is what the crashed run read and never committed (the
 * detector still held it back), handed to the handlers, which alert on it as that run would have,
 * but left out of the count and checksum, which compare this run's producing with its consuming.
 * It is everything there, though: lines another producer or an interrupted run left unread too.
 * And a generated day starts at the same time in every run (without `rate`), so this run's own
 * lines would come after the resumed ones in event time and be late: the command allows it only
 * with no new lines or with lines stamped now. Off by default, as a restart of the same command
 * must not turn its own lines late.
 */
import type { LoglabConfig } from '../config';
import type { GenerateOptions } from '../generate/index';
import type { AssignmentChange, Broker, RecordBatch, TopicPartitionOffset } from '../stream/broker';
import { createChecksum } from '../stream/checksum';
import { DEFAULT_BATCH, type TimestampSource } from '../stream/line-producer';
import { DEFAULT_PARTITIONS, RAW_TOPIC, standardTopics } from '../stream/topics';
import type { ArchiverProgress } from './run-archiver';
import type { StreamArchiveSettings, StreamArchiveSummary } from './stream-archive';
import type { ProducerThreadOutage } from './stream-producer';

// The CLI loads this module at start-up (for STREAM_GROUP, the default of --group): the
// generator, the parsers and the consumer loop are imported only when a stream runs.

/**
 * What the consumer side does with the records it reads, after counting them: stage 3 adds its
 * detectors here (`--detect`). Each call gets one poll's batches, one RecordBatch per partition
 * in offset order, only records of this run and those an earlier run of the group left
 * uncommitted (resumed), each record once (what the group delivers again after a rejoin is left
 * out), except after a partition was taken away and given back: it comes again from the group's
 * commit, as it would to a new owner (counted once all the same); nothing is committed before
 * every handler has returned, so a handler that throws gets them again (at least once). A poll
 * that found nothing to read calls each handler with no batches: the detector's partition merge
 * lets a quiet partition go idle only after such a poll (realtime/partition-merge.ts).
 */
export type BatchHandler = (batches: readonly RecordBatch<string>[]) => void | Promise<void>;

/**
 * A batch handler that may keep records after it returned (the detector's partition merge) and
 * so says what it is done with. A plain `BatchHandler` is done with a poll once it returns.
 */
export interface StreamHandler {
  readonly handle: BatchHandler;
  /**
   * Per partition it was given records of, the offset of the first record it is not done with:
   * no commit goes past it, so a crash leaves those records for the group to deliver again.
   */
  readonly committable?: () => readonly TopicPartitionOffset[];
  /** The stream's member gained or lost partitions (see `AssignmentChange`). */
  readonly onAssignment?: (change: AssignmentChange) => void;
  /**
   * Partitions the member owns at its start that have records to resume (from the group's
   * commits up to this run's start): each has more to read than it delivered so far, until a
   * batch of it ends at its high watermark (the detector's merge holds the others back for it).
   */
  readonly resuming?: (partitions: readonly number[]) => void;
  /** Consuming stopped: finish what is kept (close the windows); the last commit comes after. */
  readonly finish?: () => Promise<void>;
}

/** The group of `loglab stream` without --group. */
export const STREAM_GROUP = 'loglab-stream';

export interface StreamSettings {
  readonly generate: GenerateOptions;
  /** The topic of the lines (weblogs.raw); made with the standard topics when missing. */
  readonly topic?: string;
  /** Also archive the topic into a lake, in one more consumer group. */
  readonly archive?: StreamArchiveSettings;
  /** Partitions of weblogs.raw when it has to be created (6). */
  readonly partitions?: number;
  readonly groupId?: string;
  /**
   * Hand the handlers what lies between the group's committed offsets and this run's start (an
   * earlier run's uncommitted records) rather than skip it (see the module's docblock).
   */
  readonly resume?: boolean;
  /** Lines per second at most; as fast as it goes when absent. */
  readonly rate?: number;
  readonly batchSize?: number;
  /** Message timestamps: the line's own time (the default) or the time of sending. */
  readonly timestamps?: TimestampSource;
  readonly handlers?: readonly (BatchHandler | StreamHandler)[];
  /** While records flow, commit at most this often (1,000 ms; 0: after every poll). */
  readonly commitIntervalMs?: number;
  /** Stop generating: what was generated is still produced, and consumed to the end. */
  readonly stopProducing?: AbortSignal;
  /** Stop consuming after the batch in hand (and stop producing too). */
  readonly stopConsuming?: AbortSignal;
  readonly onSample?: (sample: StreamSample) => void;
  /** How often `onSample` is called (1,000 ms). */
  readonly sampleMs?: number;
  /**
   * On a real broker with kafkajs: produce on a thread of its own, through a Kafka client made
   * from this config (stream-producer.ts says why); on the stream's own thread when absent or
   * when the config names the librdkafka client.
   */
  readonly producerThread?: LoglabConfig;
  /**
   * How that thread's producer waits for a broker that went away (`loglab stream
   * --broker-wait`), and what ends the wait; the stream's own broker brings its settings along.
   */
  readonly producerThreadOutage?: ProducerThreadOutage & { readonly stop?: AbortSignal };
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
  /** With `archive`: what the archiver has stored and read so far. */
  readonly archive?: ArchiverProgress | null;
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
  /**
   * Older messages from the group's committed offsets on, which an earlier run read and never
   * committed: handed to the handlers, not counted in `consumed` nor in the checksum.
   */
  readonly resumed: number;
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
  /**
   * The partitions this run's consumer owned at some time: all of them, unless other members of
   * its group (another `loglab stream` or `detect` with the same --group) took some. What they
   * read is not consumed here, so the counts and checksums cannot agree then.
   */
  readonly partitionsRead: readonly number[];
  /**
   * Partitions taken from this run's consumer while it ran: by a member that joined its group
   * (which may have read and committed part of them), or by a rejoin after a broker outage.
   */
  readonly partitionsLeft: readonly number[];
  /** With `archive`: what the archiver stored. */
  readonly archive?: StreamArchiveSummary;
}

/** A consumer idle this long after the producer finished asks the broker whether it is done. */
const DRAIN_CHECK_MS = 3000;

/**
 * Flow control on the embedded broker: the producer takes no more generated lines while a
 * partition holds more than this many records that the stream's consumer (or, with `archive`,
 * the archiver) has not read. Without it the producer ran ahead as far as the broker's retention
 * let it: what the consumer had not read by then was dropped (a stream of 3,000,000 lines with
 * a 4 MiB retention consumed 2,972,177, its checksums different), and the retention alone set
 * how much the process held.
 */
export const STREAM_AHEAD_RECORDS = 16_384;

/** A generated combined line, its key and the embedded broker's record overhead, at most. */
const RECORD_BYTES_MOST = 520;
/** Lines of one generated chunk, at most (256 KiB of lines of about 265 bytes). */
const CHUNK_LINES_MOST = 4096;

/**
 * The retention `loglab stream` gives the embedded broker's partitions: with the flow control
 * above, unread records (at most STREAM_AHEAD_RECORDS and a chunk of lines, 520 bytes each at
 * most for a generated combined line, its key and the record overhead: about 9.5 MB) stay under
 * the three quarters a trim keeps (12 MiB). The broker's default, 64 MiB a partition, held
 * 384 MiB of lines already read, and a 10,000,000-line stream peaked at 1.87 GB.
 */
export const STREAM_RETENTION_BYTES = 16 * 1024 * 1024;

/**
 * The retention for a stream sending `batchSize` lines a request: the line producer gathers
 * lines across generated chunks up to a batch, so unread records can reach STREAM_AHEAD_RECORDS,
 * a batch and a chunk (a few thousand lines) on one partition, at 520 bytes each at most. A larger
 * `--batch` than the default gets the room for it.
 */
export function streamRetentionBytes(batchSize: number): number {
  const unread = (STREAM_AHEAD_RECORDS + batchSize + CHUNK_LINES_MOST) * RECORD_BYTES_MOST;
  return Math.max(STREAM_RETENTION_BYTES, Math.ceil(unread / 0.75));
}

export async function runStream(broker: Broker, settings: StreamSettings): Promise<StreamSummary> {
  const [{ runConsumer }, { DEFAULT_COMMIT_INTERVAL_MS }, { unseen }] = await Promise.all([
    import('../stream/consume-loop'),
    import('../stream/committer'),
    import('../stream/redelivered'),
  ]);
  const groupId = settings.groupId ?? STREAM_GROUP;
  const handlers = (settings.handlers ?? []).map(
    (h): StreamHandler => (typeof h === 'function' ? { handle: h } : h),
  );
  const topic = settings.topic ?? RAW_TOPIC;
  await broker.createTopics(
    standardTopics(settings.partitions ?? DEFAULT_PARTITIONS).map((t) =>
      t.name === RAW_TOPIC ? { ...t, name: topic } : t,
    ),
  );
  // Where this run's messages will start: anything before is older and skipped.
  const startOffsets = new Map<number, number>();
  for (const p of (await broker.describeTopic(topic)).partitions) {
    startOffsets.set(p.partition, p.end);
  }
  const partitions = startOffsets.size;
  // Where an earlier run's uncommitted records start, per partition the group committed on
  // below this run's start: those are resumed, not skipped.
  const resumeOffsets = new Map<number, number>();
  const resume = settings.resume === true;
  for (const p of resume ? (await broker.groupLag(groupId, [topic])).partitions : []) {
    const start = startOffsets.get(p.partition);
    if (p.topic === topic && p.committed !== null && start !== undefined && p.committed < start) {
      resumeOffsets.set(p.partition, p.committed);
    }
  }
  /** Per partition owned, the offset after the last record polled (this run's or older). */
  const polled = new Map<number, number>();
  /** Partitions the group took away and has not given back: a poll in flight may still hold some. */
  const lost = new Set<number>();
  /**
   * Per partition, the offset after the last record counted (consumed and checksummed, skipped
   * or resumed). Kept through a revoke, unlike `polled`: a partition that comes back from the
   * group's commit, behind what this member read of it, is handed over again from there, but
   * counted once.
   */
  const counted = new Map<number, number>();
  /**
   * Partitions owned since the first join and never taken away: only on those is this run's
   * start a floor of its commits. On one gained from another member, the group's commit may be
   * past this run's start already (the other member handled records there): the floor would
   * move the group back.
   */
  const ownedThroughout = new Set<number>();
  /** Every partition of the topic this member owned at some time (all of them, unless shared). */
  const everOwned = new Set<number>();
  /** Partitions taken from this member while it ran (a rebalance), not at its own close. */
  const everLeft = new Set<number>();
  let closing = false;
  let joined = false;
  const consumer = await broker.subscribe({
    groupId,
    topics: [topic],
    fromBeginning: true,
    clientId: 'loglab-stream',
    onAssignment(change) {
      for (const tp of change.revoked) {
        if (!closing && tp.topic === topic) everLeft.add(tp.partition);
        polled.delete(tp.partition);
        lost.add(tp.partition);
        ownedThroughout.delete(tp.partition);
      }
      for (const tp of change.assigned) {
        lost.delete(tp.partition);
        if (tp.topic === topic) everOwned.add(tp.partition);
        if (!joined && tp.topic === topic) ownedThroughout.add(tp.partition);
      }
      joined = true;
      for (const h of handlers) h.onAssignment?.(change);
    },
  });
  if (!joined) {
    for (const tp of consumer.assignment())
      if (tp.topic === topic) ownedThroughout.add(tp.partition);
    joined = true;
  }
  for (const tp of consumer.assignment()) if (tp.topic === topic) everOwned.add(tp.partition);
  // Told after the join's assignment, so that only partitions this member owns wait.
  const resuming = consumer
    .assignment()
    .filter((tp) => tp.topic === topic && resumeOffsets.has(tp.partition))
    .map((tp) => tp.partition);
  if (resuming.length > 0) for (const h of handlers) h.resuming?.(resuming);
  const archive =
    settings.archive === undefined
      ? null
      : (await import('./stream-archive')).startStreamArchive(
          broker,
          topic,
          settings.archive,
          settings.stopConsuming,
        );

  const stopConsumer = new AbortController();
  const stopProducer = new AbortController();
  const producerSignals = [stopProducer.signal];
  if (settings.stopProducing) producerSignals.push(settings.stopProducing);
  if (settings.stopConsuming) producerSignals.push(settings.stopConsuming);
  const consumerStop = settings.stopConsuming
    ? AbortSignal.any([stopConsumer.signal, settings.stopConsuming])
    : stopConsumer.signal;

  const consumedSum = createChecksum();
  const job = {
    generate: settings.generate,
    topic,
    partitions,
    batchSize: settings.batchSize ?? DEFAULT_BATCH,
    timestamps: settings.timestamps,
    rate: settings.rate,
  };
  /** Records of a partition not read yet by the consumer (and the archiver), at most. */
  const unreadMost = async (): Promise<number> => {
    // An archiver that ended reads no more: it holds nobody back.
    const positions = archive === null || archive.ended() ? null : archive.progress()?.positions;
    const owned = new Set<number>();
    for (const tp of consumer.assignment()) if (tp.topic === topic) owned.add(tp.partition);
    let most = 0;
    for (const p of (await broker.describeTopic(topic)).partitions) {
      // Another member's partitions are read by it, not here.
      if (lost.has(p.partition) || !owned.has(p.partition)) continue;
      const start = startOffsets.get(p.partition) ?? 0;
      let read =
        polled.get(p.partition) ?? Math.min(resumeOffsets.get(p.partition) ?? start, start);
      if (positions !== null) read = Math.min(read, positions?.get(p.partition) ?? start);
      most = Math.max(most, p.end - read);
    }
    return most;
  };
  let wakeProducer: (() => void) | null = null;
  let consumingEnded = false;
  /** The embedded broker's flow control (STREAM_AHEAD_RECORDS). */
  const room = async (signal: AbortSignal): Promise<void> => {
    // Once held back, the producer waits until half the limit is left: both sides then work in
    // longer runs (1,000,000 lines: as fast as without flow control; going on at the limit took
    // about 10% longer).
    let limit = STREAM_AHEAD_RECORDS;
    while (!signal.aborted && !consumerStop.aborted && !consumingEnded) {
      if ((await unreadMost()) <= limit) return;
      limit = STREAM_AHEAD_RECORDS / 2;
      // Woken by the next poll, or after 20 ms (the archiver reads on its own).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, 20);
        function wake() {
          clearTimeout(timer);
          wakeProducer = null;
          resolve();
        }
        wakeProducer = wake;
      });
    }
  };
  // Only kafkajs moves to a thread: librdkafka already produces on native threads of its own,
  // and its binding cannot be loaded a second time in another thread of one process ("Module
  // did not self-register").
  const producer =
    settings.producerThread !== undefined &&
    settings.producerThread.kafka.client === 'kafkajs' &&
    broker.engine === 'cluster'
      ? (await import('./stream-producer-thread')).startProducerThread(
          settings.producerThread,
          job,
          // Without the signal, which stays on this thread (it cannot be sent to another).
          settings.producerThreadOutage && {
            waitMs: settings.producerThreadOutage.waitMs,
            prefix: settings.producerThreadOutage.prefix,
          },
          settings.producerThreadOutage?.stop,
        )
      : (await import('./stream-producer')).produceStream(
          broker,
          job,
          undefined,
          broker.engine === 'embedded' ? room : undefined,
        );
  // Listened to on the signals themselves, which their owners hold: a signal made with
  // AbortSignal.any that nothing else references may be collected, listeners and all, on Node 20
  // (an endless stream then ignored Ctrl-C).
  if (producerSignals.some((signal) => signal.aborted)) producer.stop();
  for (const signal of producerSignals) {
    signal.addEventListener('abort', () => producer.stop(), { once: true });
  }
  let counts = producer.counts();
  let producerDone = false;
  let interrupted = false;
  let skipped = 0;
  let resumed = 0;
  const started = performance.now();
  let produceEnd = started;
  let consumeEnd = started;
  let lastConsumedAt = started;

  /** Every resumed partition read up to this run's start, or taken by another member. */
  const resumedAll = () => {
    for (const [partition, from] of resumeOffsets) {
      const at = polled.get(partition) ?? from;
      if (!lost.has(partition) && at < (startOffsets.get(partition) ?? 0)) return false;
    }
    return true;
  };
  const caughtUp = () =>
    producerDone && consumedSum.count >= producer.counts().produced && resumedAll();

  /** Where a partition's records are new: none of a lost one is, nor below what was polled. */
  const floor = (partition: number) =>
    lost.has(partition) ? Number.POSITIVE_INFINITY : (polled.get(partition) ?? null);
  const handle = async (polledBatches: readonly RecordBatch<string>[]) => {
    const batches = unseen(polledBatches, floor).batches;
    for (const { partition, records } of batches) {
      if (records.length > 0) polled.set(partition, records[records.length - 1].offset + 1);
    }
    wakeProducer?.();
    let given = batches;
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b];
      if (batch.records[0].offset >= (startOffsets.get(batch.partition) ?? 0)) continue;
      // Older messages on this partition (rare: the first poll of a run on a used topic): skip
      // what lies before the group's committed offset, resume what lies after it.
      const kept: RecordBatch<string>[] = [];
      for (const x of batches) {
        const start = startOffsets.get(x.partition) ?? 0;
        const from = Math.min(resumeOffsets.get(x.partition) ?? start, start);
        const records = x.records.filter((r) => r.offset >= from);
        // Counted once, as the lines are: a partition that came back brings these again.
        const before = counted.get(x.partition) ?? 0;
        for (const r of x.records) {
          if (r.offset < before) continue;
          if (r.offset < from) skipped++;
          else if (r.offset < start) resumed++;
        }
        if (records.length > 0) kept.push({ ...x, records });
      }
      given = kept;
      break;
    }
    for (let b = 0; b < given.length; b++) {
      const { partition, records } = given[b];
      const from = Math.max(startOffsets.get(partition) ?? 0, counted.get(partition) ?? 0);
      for (let i = 0; i < records.length; i++) {
        if (records[i].offset >= from) consumedSum.add(partition, records[i].value);
      }
    }
    for (const { partition, records } of batches) {
      if (records.length === 0) continue;
      const next = records[records.length - 1].offset + 1;
      if (next > (counted.get(partition) ?? 0)) counted.set(partition, next);
    }
    if (given.length > 0) {
      lastConsumedAt = performance.now();
      consumeEnd = lastConsumedAt;
      for (const h of handlers) await h.handle(given);
    }
    if (caughtUp()) stopConsumer.abort();
  };

  const sampleMs = settings.sampleMs ?? 1000;
  let last = { at: started, produced: 0, consumed: 0 };
  let draining = false;
  const timer = setInterval(() => {
    counts = producer.counts();
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
      archive: archive?.progress(),
    });
    last = { at: now, produced: counts.produced, consumed: consumedSum.count };
    // Messages can vanish before they are read (retention); then the broker says there is
    // nothing left, and waiting for the count would never end.
    if (producerDone && !draining && now - lastConsumedAt > DRAIN_CHECK_MS) {
      draining = true;
      const asked = lastConsumedAt;
      broker
        .groupLag(groupId, [topic])
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

  let producedDigest = '';
  const producing = (async () => {
    try {
      const result = await producer.done;
      producedDigest = result.digest;
      interrupted = result.stoppedEarly && !stopProducer.signal.aborted;
    } catch (err) {
      stopConsumer.abort();
      throw err;
    } finally {
      produceEnd = performance.now();
      counts = producer.counts();
      producerDone = true;
      if (caughtUp()) stopConsumer.abort();
    }
  })();
  const idle = async () => {
    for (const h of handlers) await h.handle([]);
  };
  /**
   * Per partition polled, the smallest offset any handler is not done with; and at least this
   * run's start on every partition owned since the first join that has nothing to resume: the
   * older messages before
   * it are skipped, so done with. Without that floor a crash left a partition read only among
   * them committed below the start (a restart resumed what this run had skipped), and one not
   * read yet not committed at all (a restart skipped this run's messages of it).
   */
  const committable = () => {
    const upTo = new Map(polled);
    for (const partition of ownedThroughout) {
      if (resumeOffsets.has(partition)) continue;
      const start = startOffsets.get(partition) ?? 0;
      if ((upTo.get(partition) ?? -1) < start) upTo.set(partition, start);
    }
    for (const h of handlers) {
      for (const o of h.committable?.() ?? []) {
        const at = upTo.get(o.partition);
        if (o.topic === topic && at !== undefined && o.offset < at) upTo.set(o.partition, o.offset);
      }
    }
    return [...upTo].map(([partition, offset]) => ({ topic, partition, offset }));
  };
  const consuming = runConsumer(consumer, handle, {
    signal: consumerStop,
    maxWaitMs: 200,
    onIdle: idle,
    committable,
    commitIntervalMs: settings.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS,
    async onStop() {
      for (const h of handlers) await h.finish?.();
    },
  })
    .catch((err) => {
      stopProducer.abort();
      throw err;
    })
    .finally(() => {
      consumingEnded = true;
      wakeProducer?.();
    });

  // An archiver that fails (a store that refuses a write) stops the whole run.
  archive?.failed.catch(() => {
    stopProducer.abort();
    stopConsumer.abort();
  });
  let lag: number;
  let archived: StreamArchiveSummary | undefined;
  try {
    const [produced, consumed] = await Promise.allSettled([producing, consuming]);
    if (produced.status === 'rejected') throw produced.reason;
    if (consumed.status === 'rejected') throw consumed.reason;
    lag = (await broker.groupLag(groupId, [topic])).total;
    archived = await archive?.finish();
  } finally {
    clearInterval(timer);
    closing = true;
    await consumer.close();
  }

  const produceSeconds = (produceEnd - started) / 1000;
  const consumeSeconds = (consumeEnd - started) / 1000;
  const producedText = producedDigest;
  const consumedText = consumedSum.digest();
  return {
    engine: broker.engine,
    address: broker.address,
    topic,
    partitions,
    groupId,
    produced: counts.produced,
    deadLettered: counts.deadLettered,
    consumed: consumedSum.count,
    skipped,
    resumed,
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
    partitionsRead: [...everOwned].sort((a, b) => a - b),
    partitionsLeft: [...everLeft].sort((a, b) => a - b),
    ...(archived === undefined ? {} : { archive: archived }),
  };
}
