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
 *
 * A store outage (HDFS restarting) is waited out, bounded by `retry.totalWaitMs`: store calls
 * are retried, and a file whose upload broke is abandoned and its lines read again, after the
 * same recovery as on start (archiver-outage.ts says why). What happens goes to `log`.
 */
import { getParser, type Parser } from '../log/parser';
import type { Compression } from '../storage/lake-layout';
import type { RetryPolicy } from '../storage/retrying-store';
import type { Store } from '../storage/store';
import { type Broker, type Consumer, DEFAULT_POLL_RECORDS } from '../stream/broker';
import { RAW_TOPIC } from '../stream/topics';
import {
  ArchiveRoller,
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_ROLL_BYTES,
  DEFAULT_ROLL_INTERVAL_MS,
  type Roll,
} from './archive-roller';
import { outageGuard } from './archiver-outage';
import { type NextOffsets, type Recovery, recoverLake } from './lake-recovery';
import { LakeWriter, type PublishRoll } from './lake-writer';

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
  /** Stop at the first poll that finds nothing, after rolling every open file. */
  readonly stopWhenIdle?: boolean;
  /** Stop once no record has come for this long (wall clock), after rolling every open file. */
  readonly idleExitMs?: number;
  /** Stop after archiving this many lines, rolling every open file first. */
  readonly maxLines?: number;
  /** Called after each polled batch is written, with the counts so far (a progress line). */
  readonly onProgress?: (progress: ArchiverProgress) => void;
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
  /** How long a store outage is waited out (storage/retrying-store.ts for the defaults). */
  readonly retry?: Partial<RetryPolicy>;
  /** Where outage messages go, one line each; stderr by default. */
  readonly log?: (line: string) => void;
}

export interface ArchiverProgress {
  readonly lines: number;
  readonly skipped: number;
  readonly files: number;
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
  readonly stoppedBy: 'aborted' | 'closed' | 'idle' | 'max';
  /** Times the run started again from the lake after a store outage broke a file. */
  readonly resumes: number;
}

function stderrLine(line: string): void {
  process.stderr.write(`archiver: ${line}\n`);
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
  // What attempts cut short by an outage stored before it: their other lines are read again.
  const earlier = { lines: 0, files: 0, rolls: 0 };
  let recovery: Recovery | null = null;
  for (let resumes = 0; ; resumes++) {
    let attempt: ArchiverRun | null = null;
    const counted = { lines: 0, files: 0, rolls: 0 };
    try {
      attempt = await archiveOnce(broker, guard.store, {
        ...options,
        // An attempt cut short stored `earlier.lines`; the rest of the budget is this attempt's.
        maxLines: options.maxLines === undefined ? undefined : options.maxLines - earlier.lines,
        onProgress: (p) =>
          options.onProgress?.({
            lines: earlier.lines + p.lines,
            skipped: p.skipped,
            files: earlier.files + p.files,
          }),
        beforeCommit: async (roll) => {
          await options.beforeCommit?.(roll);
          guard.progressed();
          counted.rolls++;
          counted.files += roll.files.length;
          for (const f of roll.files) counted.lines += f.file.lines;
        },
        onRecovered: (r) => {
          recovery ??= r;
        },
      });
    } catch (err) {
      await guard.resumeAfter(err);
      earlier.lines += counted.lines;
      earlier.files += counted.files;
      earlier.rolls += counted.rolls;
      continue;
    }
    return {
      ...attempt,
      recovery: recovery ?? attempt.recovery,
      lines: earlier.lines + attempt.lines,
      files: earlier.files + attempt.files,
      rolls: earlier.rolls + attempt.rolls,
      resumes,
    };
  }
}

async function archiveOnce(
  broker: Broker,
  store: Store,
  options: RunArchiverOptions & { onRecovered?: (recovery: Recovery) => void },
): Promise<ArchiverRun> {
  const topic = options.topic ?? RAW_TOPIC;
  const now = options.now ?? Date.now;
  const roller = new ArchiveRoller(
    {
      topic,
      rollBytes: options.rollBytes ?? DEFAULT_ROLL_BYTES,
      rollIntervalMs: options.rollIntervalMs ?? DEFAULT_ROLL_INTERVAL_MS,
      allowedLatenessMs: options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS,
      compression: options.compression,
    },
    options.parse ?? getParser('auto'),
  );
  const recovery = await recoverLake(store, topic, options.nextOffsets);
  options.onRecovered?.(recovery);
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
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  let lastRecordAt = now();

  let stoppedBy: ArchiverRun['stoppedBy'];
  try {
    for (;;) {
      if (options.signal?.aborted) {
        stoppedBy = 'aborted';
        break;
      }
      if (lines >= maxLines) {
        stoppedBy = 'max';
        break;
      }
      const result = await consumer.poll({
        // The port returns at most maxRecords, so `lines` never passes maxLines, and nothing is
        // polled that will not be written (and committed).
        maxRecords: Math.min(options.pollRecords ?? DEFAULT_POLL_RECORDS, maxLines - lines),
        maxWaitMs: options.maxWaitMs ?? 200,
        signal: options.signal,
      });
      if (result.kind === 'stopped') {
        stoppedBy = result.reason;
        break;
      }
      if (result.kind === 'idle') {
        await writer.rollDue(now());
        const idleFor = now() - lastRecordAt;
        if (
          options.stopWhenIdle ||
          (options.idleExitMs !== undefined && idleFor >= options.idleExitMs)
        ) {
          stoppedBy = 'idle';
          break;
        }
        continue;
      }
      const t = now();
      lastRecordAt = t;
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
      options.onProgress?.({ lines, skipped, files: writer.files });
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
    resumes: 0,
  };
}
