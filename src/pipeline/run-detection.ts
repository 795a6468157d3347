/**
 * The detection consumer loop on a Broker: poll `weblogs.raw` as a group member, hand each
 * poll's batches to a stream detector (stream-detector.ts), produce its alerts and dead letters,
 * then commit. Where this sits in the pipeline: index.ts.
 *
 * At least once: a committed offset only ever covers records that reached the engine (records
 * the partition merge still holds back are not committed), and alerts and dead letters are
 * acknowledged before the offsets behind them are committed. The engine's windows live in
 * memory: a restarted detector fills them again from the committed offsets on. What may be
 * committed, and when, is the shared committer's business (stream/committer.ts), which the
 * stream's consumer loop uses too.
 *
 * The merge waits only for the partitions this member owns: a partition the group gives it
 * holds the others back until it delivers or goes idle, and a partition the group takes away
 * leaves the merge at once, dropping the records held of it (never committed, so its new owner
 * reads them again). The group's lag at the start marks the partitions first owned as behind.
 *
 * While records flow, offsets are committed at most once a `commitIntervalMs` (1 s), as Kafka's
 * own clients auto-commit every few seconds; an idle poll, stopping and finishing always commit.
 * A commit after every poll, as before, was one OffsetCommit request per fetch: at 10,000
 * lines/s on real Kafka some 680 a second, a quarter of the broker's CPU (0.61 cores against
 * 0.45 at most one a second, bench/latency.ts at load 2.5), and a round trip the next poll
 * waited for (up to 171 ms on a loaded machine). The price: a member that dies, or loses a
 * partition in a rebalance, hands on up to a second more of records to be read again.
 *
 * A broker outage after the member joined (Kafka restarting) does not end the loop: it waits
 * for the broker (broker-outage.ts), joins again and goes on with the windows it has. The group
 * hands its partitions out from the committed offsets, which may be behind what the detector
 * already holds (the records the partition merge holds back, a poll whose commit failed):
 * records below a partition's position are skipped, so none reaches the engine twice. A
 * partition that starts at the end (no committed offset, no --from-beginning) has that end
 * committed as soon as the member owns it, so a join after an outage starts there and not at
 * the end of then, past what came in between. Alerts and dead letters whose produce failed are
 * kept and sent after the outage, without those the broker had stored (outbox.ts): each is on
 * its topic once. Finishing (the last windows closed, their alerts sent, the last commit) rides
 * out an outage the same way.
 */
import type {
  AssignmentChange,
  Broker,
  CommitResult,
  Consumer,
  TopicPartition,
} from '../stream/broker';
import { brokerOutageGuard } from '../stream/broker-outage';
import { createCommitter, DEFAULT_COMMIT_INTERVAL_MS } from '../stream/committer';
import { unseen } from '../stream/redelivered';
import { createDetectionOutbox } from './detection-outbox';
import type { StreamDetector } from './stream-detector';

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
  /**
   * While polls bring records, commit at most this often (1,000 ms; 0: after every poll). An
   * idle poll, stopping and finishing always commit.
   */
  readonly commitIntervalMs?: number;
  /** Clock of the commit interval, in ms (`performance.now`). */
  readonly now?: () => number;
  /** Called once the consumer has joined its group (before the first poll). */
  readonly onSubscribed?: () => void;
  /** Called after each handled poll, once its alerts are written (and its offsets committed when due). */
  readonly onPoll?: () => void | Promise<void>;
  /** How long a broker outage is waited out (broker-outage.ts: 5 minutes). */
  readonly brokerWaitMs?: number;
  /** Where outage messages go, one line each; stderr by default. */
  readonly log?: (line: string) => void;
}

export type DetectionStop = 'aborted' | 'closed' | 'idle' | 'end';

/** How often offsets are committed while records flow (see the module docblock). */
export const DEFAULT_DETECT_COMMIT_INTERVAL_MS = DEFAULT_COMMIT_INTERVAL_MS;

