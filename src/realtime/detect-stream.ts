/**
 * Detection on a stream of access-log lines, from a file or from the broker.
 *
 *   lines (file, stdin)  ──────────────────────────────┐
 *   weblogs.raw records ──▶ partition merge ───────────┼─▶ parse ─▶ engine ─▶ alerts
 *     (per-partition order,  (event-time order across  │     └ rejected ─▶ counted; from a
 *      6 partitions)          partitions)              │       topic also a dead letter
 *
 * `createStreamDetector` is the pure part: lines or record batches in, alerts and dead letters
 * collected for the caller to write. `runDetection` is the consumer loop on a Broker: poll,
 * detect, produce the alerts to `weblogs.alerts` and the dead letters to `weblogs.deadletter`,
 * then commit; at least once, and a committed offset only ever covers records that reached the
 * engine (records the merge still holds back are not committed). The engine's windows live in
 * memory: a restarted detector fills them again from the committed offsets on.
 */
import type { Parser } from '../log/parser';
import type { LogRecord, ParseOutcome, Rejection } from '../log/record';
import type {
  Broker,
  ConsumedRecord,
  ProduceMessage,
  RecordBatch,
  TopicPartitionOffset,
} from '../stream/broker';
import { deadLetterMessage } from '../stream/topics';
import { type Alert, type AlertKind, formatAlert } from './alert';
import { createDetectionEngine, type DetectionEngine } from './engine';
import { PartitionMerge } from './partition-merge';
import type { DetectionEngineOptions } from './settings';

export interface DetectCounts {
  /** Lines read (from a file) or records consumed (from a topic). */
  read: number;
  parsed: number;
  rejected: number;
  /** Parsed records that arrived behind the watermark (counted, not windowed). */
  late: number;
  /** Alert lines emitted (open, update, resolved). */
  alerts: number;
  /** Alerts opened, per kind. */
  opened: Record<AlertKind, number>;
}

export interface StreamDetectorOptions
  extends Omit<DetectionEngineOptions, 'sink' | 'onLate' | 'onScore'> {
  /** Parser of a line (log/parser.ts getParser). */
  parse: Parser;
  /**
   * Every alert line as the engine emits it, with the consumed record whose event time moved
   * the watermark past the window's end (null for lines from a file, and at the end of input).
   */
  onAlert?: (alert: Alert, trigger: ConsumedRecord<string> | null) => void;
  onLate?: (record: LogRecord, watermark: number) => void;
  /** Records the partition merge may hold back before releasing regardless (1,000,000). */
  maxHeld?: number;
  /** Quiet wall-clock time after which a caught-up partition stops holding others back (1 s). */
  idleMs?: number;
}

export interface StreamDetector {
  readonly engine: DetectionEngine;
  /** Lines of one input in order (a file, stdin): no reordering. */
  addLines(lines: readonly string[]): void;
  /**
   * One poll's batches of one topic (one per partition, offset order). Parsed records go
   * through the partition merge; lines that do not parse become dead letters.
   */
  addBatches(batches: readonly RecordBatch<string>[]): void;
  /** Nothing arrived: release what partitions that went idle no longer hold back. */
  tick(): void;
  /** Partitions that will deliver (a topic's, or a member's assignment): see partition-merge.ts. */
  expectPartitions(partitions: readonly number[]): void;
  /** The input ended: release what the merge holds, close every window, resolve every alert. */
  finish(): void;
  counts(): DetectCounts;
  /** Records held back by the partition merge. */
  held(): number;
  /** Records behind the high watermark on the partitions read so far (the consumer lag). */
  lag(): number;
  /** Alert lines emitted since the last call. */
  takeAlerts(): Alert[];
  /** Dead-letter messages (with their source offsets) since the last call. */
  takeDeadLetters(): ProduceMessage[];
  /**
   * Where to commit: per partition read, the offset of the oldest record still held back, or
   * the position after the last record consumed.
   */
  commitOffsets(): TopicPartitionOffset[];
  /** Offset after the last record consumed on `partition`, or null before the first. */
  position(partition: number): number | null;
  /** Mark a partition as having more to read than delivered (from the group's lag at start). */
  setBehind(partition: number, behind: boolean): void;
}

interface Pending {
  record: LogRecord;
  source: ConsumedRecord<string>;
}

interface PartitionState {
  topic: string;
  /** Offset after the last record consumed. */
  position: number;
  lag: number;
}

function isRejected(outcome: ParseOutcome): outcome is Rejection {
  return (outcome as { kind?: string }).kind === 'rejected';
}

