/**
 * The detection consumer loop on a Broker: poll `weblogs.raw` as a group member, hand each
 * poll's batches to a stream detector (stream-detector.ts), produce its alerts and dead letters,
 * then commit. Where this sits in the pipeline: index.ts.
 *
 * At least once: a committed offset only ever covers records that reached the engine (records
 * the partition merge still holds back are not committed), and alerts and dead letters are
 * acknowledged before the offsets behind them are committed. The engine's windows live in
 * memory: a restarted detector fills them again from the committed offsets on.
 */
import type { Broker } from '../stream/broker';
import { alertMessage, type StreamDetector } from './stream-detector';

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
