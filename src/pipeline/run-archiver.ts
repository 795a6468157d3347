/**
 * The archiver: a member of group `archiver` on `weblogs.raw` that writes every line into the
 * raw lake layout on a Store, exactly once even when it is killed at any moment. Where it sits
 * in the pipeline: index.ts; which file a line goes to: archive-roller.ts; why a crash neither
 * loses nor repeats a line: lake-recovery.ts.
 *
 * A roll of a partition (lake-writer.ts): end its files under `_tmp/`, write the manifest
 * (several files only), rename each into place, delete the manifest, then commit the offset
 * after the roll.
 *
 * The Broker port has no seek: when the archiver is given a partition (at start, or when the
 * group rebalances) it recovers the partition's next offset from the lake before writing any of
 * its records, and skips the records below it (the group's committed offset can only be behind
 * the lake, by at most one roll). A partition whose first record comes after the recovered
 * offset had lines the lake never got (deleted files, or records gone by retention): that is
 * counted in `gaps`, never hidden.
 *
 * Several archivers may share the group. A member that loses a partition drops its open files
 * (their lines come again to the new owner from the committed offset); a roll already under way
 * is finished by whichever of the two gets there first, and never published twice: the claim
 * protocol and what it guarantees are in roll-claim.ts, the per-partition state in
 * archive-partitions.ts. A member whose roll turned out stale after it had read past what the
 * lake holds leaves and rejoins the group to read those records again (`rejoins`).
 */
import { getParser, type Parser } from '../log/parser';
import type { Store } from '../storage/store';
import type { Broker, Consumer, RecordBatch } from '../stream/broker';
import { RAW_TOPIC } from '../stream/topics';
import { ArchivePartitions } from './archive-partitions';
import {
  ArchiveRoller,
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_ROLL_BYTES,
  DEFAULT_ROLL_INTERVAL_MS,
  type Roll,
} from './archive-roller';
import type { Recovery } from './lake-recovery';
import { LakeWriter, newWriterTag } from './lake-writer';
import { recoverPartitions } from './roll-claim';

export const ARCHIVER_GROUP = 'archiver';

export interface RunArchiverOptions {
  readonly topic?: string;
  readonly groupId?: string;
  readonly rollBytes?: number;
  readonly rollIntervalMs?: number;
  readonly allowedLatenessMs?: number;
  /** The project's auto-detecting parser when absent. */
  readonly parse?: Parser;
  /** Stop at the first poll that finds nothing, after rolling every open file. */
  readonly stopWhenIdle?: boolean;
  /** Stop after the batch in hand, rolling every open file first. */
  readonly signal?: AbortSignal;
  /** How long an empty poll waits (200 ms). */
  readonly maxWaitMs?: number;
  readonly pollRecords?: number;
  /** Wall clock for the roll interval. */
  readonly now?: () => number;
  /** Called after a roll's renames, before its offset is committed (crash tests stop here). */
  readonly beforeCommit?: (roll: Roll) => void | Promise<void>;
  /** Called after each poll has been handled: what is stored so far, for a live view. */
  readonly onProgress?: (progress: ArchiverProgress) => void;
}

export interface ArchiverProgress {
  readonly lines: number;
  readonly skipped: number;
  readonly files: number;
  readonly rolls: number;
  /** Partitions this member owns now. */
  readonly assigned: readonly number[];
  /** Per partition read, the offset after the last record read (written or skipped). */
  readonly positions: ReadonlyMap<number, number>;
}

export interface ArchiverRun {
  readonly recovery: Recovery;
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
  readonly stoppedBy: 'aborted' | 'closed' | 'idle';
}

