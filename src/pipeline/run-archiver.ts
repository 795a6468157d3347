/**
 * The archiver: a member of group `archiver` on `weblogs.raw` that writes every line into the
 * raw lake layout on a Store, exactly once even when it is killed at any moment. Where it sits
 * in the pipeline: index.ts; which file a line goes to: archive-roller.ts; why a crash neither
 * loses nor repeats a line: lake-recovery.ts.
 *
 * A roll of a partition (lake-writer.ts): end its files under `_tmp/`, publish them under the
 * roll's claim (roll-claim.ts), then commit the offset after the roll.
 *
 * The Broker port has no seek: when the archiver is given a partition (at start, or when the
 * group rebalances) it recovers the partition's next offset from the lake before writing any of
 * its records (through `nextOffsets`, which lab 04 replaces), and skips the records below it
 * (the group's committed offset can only be behind the lake, by at most one roll). A partition
 * whose first record comes after the recovered offset had lines the lake never got (deleted
 * files, or records gone by retention): that is counted in `gaps`, never hidden.
 *
 * Several archivers may share the group. A member that loses a partition drops its open files
 * (their lines come again to the new owner from the committed offset); a roll already under way
 * is finished by whichever of the two gets there first, and never published twice: the claim
 * protocol and what it guarantees are in roll-claim.ts, the per-partition state in
 * archive-partitions.ts. The member acts on a revoke only between its rolls: the rolls of a
 * poll run side by side but are all settled before it looks at the group again, so dropping a
 * partition's files never races a roll of them; a roll the revoke caught mid-way completes
 * under its claim or turns out stale there. A member whose roll turned out stale after it had
 * read past what the lake holds leaves and rejoins the group to read those records again
 * (`rejoins`).
 *
 * A store outage (HDFS restarting) is waited out, bounded by `retry.totalWaitMs`: store calls
 * are retried, and a file whose upload broke is abandoned and its lines read again: the attempt
 * ends, and the next one joins the group afresh and recovers every partition it is given, as
 * on start (archiver-outage.ts says why). That is a rejoin too, so the two never overlap: a
 * rejoin happens inside an attempt, a resume between attempts. A broker outage (Kafka
 * restarting) after the first join ends an attempt the same way: once the broker answers
 * (broker-outage.ts) the next attempt joins and recovers every partition from the lake, so the
 * files it was writing and a roll renamed but not committed are neither lost nor stored twice.
 * What happens goes to `log`.
 */
import { badInput } from '../errors';
import { getParser, type Parser } from '../log/parser';
import type { Compression } from '../storage/lake-layout';
import type { RetryPolicy } from '../storage/retrying-store';
import type { Store } from '../storage/store';
import { type Broker, type Consumer, DEFAULT_POLL_RECORDS, type RawBatch } from '../stream/broker';
import { brokerOutageGuard, isBrokerOutage } from '../stream/broker-outage';
import { RAW_TOPIC } from '../stream/topics';
import { ArchivePartitions } from './archive-partitions';
import {
  ArchiveRoller,
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_ROLL_BYTES,
  DEFAULT_ROLL_INTERVAL_MS,
  type Roll,
} from './archive-roller';
import { outageGuard } from './archiver-outage';
import type { NextOffsets, Recovery } from './lake-recovery';
import { claimLakeSource } from './lake-source';
import { LakeWriter, linesOf, newWriterTag, type PublishRoll } from './lake-writer';
import { recoverPartitions } from './roll-claim';

export const ARCHIVER_GROUP = 'archiver';

