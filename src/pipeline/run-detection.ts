/**
 * The detection consumer loop on a Broker: poll `weblogs.raw` as a group member, hand each
 * poll's batches to a stream detector (stream-detector.ts), produce its alerts and dead letters,
 * then commit. Where this sits in the pipeline: index.ts.
 *
 * At least once: a committed offset only ever covers records that reached the engine (records
 * the partition merge still holds back are not committed), and alerts and dead letters are
 * acknowledged before the offsets behind them are committed. The engine's windows live in
 * memory: a restarted detector fills them again from the committed offsets on.
 *
 * A broker outage after the member joined (Kafka restarting) does not end the loop: it waits
 * for the broker (broker-outage.ts), joins again and goes on with the windows it has. The group
 * hands its partitions out from the committed offsets, which may be behind what the detector
 * already holds (the records the partition merge holds back, a poll whose commit failed):
 * records below a partition's position are skipped, so none reaches the engine twice. Alerts
 * and dead letters whose produce failed are kept and sent after the outage.
 */
import type { Broker, Consumer, RecordBatch } from '../stream/broker';
import { brokerOutageGuard } from './broker-outage';
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
  /** How long a broker outage is waited out (broker-outage.ts: 5 minutes). */
  readonly brokerWaitMs?: number;
  /** Where outage messages go, one line each; stderr by default. */
  readonly log?: (line: string) => void;
}

export type DetectionStop = 'aborted' | 'closed' | 'idle' | 'end';

export interface DetectionRun {
  readonly polls: number;
  readonly commits: number;
  readonly refusedCommits: number;
  readonly stoppedBy: DetectionStop;
  readonly alertsProduced: number;
  readonly deadLettersProduced: number;
  /** Times the member joined again after the broker came back from an outage. */
  readonly brokerResumes: number;
  /** Records delivered again after such a join and skipped: the detector had them already. */
  readonly redelivered: number;
}

function stderrLine(line: string): void {
  process.stderr.write(`detect: ${line}\n`);
}

/**
 * The records of `batches` from each partition's `position` on (a batch of one partition is in
 * offset order): what a join after an outage delivers again is left out.
 */
function unseen(
  batches: readonly RecordBatch<string>[],
  position: (partition: number) => number | null,
): { batches: RecordBatch<string>[]; skipped: number } {
  const out: RecordBatch<string>[] = [];
  let skipped = 0;
  for (const b of batches) {
    const from = position(b.partition);
    if (from === null || b.records.length === 0 || b.records[0].offset >= from) {
      out.push(b);
      continue;
    }
    const records = b.records.filter((r) => r.offset >= from);
    skipped += b.records.length - records.length;
    if (records.length > 0) out.push({ ...b, records });
  }
  return { batches: out, skipped };
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
  const subscribe = () =>
    broker.subscribe({
      groupId,
      topics: [topic],
      fromBeginning,
      clientId: options.clientId ?? 'loglab-detect',
    });
  // Joining at start is not retried: a broker that does not answer then is the caller's error.
  let consumer: Consumer<string> | null = await subscribe();
  options.onSubscribed?.();
  const outage = brokerOutageGuard(broker, {
    topic,
    totalWaitMs: options.brokerWaitMs,
    log: options.log ?? stderrLine,
    signal,
  });
  const committed = new Map<number, number>();
  let polls = 0;
  let commits = 0;
  let refusedCommits = 0;
  let alertsProduced = 0;
  let deadLettersProduced = 0;
  let brokerResumes = 0;
  let redelivered = 0;
  let stoppedBy: DetectionStop | null = null;
  // Taken from the detector, not yet acknowledged by the broker.
  let alerts: ReturnType<StreamDetector['takeAlerts']> = [];
  let dead: ReturnType<StreamDetector['takeDeadLetters']> = [];

  const reachedEnd = () => {
    for (const [partition, end] of targets) {
      const position = detector.position(partition);
      if (position === null || position < end) return false;
    }
    return true;
  };

  const writeOut = async () => {
    alerts.push(...detector.takeAlerts());
    dead.push(...detector.takeDeadLetters());
    if (options.alertsTopic && alerts.length > 0) {
      await broker.produce(options.alertsTopic, alerts.map(alertMessage));
      alertsProduced += alerts.length;
    }
    alerts = [];
    if (options.deadLetterTopic && dead.length > 0) {
      await broker.produce(options.deadLetterTopic, dead);
      deadLettersProduced += dead.length;
    }
    dead = [];
  };

  const commit = async (member: Consumer<string>) => {
    const changed = detector.commitOffsets().filter((o) => committed.get(o.partition) !== o.offset);
    if (changed.length === 0) return;
    const result = await member.commit(changed);
    if (result.kind === 'committed') {
      commits++;
      for (const o of result.offsets) committed.set(o.partition, o.offset);
    } else refusedCommits++;
  };

  /** One poll handled; the reason to stop, or null to go on. */
  const step = async (member: Consumer<string>): Promise<DetectionStop | null> => {
    if (signal?.aborted) return 'aborted';
    if (options.toEnd && reachedEnd()) return 'end';
    const result = await member.poll({ maxWaitMs: options.maxWaitMs ?? 200, signal });
    polls++;
    if (result.kind === 'stopped') return result.reason;
    if (result.kind === 'idle') {
      // Partitions that went quiet stop holding records back: their alerts go out now.
      detector.tick();
      await writeOut();
      await commit(member);
      return options.stopWhenIdle ? 'idle' : null;
    }
    const fresh = unseen(result.batches, detector.position);
    redelivered += fresh.skipped;
    detector.addBatches(fresh.batches);
    // Alerts and dead letters are acknowledged before the records behind them are committed.
    await writeOut();
    await commit(member);
    await options.onPoll?.();
    return null;
  };

  try {
    while (stoppedBy === null) {
      try {
        if (consumer === null) {
          consumer = await subscribe();
          // Joined again: the outage before is over, even if the topic stays quiet.
          outage.progressed();
        }
        stoppedBy = await step(consumer);
      } catch (err) {
        await consumer?.close();
        consumer = null;
        // Rethrows anything but a broker outage, and an outage that outlasts the wait.
        await outage.resumeAfter(err);
        brokerResumes++;
      }
    }
    detector.finish();
    await writeOut();
    // A step ended without an error: the member it polled is still there.
    if (consumer !== null) await commit(consumer);
  } finally {
    await consumer?.close();
  }
  return {
    polls,
    commits,
    refusedCommits,
    stoppedBy,
    alertsProduced,
    deadLettersProduced,
    brokerResumes,
    redelivered,
  };
}