export async function runArchiver(
  broker: Broker,
  store: Store,
  options: RunArchiverOptions = {},
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
      writer: writerTag,
    },
    options.parse ?? getParser('auto'),
  );
  const firstNext = new Map<number, number>();
  /** Lines in published files. */
  let lines = 0;
  let staleRolls = 0;
  let rolledForward = 0;
  let discarded = 0;
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
    });
  let consumer: Consumer = await subscribe();
  const writer = new LakeWriter(
    store,
    roller,
    topic,
    async (roll) => {
      for (const f of roll.files) lines += f.file.lines;
      await options.beforeCommit?.(roll);
      await consumer.commit([{ topic, partition: roll.partition, offset: roll.nextOffset }]);
    },
    {
      writer: writerTag,
      owns: (p) => partitions.owns(p),
      onStale: (roll) => {
        staleRolls++;
        partitions.resync(roll.partition);
        stale.push({ partition: roll.partition, last: roll.nextOffset - 1 });
      },
    },
  );
  /**
   * Acts on what the group and the lake said since the last call: drops the files of revoked
   * partitions, recovers pending ones. True when a stale roll held records the lake lacks: the
   * caller must rejoin to read them again.
   */
  const settle = async (): Promise<boolean> => {
    for (const p of partitions.takeRevoked()) await writer.dropPartition(p);
    const pending = partitions.pending();
    if (pending.length > 0) {
      const r = await recoverPartitions(store, topic, pending);
      rolledForward += r.rolledForward;
      discarded += r.discarded;
      for (const [p, n] of r.next) if (!firstNext.has(p)) firstNext.set(p, n);
      partitions.recovered(r.next, r.stored);
    }
    const behind = stale.some((s) => (partitions.nextOffset(s.partition) ?? 0) <= s.last);
    stale = [];
    return behind;
  };
  let skipped = 0;
  let rejoins = 0;
  const progress = () =>
    options.onProgress?.({
      lines,
      skipped,
      files: writer.files,
      rolls: writer.rolls,
      assigned: partitions.assigned(),
      positions: partitions.positions,
    });

  /** Hands one poll's records to the writer; true when a stale roll means rejoining first. */
  const write = async (batches: readonly RecordBatch[]): Promise<boolean> => {
    const t = now();
    for (const batch of batches) {
      for (const r of batch.records) {
        if (partitions.isPending(r.partition) && (await settle())) return true;
        const what = partitions.accept(r.partition, r.offset);
        if (what === 'not-owned') continue; // revoked: the new owner reads it again
        if (what === 'skip') {
          skipped++;
          continue;
        }
        const rolling = writer.add(r.partition, r.offset, r.value, t);
        if (rolling !== undefined) await rolling;
      }
    }
    return false;
  };

  let stoppedBy: ArchiverRun['stoppedBy'];
  try {
    for (;;) {
      let rejoin = await settle();
      if (!rejoin) {
        if (options.signal?.aborted) {
          stoppedBy = 'aborted';
          break;
        }
        const result = await consumer.poll({
          maxRecords: options.pollRecords,
          maxWaitMs: options.maxWaitMs ?? 200,
          signal: options.signal,
        });
        if (result.kind === 'stopped') {
          stoppedBy = result.reason;
          break;
        }
        if (result.kind === 'idle') {
          await writer.rollDue(now());
          progress();
          if (!options.stopWhenIdle) continue;
          // Everything read goes into the lake now; a roll that was stale must be read again.
          await writer.rollAll();
          progress();
          rejoin = await settle();
          if (!rejoin) {
            stoppedBy = 'idle';
            break;
          }
        } else {
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
      for (const p of roller.openPartitions()) await writer.dropPartition(p);
      await consumer.close();
      partitions = new ArchivePartitions(topic);
      stale = [];
      consumer = await subscribe();
      rejoins++;
    }
    await writer.rollAll();
    progress();
  } finally {
    writer.destroy();
    await consumer.close();
  }
  const recovery: Recovery = { next: firstNext, rolledForward, discarded };
  return {
    recovery,
    lines,
    skipped,
    gaps: partitions.gaps,
    files: writer.files,
    rolls: writer.rolls,
    staleRolls,
    rejoins,
    stoppedBy,
  };
}