export function createStreamDetector(options: StreamDetectorOptions): StreamDetector {
  const { parse, onAlert, onLate, maxHeld, idleMs, ...engineOptions } = options;
  let alerts: Alert[] = [];
  let deadLetters: ProduceMessage[] = [];
  let trigger: ConsumedRecord<string> | null = null;
  let read = 0;
  let rejected = 0;
  const engine = createDetectionEngine({
    ...engineOptions,
    sink(alert) {
      alerts.push(alert);
      if (onAlert !== undefined) onAlert(alert, trigger);
    },
    onLate,
  });
  const merge = new PartitionMerge<Pending>(
    maxHeld,
    idleMs,
    undefined,
    engine.settings.latenessMs / 2,
  );
  const partitions = new Map<number, PartitionState>();
  const emit = (p: Pending) => {
    trigger = p.source;
    engine.process(p.record);
  };

  return {
    engine,
    addLines(batch) {
      trigger = null;
      for (let i = 0; i < batch.length; i++) {
        const outcome = parse(batch[i]);
        if (isRejected(outcome)) rejected++;
        else engine.process(outcome);
      }
      read += batch.length;
    },
    addBatches(batches) {
      for (let b = 0; b < batches.length; b++) {
        const { topic, partition, records, highWatermark } = batches[b];
        if (records.length === 0) continue;
        for (let i = 0; i < records.length; i++) {
          const r = records[i];
          const outcome = parse(r.value);
          if (isRejected(outcome)) {
            rejected++;
            deadLetters.push(
              deadLetterMessage(r.value, outcome, {
                key: r.key,
                source: { topic, partition, offset: r.offset },
                timestamp: r.timestamp,
              }),
            );
          } else {
            merge.add(partition, { record: outcome, source: r }, outcome.time, r.offset);
          }
        }
        read += records.length;
        const position = records[records.length - 1].offset + 1;
        const lag = Math.max(0, highWatermark - position);
        partitions.set(partition, { topic, position, lag });
        merge.delivered(partition, lag > 0);
      }
      merge.release(emit);
      trigger = null;
    },
    tick() {
      merge.release(emit);
      trigger = null;
    },
    expectPartitions(list) {
      for (const p of list) merge.expect(p);
    },
    finish() {
      merge.drain(emit);
      trigger = null;
      engine.flush();
    },
    counts() {
      const c = engine.counters();
      return {
        read,
        parsed: read - rejected,
        rejected,
        late: c.late,
        alerts: c.alertLines,
        opened: c.opened,
      };
    },
    held: () => merge.held(),
    lag() {
      let total = 0;
      for (const p of partitions.values()) total += p.lag;
      return total;
    },
    takeAlerts() {
      const out = alerts;
      alerts = [];
      return out;
    },
    takeDeadLetters() {
      const out = deadLetters;
      deadLetters = [];
      return out;
    },
    commitOffsets() {
      const out: TopicPartitionOffset[] = [];
      for (const [partition, p] of partitions) {
        out.push({ topic: p.topic, partition, offset: merge.heldFrom(partition) ?? p.position });
      }
      return out;
    },
    position: (partition) => partitions.get(partition)?.position ?? null,
    setBehind(partition, behind) {
      merge.setBehind(partition, behind);
    },
  };
}

/** An alert as a message of `weblogs.alerts`: key "kind key", value the NDJSON object. */
export function alertMessage(alert: Alert): ProduceMessage {
  const line = formatAlert(alert);
  // No timestamp: the broker's clock, so that retention keeps alerts about old event times.
  return { key: `${alert.kind} ${alert.key}`, value: line.slice(0, line.length - 1) };
}

/** "read 100000, parsed 99990, rejected 10, late 0, alerts 8 (opened: error-spike 1, …)". */
export function formatDetectCounts(c: DetectCounts): string {
  const opened = (Object.keys(c.opened) as AlertKind[])
    .filter((k) => c.opened[k] > 0)
    .map((k) => `${k} ${c.opened[k]}`);
  return (
    `read ${c.read}, parsed ${c.parsed}, rejected ${c.rejected}, late ${c.late}, alerts ${c.alerts}` +
    (opened.length > 0 ? ` (opened: ${opened.join(', ')})` : '')
  );
}

// ---------------------------------------------------------------------------------------------
// The consumer loop

