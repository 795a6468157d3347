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
 * The Broker port has no seek: on start the archiver recovers the next offset of each partition
 * from the lake and skips the records below it (the group's committed offset can only be behind
 * the lake, by at most one roll). A partition whose first record comes after the recovered
 * offset had lines the lake never got (deleted files, or records gone by retention): that is
 * counted in `gaps`, never hidden. The recovery runs once, at start: run one archiver per group.
 */
import { getParser, type Parser } from '../log/parser';
import type { Store } from '../storage/store';
import type { Broker, Consumer } from '../stream/broker';
import { RAW_TOPIC } from '../stream/topics';
import {
  ArchiveRoller,
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_ROLL_BYTES,
  DEFAULT_ROLL_INTERVAL_MS,
  type Roll,
} from './archive-roller';
import { type NextOffsets, type Recovery, recoverLake } from './lake-recovery';
import { LakeWriter, type PublishRoll } from './lake-writer';

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
  /** Where each partition resumes, from the lake's file names (lab 04 plugs its own in). */
  readonly nextOffsets?: NextOffsets;
  /** How a roll is made visible, then committed (lab 04 plugs its own in). */
  readonly publish?: PublishRoll;
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
  readonly stoppedBy: 'aborted' | 'closed' | 'idle';
}

export async function runArchiver(
  broker: Broker,
  store: Store,
  options: RunArchiverOptions = {},
): Promise<ArchiverRun> {
  const topic = options.topic ?? RAW_TOPIC;
  const now = options.now ?? Date.now;
  const roller = new ArchiveRoller(
    {
      topic,
      rollBytes: options.rollBytes ?? DEFAULT_ROLL_BYTES,
      rollIntervalMs: options.rollIntervalMs ?? DEFAULT_ROLL_INTERVAL_MS,
      allowedLatenessMs: options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS,
    },
    options.parse ?? getParser('auto'),
  );
  const recovery = await recoverLake(store, topic, options.nextOffsets);
  const consumer: Consumer = await broker.subscribe({
    groupId: options.groupId ?? ARCHIVER_GROUP,
    topics: [topic],
    fromBeginning: true,
    clientId: 'loglab-archiver',
  });
  const writer = new LakeWriter(
    store,
    roller,
    topic,
    async (roll) => {
      await options.beforeCommit?.(roll);
      await consumer.commit([{ topic, partition: roll.partition, offset: roll.nextOffset }]);
    },
    options.publish,
  );
  const checked = new Set<number>();
  const gaps: number[] = [];
  let lines = 0;
  let skipped = 0;

  let stoppedBy: ArchiverRun['stoppedBy'];
  try {
    for (;;) {
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
        if (options.stopWhenIdle) {
          stoppedBy = 'idle';
          break;
        }
        continue;
      }
      const t = now();
      for (const batch of result.batches) {
        const next = recovery.next.get(batch.partition) ?? 0;
        for (const r of batch.records) {
          if (r.offset < next) {
            skipped++;
            continue;
          }
          if (!checked.has(r.partition)) {
            checked.add(r.partition);
            if (r.offset > next && recovery.next.has(r.partition)) gaps.push(r.partition);
          }
          lines++;
          const rolling = writer.add(r.partition, r.offset, r.value, t);
          if (rolling !== undefined) await rolling;
        }
      }
      await writer.drainAll();
      await writer.rollDue(now());
    }
    await writer.rollAll();
  } finally {
    writer.destroy();
    await consumer.close();
  }
  return {
    recovery,
    lines,
    skipped,
    gaps,
    files: writer.files,
    rolls: writer.rolls,
    stoppedBy,
  };
}