export interface RunArchiverOptions {
  readonly topic?: string;
  readonly groupId?: string;
  readonly rollBytes?: number;
  readonly rollIntervalMs?: number;
  readonly allowedLatenessMs?: number;
  /** `gzip`: closed files are `….log.gz`; recovery reads offsets from either name. */
  readonly compression?: Compression;
  /** The project's auto-detecting parser when absent. */
  readonly parse?: Parser;
  /**
   * Stop at the first poll that finds nothing, after rolling every open file; a poll during
   * which the group gave this member partitions does not count (their records come next), nor
   * one that came back empty before half its wait (woken by the group).
   */
  readonly stopWhenIdle?: boolean;
  /**
   * Stop once no record has come for this long (wall clock, counted again from the last time the
   * group gave this member partitions), after rolling every open file.
   */
  readonly idleExitMs?: number;
  /** Stop after archiving this many lines, rolling every open file first. */
  readonly maxLines?: number;
  /**
   * Called after each polled batch is written, with the counts so far (a progress line), and
   * after an empty poll when the partitions owned changed (a member told it has none, too). A
   * member that drops what it read (a rejoin after a stale roll, an attempt an outage ended)
   * reports no partitions and no positions until it has recovered them again.
   */
  readonly onProgress?: (progress: ArchiverProgress) => void;
  /**
   * Stop after the batch in hand, rolling every open file first. It also ends a wait for a
   * broker or store that went away (the run then fails with the outage): a stop right now.
   */
  readonly signal?: AbortSignal;
  /**
   * A stop once caught up (stream-archive.ts): asked, it stops the attempt running now as
   * `signal` does, but a broker or store outage that breaks the last roll is still waited out,
   * and the attempt after it runs until the stop is asked again (ArchiverFinish says why).
   */
  readonly finish?: ArchiverFinish;
  /** How long an empty poll waits (200 ms). */
  readonly maxWaitMs?: number;
  readonly pollRecords?: number;
  /** Wall clock for the roll interval. */
  readonly now?: () => number;
  /** Called after a roll's renames, before its offset is committed (crash tests stop here). */
  readonly beforeCommit?: (roll: Roll) => void | Promise<void>;
  /** Where each partition resumes, from the lake's file names (lab 04 plugs its own in). */
  readonly nextOffsets?: NextOffsets;
  /**
   * How a roll is made visible, then committed (lab 04 plugs its own in). Absent: under the
   * roll's claim (roll-claim.ts), which is what archivers sharing a group need.
   */
  readonly publish?: PublishRoll;
  /** How long a store outage is waited out (storage/retrying-store.ts for the defaults). */
  readonly retry?: Partial<RetryPolicy>;
  /** How long a broker outage is waited out (broker-outage.ts: 5 minutes). */
  readonly brokerWaitMs?: number;
  /** Where outage messages go, one line each; stderr by default. */
  readonly log?: (line: string) => void;
}

export interface ArchiverProgress {
  /** Lines written into files so far (published, or in files still open). */
  readonly lines: number;
  readonly skipped: number;
  readonly files: number;
  readonly rolls: number;
  /** Partitions this member owns now (none while it recovers them again: `onProgress`). */
  readonly assigned: readonly number[];
  /**
   * Per partition recovered or read: the lake's next offset once recovered, then the offset
   * after the last record read (written or skipped).
   */
  readonly positions: ReadonlyMap<number, number>;
}

export interface ArchiverRun {
  readonly recovery: Recovery;
  /** Lines in files this run published. */
  readonly lines: number;
  /** Records below the offset recovered from the lake: already stored, not written again. */
  readonly skipped: number;
  /** Partitions whose first record came after the recovered offset (lines the lake lacks). */
  readonly gaps: readonly number[];
  readonly files: number;
  readonly rolls: number;
  /** Rolls given up because another member had stored their first offset (roll-claim.ts). */
  readonly staleRolls: number;
  /** Times the member left and rejoined the group to read again what a stale roll held. */
  readonly rejoins: number;
  readonly stoppedBy: 'aborted' | 'closed' | 'idle' | 'max';
  /** Times the run started again from the lake after a store outage broke a file. */
  readonly resumes: number;
  /** Times the run started again from the lake after the broker came back from an outage. */
  readonly brokerResumes: number;
}