export interface RunDetectionOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Where a partition without a committed offset starts: the oldest record (true) or the end. */
  readonly fromBeginning?: boolean;
  /**
   * Stop once every partition is read up to the end offset it had at the start (a replay), then
   * finish. Partitions without a committed offset start at the oldest record.
   */
  readonly toEnd?: boolean;
  /** Stop at the first poll that finds nothing (the embedded broker of a fresh process). */
  readonly stopWhenIdle?: boolean;
  /** Stop after the batch in hand (Ctrl-C); the detector is finished all the same. */
  readonly signal?: AbortSignal;
  /** Produce every alert line here (weblogs.alerts); none when null or absent. */
  readonly alertsTopic?: string | null;
  /** Produce dead letters here (weblogs.deadletter); they are only counted when null or absent. */
  readonly deadLetterTopic?: string | null;
  readonly clientId?: string;
  /** How long an empty poll waits (200 ms). */
  readonly maxWaitMs?: number;
  /** Called once the consumer has joined its group (before the first poll). */
  readonly onSubscribed?: () => void;
  /** Called after each handled poll, once its alerts are written and its offsets committed. */
  readonly onPoll?: () => void | Promise<void>;
}

export type DetectionStop = 'aborted' | 'closed' | 'idle' | 'end';

export interface DetectionRun {
  readonly polls: number;
  readonly commits: number;
  readonly refusedCommits: number;
  readonly stoppedBy: DetectionStop;
  readonly alertsProduced: number;
  readonly deadLettersProduced: number;
}

/**
 * Poll `topic` as a member of `groupId`, detect, write alerts and dead letters, commit; until
 * the signal, the end (toEnd) or an idle poll (stopWhenIdle). Finishes the detector before it
 * returns and commits everything consumed.
 */
export async function runDetection(
  broker: Broker,
  detector: StreamDetector,
  options: RunDetectionOptions,
): Promise<DetectionRun> {
  const { topic, groupId, signal } = options;
  const fromBeginning = options.fromBeginning === true || options.toEnd === true;
  // Which partitions have something to read, from the group's own offsets: those hold the
  // merge back until they deliver (see partition-merge.ts), and bound a replay.
  const targets = new Map<number, number>();
  const lag = await broker.groupLag(groupId, [topic]);
  for (const p of lag.partitions) {
    const starts = p.committed !== null || fromBeginning;
    const behind = starts && p.lag > 0;
    if (behind) {
      detector.setBehind(p.partition, true);
      targets.set(p.partition, p.end);
    } else detector.expectPartitions([p.partition]);
  }
  const consumer = await broker.subscribe({
    groupId,
    topics: [topic],
    fromBeginning,
    clientId: options.clientId ?? 'loglab-detect',
  });
  options.onSubscribed?.();
  const committed = new Map<number, number>();
  let polls = 0;
  let commits = 0;
  let refusedCommits = 0;
  let alertsProduced = 0;
  let deadLettersProduced = 0;
  let stoppedBy: DetectionStop;

  const reachedEnd = () => {
    for (const [partition, end] of targets) {
      const position = detector.position(partition);
      if (position === null || position < end) return false;
    }
    return true;
  };

  const writeOut = async () => {
    const alerts = detector.takeAlerts();
    const dead = detector.takeDeadLetters();
    if (options.alertsTopic && alerts.length > 0) {
      await broker.produce(options.alertsTopic, alerts.map(alertMessage));
      alertsProduced += alerts.length;
    }
    if (options.deadLetterTopic && dead.length > 0) {
      await broker.produce(options.deadLetterTopic, dead);
      deadLettersProduced += dead.length;
    }
  };

  const commit = async () => {
    const changed = detector.commitOffsets().filter((o) => committed.get(o.partition) !== o.offset);
    if (changed.length === 0) return;
    const result = await consumer.commit(changed);
    if (result.kind === 'committed') {
      commits++;
      for (const o of result.offsets) committed.set(o.partition, o.offset);
    } else refusedCommits++;
  };

  try {
    for (;;) {
      if (signal?.aborted) {
        stoppedBy = 'aborted';
        break;
      }
      if (options.toEnd && reachedEnd()) {
        stoppedBy = 'end';
        break;
      }
      const result = await consumer.poll({ maxWaitMs: options.maxWaitMs ?? 200, signal });
      polls++;
      if (result.kind === 'stopped') {
        stoppedBy = result.reason;
        break;
      }
      if (result.kind === 'idle') {
        // Partitions that went quiet stop holding records back: their alerts go out now.
        detector.tick();
        await writeOut();
        await commit();
        if (options.stopWhenIdle) {
          stoppedBy = 'idle';
          break;
        }
        continue;
      }
      detector.addBatches(result.batches);
      // Alerts and dead letters are acknowledged before the records behind them are committed.
      await writeOut();
      await commit();
      await options.onPoll?.();
    }
    detector.finish();
    await writeOut();
    await commit();
  } finally {
    await consumer.close();
  }
  return { polls, commits, refusedCommits, stoppedBy, alertsProduced, deadLettersProduced };
}