export interface DetectionRun {
  readonly polls: number;
  readonly commits: number;
  readonly refusedCommits: number;
  readonly stoppedBy: DetectionStop;
  readonly alertsProduced: number;
  readonly deadLettersProduced: number;
  /**
   * Partitions of the topic this member owned at some time, in order, and how many the topic
   * has: fewer means other members of the group read the rest (a replay to the end was partial).
   */
  readonly partitionsOwned: readonly number[];
  readonly topicPartitions: number;
  /** Times the member joined again after the broker came back from an outage. */
  readonly brokerResumes: number;
  /** Records delivered again after such a join and skipped: the detector had them already. */
  readonly redelivered: number;
  /**
   * Alerts and dead letters whose produce failed in an outage but which the broker had stored:
   * found on their topic afterwards and not sent again (outbox.ts).
   */
  readonly alreadyStored: number;
}

function stderrLine(line: string): void {
  process.stderr.write(`detect: ${line}\n`);
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
  const log = options.log ?? stderrLine;
  // Which partitions have something to read, from the group's own offsets: those hold the
  // merge back until they deliver (see partition-merge.ts), and bound a replay.
  const targets = new Map<number, number>();
  /** Partitions without a committed offset that start at the end: where that end was. */
  const starts = new Map<number, number>();
  const lag = await broker.groupLag(groupId, [topic]);
  for (const p of lag.partitions) {
    if (p.committed === null && !fromBeginning) starts.set(p.partition, p.end);
    const behind = (p.committed !== null || fromBeginning) && p.lag > 0;
    if (behind) targets.set(p.partition, p.end);
  }
  const committer = createCommitter({
    done: () => detector.commitOffsets(),
    intervalMs: options.commitIntervalMs ?? DEFAULT_DETECT_COMMIT_INTERVAL_MS,
    now: options.now,
  });
  /** Partitions this member owns, as far as the detector has been told. */
  const owned = new Set<number>();
  /** Every partition it owned at some time. */
  const everOwned = new Set<number>();
  /**
   * Partitions gained wait to deliver before the others' records are released (behind when
   * the group's lag said so at the start); partitions lost leave the merge, dropping what it
   * held of them, which was not committed: their new owner reads it again (stream-detector.ts
   * `revoke`). Left in, a lost partition whose last batch ended below its high watermark held
   * every other partition's records, and their alerts, until a million were held.
   */
  const reassign = (gained: readonly number[], lost: readonly number[], atStart: boolean) => {
    detector.revoke(lost);
    committer.forget(lost.map((partition) => ({ topic, partition })));
    for (const p of lost) owned.delete(p);
    detector.expectPartitions(gained);
    for (const p of gained) {
      owned.add(p);
      everOwned.add(p);
      if (atStart && targets.has(p)) detector.setBehind(p, true);
    }
  };
  /** Changes told while a join is under way wait for its whole assignment (`joined`). */
  let joining = true;
  const onAssignment = (change: AssignmentChange) => {
    if (joining) return;
    const mine = (list: readonly TopicPartition[]) =>
      list.filter((tp) => tp.topic === topic).map((tp) => tp.partition);
    reassign(mine(change.assigned), mine(change.revoked), false);
  };
  /** A member joined: its whole assignment replaces what an earlier member of this run owned. */
  const joined = (member: Consumer<string>, atStart: boolean) => {
    joining = false;
    const assigned = new Set(member.assignment().map((tp) => tp.partition));
    reassign(
      [...assigned].filter((p) => !owned.has(p)),
      [...owned].filter((p) => !assigned.has(p)),
      atStart,
    );
  };
  /** Where records of a partition are new to the detector: its position, else its start. */
  const floor = (partition: number) =>
    detector.position(partition) ?? starts.get(partition) ?? null;
  const subscribe = (again: boolean) => {
    joining = true;
    return broker.subscribe({
      groupId,
      topics: [topic],
      // Joining again, a start not committed yet is found from the oldest record (see `floor`).
      fromBeginning: fromBeginning || (again && starts.size > 0),
      clientId: options.clientId ?? 'loglab-detect',
      onAssignment,
      // This loop waits out a broker outage itself (below): the member must not wait too.
      brokerOutage: 'end',
    });
  };
  // Joining at start is not retried: a broker that does not answer then is the caller's error.
  let consumer: Consumer<string> | null = await subscribe(false);
  joined(consumer, true);
  options.onSubscribed?.();
  const outage = brokerOutageGuard(broker, {
    topic,
    totalWaitMs: options.brokerWaitMs,
    log,
    signal,
  });
  const out = createDetectionOutbox(broker, {
    alertsTopic: options.alertsTopic,
    deadLetterTopic: options.deadLetterTopic,
    groupId,
    log,
  });
  let polls = 0;
  let commits = 0;
  let refusedCommits = 0;
  let brokerResumes = 0;
  let redelivered = 0;
  let stoppedBy: DetectionStop | null = null;
  let finished = false;

  /** Every partition this member owns is read up to where it ended at the start. */
  const reachedEnd = () => {
    for (const [partition, end] of targets) {
      if (!owned.has(partition)) continue;
      const position = detector.position(partition);
      if (position === null || position < end) return false;
    }
    return true;
  };

  /** Alerts and dead letters taken from the detector, sent; kept for later if that fails. */
  const writeOut = async () => {
    out.add(detector.takeAlerts(), detector.takeDeadLetters());
    await out.flush();
  };

  /**
   * The group has no offset for a partition that starts at the end until it is read and
   * committed: a member joining again after an outage would start at the end of then, past
   * what came in between. So the start is committed as soon as the member owns the partition.
   */
  const commitStarts = async (member: Consumer<string>) => {
    const assigned = new Set(member.assignment().map((tp) => tp.partition));
    const list = [...starts]
      .filter(([p]) => assigned.has(p) && detector.position(p) === null)
      .map(([partition, offset]) => ({ topic, partition, offset }));
    if (list.length === 0) return;
    const result = await member.commit(list);
    if (result.kind !== 'committed') return;
    committer.committed(result.offsets);
    for (const o of result.offsets) starts.delete(o.partition);
  };

  /** Counts a commit of what reached the engine (committer.ts). */
  const tally = (result: CommitResult | null) => {
    if (result === null) return;
    if (result.kind === 'rebalancing') {
      refusedCommits++;
      return;
    }
    commits++;
    for (const o of result.offsets) starts.delete(o.partition);
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
      tally(await committer.commit(member));
      return options.stopWhenIdle ? 'idle' : null;
    }
    const fresh = unseen(result.batches, floor);
    redelivered += fresh.skipped;
    detector.addBatches(fresh.batches);
    // Alerts and dead letters are acknowledged before the records behind them are committed.
    await writeOut();
    tally(await committer.commit(member, 'due'));
    await options.onPoll?.();
    return null;
  };

  try {
    // Until stopped, then once more to finish: the last alerts and the last commit ride out
    // an outage as every other step does.
    for (;;) {
      try {
        if (consumer === null) {
          consumer = await subscribe(true);
          joined(consumer, false);
          // Joined again: the outage before is over, even if the topic stays quiet.
          outage.progressed();
        }
        if (starts.size > 0) await commitStarts(consumer);
        if (stoppedBy === null) {
          stoppedBy = await step(consumer);
          continue;
        }
        if (!finished) {
          detector.finish();
          finished = true;
        }
        await writeOut();
        // A refused last commit (a rebalance as the run ends) is tried again (committer.ts).
        if (stoppedBy !== 'closed') await committer.commitLast(consumer, tally);
        break;
      } catch (err) {
        await consumer?.close();
        consumer = null;
        // Rethrows anything but a broker outage, and an outage that outlasts the wait.
        await outage.resumeAfter(err);
        brokerResumes++;
      }
    }
  } finally {
    await consumer?.close();
  }
  return {
    polls,
    commits,
    refusedCommits,
    stoppedBy,
    alertsProduced: out.alertsSent(),
    deadLettersProduced: out.deadLettersSent(),
    alreadyStored: out.alreadyStored(),
    partitionsOwned: [...everOwned].sort((a, b) => a - b),
    topicPartitions: lag.partitions.length,
    brokerResumes,
    redelivered,
  };
}