/**
 * The stop `loglab stream --archive` asks for once the archiver has read everything: "stop once
 * caught up", not "stop now". A user's stop (`signal`) also ends an outage wait, so a broker
 * restarting during the last roll's commit would fail a run whose every line was read; and the
 * attempt after the wait must not stop at once either, since the files the broken attempt had
 * open are dropped and their lines must be read again (a store outage that broke an upload of
 * the last roll). The same holds for a rejoin after a stale roll, which drops the open files
 * too. So each time the archiver drops what it read, it takes the request back (`generation`
 * counts those times): the caller sees it recover and read again (`onProgress`), and asks again
 * once it has caught up.
 */
export class ArchiverFinish {
  private controller = new AbortController();
  private drops = 0;

  /** Times the archiver dropped what it read: a request is for the reading of this generation. */
  get generation(): number {
    return this.drops;
  }

  /** Stop after the batch in hand, unless what was read has been dropped since `generation`. */
  ask(generation: number): void {
    if (generation === this.drops) this.controller.abort();
  }

  /** Aborts when asked, for the reading of this generation. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** What was read is dropped (an attempt ended, or a rejoin): read again until asked again. */
  takeBack(): void {
    this.drops++;
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }
}

/** What archiveOnce stops at: the user's stop, and the finishing stop of this generation. */
function stopSignal(options: RunArchiverOptions): AbortSignal | undefined {
  const { signal, finish } = options;
  if (finish === undefined) return signal;
  return signal === undefined ? finish.signal : AbortSignal.any([signal, finish.signal]);
}

function stderrLine(line: string): void {
  process.stderr.write(`archiver: ${line}\n`);
}

/** What the attempts of one run share: the first recovery of each partition, and counts. */
interface RunTotals {
  readonly firstNext: Map<number, number>;
  rolledForward: number;
  discarded: number;
  /** Published by attempts an outage cut short (their other lines are read again). */
  lines: number;
  files: number;
  rolls: number;
  staleRolls: number;
  rejoins: number;
  /**
   * Times an attempt joined the group. From the first on, a broker outage is waited out; an
   * attempt that joined ends the outage before it, so a later one gets a wait of its own.
   */
  joins: number;
}

export async function runArchiver(
  broker: Broker,
  store: Store,
  options: RunArchiverOptions = {},
): Promise<ArchiverRun> {
  const guard = outageGuard(store, {
    retry: options.retry,
    log: options.log ?? stderrLine,
    signal: options.signal,
  });
  const brokers = brokerOutageGuard(broker, {
    topic: options.topic ?? RAW_TOPIC,
    totalWaitMs: options.brokerWaitMs,
    log: options.log ?? stderrLine,
    signal: options.signal,
  });
  const totals: RunTotals = {
    firstNext: new Map(),
    rolledForward: 0,
    discarded: 0,
    lines: 0,
    files: 0,
    rolls: 0,
    staleRolls: 0,
    rejoins: 0,
    joins: 0,
  };
  let resumes = 0;
  let brokerResumes = 0;
  /** Joins counted when the broker's outage bound last started again. */
  let joinsAtBrokerProgress = 0;
  for (;;) {
    let attempt: ArchiverRun;
    const counted = { lines: 0, files: 0, rolls: 0 };
    try {
      attempt = await archiveOnce(
        broker,
        guard.store,
        {
          ...options,
          // An attempt cut short stored `totals.lines`; the rest of the budget is this attempt's.
          maxLines: options.maxLines === undefined ? undefined : options.maxLines - totals.lines,
          onProgress: (p) =>
            options.onProgress?.({
              ...p,
              lines: totals.lines + p.lines,
              files: totals.files + p.files,
              rolls: totals.rolls + p.rolls,
            }),
          beforeCommit: async (roll) => {
            await options.beforeCommit?.(roll);
            guard.progressed();
            counted.rolls++;
            counted.files += roll.files.length;
            counted.lines += linesOf(roll);
          },
        },
        totals,
      );
    } catch (err) {
      // Before waiting: what the caller sees next is this attempt's end (its progress reported
      // no partitions), and a stop it asks from now on is for the next attempt.
      options.finish?.takeBack();
      // Joined since the broker's last outage: that one is over, even if no roll followed and
      // whatever failed now (an HDFS outage after hours of archiving must not leave the broker's
      // bound counting from the outage before it).
      if (totals.joins > joinsAtBrokerProgress) {
        brokers.progressed();
        joinsAtBrokerProgress = totals.joins;
      }
      if (totals.joins > 0 && isBrokerOutage(err)) {
        await brokers.resumeAfter(err);
        brokerResumes++;
      } else {
        await guard.resumeAfter(err);
        resumes++;
      }
      totals.lines += counted.lines;
      totals.files += counted.files;
      totals.rolls += counted.rolls;
      continue;
    }
    return {
      ...attempt,
      lines: totals.lines + attempt.lines,
      files: totals.files + attempt.files,
      rolls: totals.rolls + attempt.rolls,
      resumes,
      brokerResumes,
    };
  }
}

