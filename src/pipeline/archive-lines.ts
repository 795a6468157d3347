/**
 * Puts lines that did not come through a broker (a log file, stdin) into the same raw lake
 * layout as the archiver (run-archiver.ts), as partition 0 of the topic: the line's position
 * is its offset, continuing after the largest offset the lake already holds for that
 * partition. Archiving two files one after the other adds the second after the first; a run
 * stopped half-way leaves complete files behind and nothing under `_tmp/` after the next start.
 */
import { getParser, type Parser } from '../log/parser';
import type { Compression } from '../storage/lake-layout';
import type { Store } from '../storage/store';
import { RAW_TOPIC } from '../stream/topics';
import {
  ArchiveRoller,
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_ROLL_BYTES,
  DEFAULT_ROLL_INTERVAL_MS,
} from './archive-roller';
import { lakeNextOffsets, recoverLake } from './lake-recovery';
import { claimLakeSource } from './lake-source';
import { LakeWriter } from './lake-writer';

export interface ArchiveLinesOptions {
  readonly topic?: string;
  readonly rollBytes?: number;
  readonly rollIntervalMs?: number;
  /** `gzip`: closed files are `….log.gz`. */
  readonly compression?: Compression;
  readonly parse?: Parser;
  readonly now?: () => number;
  /** Called after each chunk of lines is written, with the counts so far. */
  readonly onProgress?: (progress: { readonly lines: number; readonly files: number }) => void;
}

export interface ArchiveLinesResult {
  /** Offset the first line got. */
  readonly firstOffset: number;
  readonly lines: number;
  readonly files: number;
  /** Of `lines`, those stored as dead letters (they did not parse), with their reason. */
  readonly deadLetters: number;
}

export const FILE_PARTITION = 0;

export async function archiveLines(
  store: Store,
  chunks: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
  options: ArchiveLinesOptions = {},
): Promise<ArchiveLinesResult> {
  const topic = options.topic ?? RAW_TOPIC;
  const now = options.now ?? Date.now;
  // Nothing to archive (an empty file or stdin): the lake is left as it is, unclaimed.
  const input = await firstLines(chunks);
  if (input === null) {
    const next = await lakeNextOffsets(store, topic);
    return { firstOffset: next.get(FILE_PARTITION) ?? 0, lines: 0, files: 0, deadLetters: 0 };
  }
  // A lake that holds this topic from Kafka: refused before anything is touched.
  await claimLakeSource(store, topic, 'file');
  const recovery = await recoverLake(store, topic);
  const firstOffset = recovery.next.get(FILE_PARTITION) ?? 0;
  const roller = new ArchiveRoller(
    {
      topic,
      rollBytes: options.rollBytes ?? DEFAULT_ROLL_BYTES,
      rollIntervalMs: options.rollIntervalMs ?? DEFAULT_ROLL_INTERVAL_MS,
      allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS,
      compression: options.compression,
    },
    options.parse ?? getParser('auto'),
  );
  const writer = new LakeWriter(store, roller, topic);
  let offset = firstOffset;
  try {
    for await (const lines of input) {
      const t = now();
      for (const line of lines) {
        const rolling = writer.add(FILE_PARTITION, offset++, line, t);
        if (rolling !== undefined) await rolling;
      }
      await writer.drainAll();
      await writer.rollDue(now());
      options.onProgress?.({ lines: offset - firstOffset, files: writer.files });
    }
    await writer.rollAll();
  } finally {
    writer.destroy();
  }
  return {
    firstOffset,
    lines: offset - firstOffset,
    files: writer.files,
    deadLetters: roller.deadLetters,
  };
}

/**
 * `chunks` from its first line on, or null when it holds none: the chunks before it (empty ones)
 * are read and dropped, the rest are given as they come.
 */
async function firstLines(
  chunks: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
): Promise<AsyncIterable<readonly string[]> | null> {
  const it =
    Symbol.asyncIterator in chunks
      ? chunks[Symbol.asyncIterator]()
      : (chunks as Iterable<readonly string[]>)[Symbol.iterator]();
  for (;;) {
    const next = await it.next();
    if (next.done === true) return null;
    if (next.value.length === 0) continue;
    const first = next.value;
    return (async function* () {
      try {
        yield first;
        for (;;) {
          const more = await it.next();
          if (more.done === true) return;
          yield more.value;
        }
      } finally {
        // Left early (a failed write): the source is told, as a for-of over it would tell it.
        await it.return?.();
      }
    })();
  }
}
