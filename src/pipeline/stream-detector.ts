/**
 * Detection on a stream of access-log lines, from a file or from the broker: the glue between
 * the broker's record batches and the realtime engine. Where it sits in the pipeline: index.ts.
 *
 *   lines (file, stdin)  ──────────────────────────────┐
 *   weblogs.raw records ──▶ partition merge ───────────┼─▶ parse ─▶ engine ─▶ alerts
 *     (per-partition order,  (event-time order across  │     └ rejected ─▶ counted; from a
 *      6 partitions)          partitions)              │       topic also a dead letter
 *
 * Pure: lines or record batches in, alerts and dead letters collected for the caller to write.
 * The consumer loop that feeds it from a Broker and commits is `runDetection` (run-detection.ts).
 */ import type { Parser } from '../log/parser';
import { isRejection, type LogRecord } from '../log/record';
import { type Alert, formatAlert } from '../realtime/alert';
import type { DetectCounts } from '../realtime/detect-counts';
import { createDetectionEngine, type DetectionEngine } from '../realtime/engine';
import { PartitionMerge } from '../realtime/partition-merge';
import type { DetectionEngineOptions } from '../realtime/settings';
import type {
  ConsumedRecord,
  ProduceMessage,
  RecordBatch,
  TopicPartitionOffset,
} from '../stream/broker';
import { deadLetterMessage } from '../stream/topics';

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
  /**
   * A poll found nothing to read: release what partitions that went idle no longer hold back
   * (only such a poll lets a partition go idle, see partition-merge.ts).
   */
  tick(): void;
  /**
   * Partitions that will deliver (a topic's, or a member's assignment): see partition-merge.ts.
   * A partition revoked before is read again from here on.
   */
  expectPartitions(partitions: readonly number[]): void;
  /**
   * The group gave these partitions to another member. They leave the merge, so they hold
   * nothing back any more; the records of them still held are dropped (partition-merge.ts
   * `forget`), and so are their position and any batch of them handed in until they are
   * expected again. Nothing is lost: `commitOffsets` never covered a held record, so the new
   * owner reads those records again (at least once). Returns how many were dropped; they no
   * longer count as read here.
   */
  revoke(partitions: readonly number[]): number;
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
  /** Revoked and not expected since: a batch of one still in flight is not this reader's. */
  const revoked = new Set<number>();
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
        if (isRejection(outcome)) rejected++;
        else engine.process(outcome);
      }
      read += batch.length;
    },
    addBatches(batches) {
      for (let b = 0; b < batches.length; b++) {
        const { topic, partition, records, highWatermark } = batches[b];
        if (records.length === 0 || revoked.has(partition)) continue;
        for (let i = 0; i < records.length; i++) {
          const r = records[i];
          const outcome = parse(r.value);
          if (isRejection(outcome)) {
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
      merge.nothingToRead();
      merge.release(emit);
      trigger = null;
    },
    expectPartitions(list) {
      for (const p of list) {
        revoked.delete(p);
        merge.expect(p);
      }
    },
    revoke(list) {
      let dropped = 0;
      for (const p of list) {
        revoked.add(p);
        partitions.delete(p);
        dropped += merge.forget(p);
      }
      read -= dropped;
      return dropped;
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