/**
 * Refuses partitions whose offsets in the lake go past the topic's end. An offset stored once is
 * below the topic's end for the rest of the topic's life, so the lake is another topic's: this
 * one was deleted and made again under the name (its offsets start at 0 again), or the lake
 * came from another cluster. Archiving on would skip every record below the lake's offsets as
 * "already stored".
 */
async function refuseLakeAhead(
  broker: Broker,
  topic: string,
  next: ReadonlyMap<number, number>,
  stored: ReadonlySet<number>,
  ownNextOffsets: boolean,
): Promise<void> {
  if (stored.size === 0) return;
  const { partitions } = await broker.describeTopic(topic);
  for (const { partition, end } of partitions) {
    const lake = next.get(partition);
    if (!stored.has(partition) || lake === undefined || lake <= end) continue;
    // A nextOffsets of the caller's own (lab 04's) that answers past what the lake holds.
    if (ownNextOffsets) {
      throw badInput(
        `nextOffsets says partition ${partition} of "${topic}" goes on at offset ${lake}, past the topic's end at ${end}: it should be one past the largest lastOffset in the lake's file names`,
        { topic, partition },
      );
    }
    throw badInput(
      `the lake holds "${topic}" partition ${partition} up to offset ${lake - 1}, but the topic's partition ends at offset ${end}: the topic was deleted and made again under this name, or the lake is another cluster's; archive it into another lake (--lake), or under another topic name`,
      { topic, partition },
    );
  }
}

/**
 * One attempt: joins the group, archives until told to stop, and rolls what it holds. It throws
 * on a store failure, having closed its streams and left the group; `runArchiver` decides
 * whether to start another.
 */
async function archiveOnce(
  broker: Broker,
  store: Store,
  options: RunArchiverOptions,
  totals: RunTotals,
): Promise<ArchiverRun> {
  const topic = options.topic ?? RAW_TOPIC;
  const now = options.now ?? Date.now;
  const writerTag = newWriterTag();
  const roller = new ArchiveRoller(
    {
      topic,
      rollBytes: options.rollBytes ?? DEFAULT_ROLL_BYTES,
      rollIntervalMs: options.rollIntervalMs ?? DEFAULT_ROLL_INTERVAL_MS,
      allowedLatenessMs: options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS,
      compression: options.compression,
      writer: writerTag,
    },
    options.parse ?? getParser('auto'),
  );
  /** Lines in files this attempt published. */
  let lines = 0;
  /** Lines written into files, published or still open: what `maxLines` counts. */
  let written = 0;
  let partitions = new ArchivePartitions(topic);
  /** Stale rolls not yet looked at: partition and the last offset the roll held. */
  let stale: { partition: number; last: number }[] = [];
  const subscribe = () =>
    broker.subscribe({
      groupId: options.groupId ?? ARCHIVER_GROUP,
      topics: [topic],
      fromBeginning: true,
      clientId: 'loglab-archiver',
      onAssignment: partitions.listen,
      // runArchiver waits out a broker outage, with its own bound, and recovers from the lake:
      // a member that waited too would stack a second wait on it.
      brokerOutage: 'end',
    });
  let consumer: Consumer = await subscribe();
  totals.joins++;
  const writer = new LakeWriter(
    store,
    roller,
    topic,
    async (roll) => {
      lines += linesOf(roll);
      await options.beforeCommit?.(roll);
      await consumer.commit([{ topic, partition: roll.partition, offset: roll.nextOffset }]);
    },
    {
      writer: writerTag,
      owns: (p) => partitions.owns(p),
      publish: options.publish,
      onStale: (roll) => {
        totals.staleRolls++;
        written -= linesOf(roll);
        partitions.resync(roll.partition);
        stale.push({ partition: roll.partition, last: roll.nextOffset - 1 });
      },
    },
  );
  /**
   * The partitions last reported, so that an idle poll reports only a change of them or of the
   * positions that a recovery set.
   */
  let reported: string | null = null;
  let lastRecordAt = now();
  /**
   * Times this member recovered partitions, given by the group (or to be read again after a
   * stale roll): a poll that came back empty meanwhile is not idle, their records have not been
   * fetched yet. An idle stop is counted from the last of them too.
   */
  let given = 0;
  /**
   * Acts on what the group and the lake said since the last call: drops the files of revoked
   * partitions, recovers pending ones. True when a stale roll held records the lake lacks: the
   * caller must rejoin to read them again. Called only while no roll is under way.
   */
  const settle = async (): Promise<boolean> => {
    for (const p of partitions.takeRevoked()) written -= await writer.dropPartition(p);
    const pending = partitions.pending();
    if (pending.length > 0) {
      const r = await recoverPartitions(store, topic, pending, options.nextOffsets);
      await refuseLakeAhead(broker, topic, r.next, r.stored, options.nextOffsets !== undefined);
      totals.rolledForward += r.rolledForward;
      totals.discarded += r.discarded;
      for (const [p, n] of r.next) if (!totals.firstNext.has(p)) totals.firstNext.set(p, n);
      partitions.recovered(r.next, r.stored);
      reported = null;
      given++;
      lastRecordAt = now();
      // The group's offset may be behind the lake by a roll whose commit was cut short (a crash,
      // an outage at the last commit): its records come again only to be skipped, and nothing
      // else would commit them. The lake holds everything below its next offset.
      const ahead = pending
        .filter((p) => r.stored.has(p) && r.next.has(p))
        .map((p) => ({ topic, partition: p, offset: r.next.get(p) as number }));
      if (ahead.length > 0) await consumer.commit(ahead);
    }
    const behind = stale.some((s) => (partitions.nextOffset(s.partition) ?? 0) <= s.last);
    stale = [];
    return behind;
  };
  let skipped = 0;
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  /** The user's stop and the finishing one (made again when a rejoin takes the latter back). */
  let stop = stopSignal(options);
  /** Stopped by the user (or by a caller with no finishing stop): roll what is open and end. */
  const userStop = () => options.finish === undefined || options.signal?.aborted === true;
  /**
   * Reports that what this member read no longer counts (stream-archive.ts waits on positions):
   * its open files are dropped and its partitions recovered from the lake again, after a rejoin
   * or by the next attempt.
   */
  const forget = () =>
    options.onProgress?.({
      lines,
      skipped,
      files: writer.files,
      rolls: writer.rolls,
      assigned: [],
      positions: new Map(),
    });
  const progress = (idle = false) => {
    const assigned = partitions.assigned();
    if (idle && reported === assigned.join(',')) return;
    reported = assigned.join(',');
    options.onProgress?.({
      lines: written,
      skipped,
      files: writer.files,
      rolls: writer.rolls,
      assigned,
      positions: partitions.positions,
    });
  };

  /** Hands one poll's records to the writer; true when a stale roll means rejoining first. */
  const write = async (batches: readonly RawBatch[]): Promise<boolean> => {
    const t = now();
    for (const { partition, offsets, values } of batches) {
      for (let i = 0; i < offsets.length; i++) {
        if (partitions.isPending(partition) && (await settle())) return true;
        const offset = offsets[i];
        const what = partitions.accept(partition, offset);
        if (what === 'not-owned') continue; // revoked: the new owner reads it again
        if (what === 'skip') {
          skipped++;
          continue;
        }
        written++;
        const rolling = writer.add(partition, offset, values[i], t);
        if (rolling !== undefined) await rolling;
      }
    }
    return false;
  };

  let stoppedBy: ArchiverRun['stoppedBy'];
  try {
    // A lake whose files of this topic were archived from log files: refused before anything
    // is read or written. After the join, so that a topic that does not exist claims nothing.
    await claimLakeSource(store, topic, 'kafka');
    for (;;) {
      let rejoin = await settle();
      if (!rejoin && stop?.aborted) {
        stoppedBy = 'aborted';
        // A user's stop rolls after the loop and ends. A finishing stop (ArchiverFinish) rolls
        // here, so that a roll found stale sends the member back to read its records again.
        if (userStop()) break;
        await writer.rollAll();
        rejoin = await settle();
        if (!rejoin) break;
      }
      if (!rejoin) {
        if (written >= maxLines) {
          stoppedBy = 'max';
          break;
        }
        // Raw values: each line is stored as the bytes it came as (archive-roller.ts).
        const polledAt = performance.now();
        const result = await consumer.pollRaw({
          // The port returns at most maxRecords, so `written` never passes maxLines, and
          // nothing is polled that will not be written (and committed).
          maxRecords: Math.min(options.pollRecords ?? DEFAULT_POLL_RECORDS, maxLines - written),
          maxWaitMs: options.maxWaitMs ?? 200,
          signal: stop,
        });
        if (result.kind === 'stopped') {
          // A finishing stop is taken at the top of the loop, which may have to read again.
          if (result.reason === 'aborted' && !userStop()) continue;
          stoppedBy = result.reason;
          break;
        }
        if (result.kind === 'idle') {
          // An empty poll cut short does not count: on Kafka a rejoin of the group wakes it,
          // the records fetched dropped, to be fetched again. Half its wait, not all of it: a
          // timer may fire a little early on this clock, and one more poll costs only its wait.
          // (A rejoin later in the wait, or one that holds fetching up for the whole wait, is
          // not told apart: the member then stops with records it keeps unread, not lost.)
          const waited = performance.now() - polledAt >= (options.maxWaitMs ?? 200) / 2;
          await writer.rollDue(now());
          progress(true);
          const idleFor = now() - lastRecordAt;
          const idleStop =
            (options.stopWhenIdle === true && waited) ||
            (options.idleExitMs !== undefined && idleFor >= options.idleExitMs);
          if (!idleStop) continue;
          // Everything read goes into the lake now; a roll that was stale must be read again.
          const givenBefore = given;
          await writer.rollAll();
          rejoin = await settle();
          if (!rejoin) {
            // Partitions given during the poll (another member left) are read before any stop.
            if (given !== givenBefore) continue;
            stoppedBy = 'idle';
            break;
          }
        } else {
          lastRecordAt = now();
          rejoin = await write(result.batches);
          if (!rejoin) {
            await writer.drainAll();
            await writer.rollDue(now());
            progress();
            continue;
          }
        }
      }
      // Leave and rejoin: the group hands out the partitions again from the committed offsets.
      for (const p of roller.openPartitions()) written -= await writer.dropPartition(p);
      forget();
      // What it drops must be read again before a finishing stop (ArchiverFinish).
      if (options.finish !== undefined) {
        options.finish.takeBack();
        stop = stopSignal(options);
      }
      await consumer.close();
      partitions = new ArchivePartitions(topic);
      stale = [];
      consumer = await subscribe();
      totals.rejoins++;
    }
    await writer.rollAll();
  } catch (err) {
    // The attempt ends here (runArchiver decides whether another one starts).
    forget();
    throw err;
  } finally {
    writer.destroy();
    await consumer.close();
  }
  const recovery: Recovery = {
    next: totals.firstNext,
    rolledForward: totals.rolledForward,
    discarded: totals.discarded,
  };
  return {
    recovery,
    lines,
    skipped,
    gaps: partitions.gaps,
    files: writer.files,
    rolls: writer.rolls,
    staleRolls: totals.staleRolls,
    rejoins: totals.rejoins,
    stoppedBy,
    resumes: 0,
    brokerResumes: 0,
  };
}
