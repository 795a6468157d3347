/**
 * What the archiver does on start, before it reads a record: finish or discard what a crash
 * left under `_tmp/`, then read from the file names in the lake where each partition resumes.
 *
 * Why this makes the archive exactly once (Kafka Connect's HDFS sink works the same way):
 * - A file is written under `_tmp/`, invisible to readers and to this recovery, then renamed
 *   into place. A rename is atomic: the file is either all there under its final name or not.
 * - A final name carries the first and last offset of its lines, and a partition's rolls cover
 *   contiguous offset ranges (archive-roller.ts), so `max(lastOffset) + 1` over the raw and
 *   dead-letter files of a partition is exactly the first offset not yet stored.
 * - Kafka offsets are committed after the rename, but only as a hint: a crash between the rename
 *   and the commit leaves the group's offset behind the lake. On restart the archiver skips
 *   every record below the offset recovered here, so those lines are not written twice; and
 *   lines that were only in `_tmp/` were never committed nor renamed, so they are read again.
 * - A roll of several files (lines of several hours) is made atomic by a manifest written under
 *   `_tmp/` before the first rename: once the manifest is complete the roll is decided, and a
 *   restart finishes its renames; before that, nothing of the roll is visible and its files are
 *   discarded. A roll of one file needs no manifest: its rename is the decision.
 */
import type { Readable } from 'node:stream';
import {
  DEADLETTER_ROOT,
  isRawFile,
  parseRawFileName,
  RAW_ROOT,
  TMP_DIR,
} from '../storage/lake-layout';
import { isDirectory, isFile, type Store } from '../storage/store';

/** The manifest of a roll of several files, under `_tmp/`. */
export function manifestPath(topic: string, partition: number, firstOffset: number): string {
  return `${TMP_DIR}/${topic}+${partition}+${firstOffset}.roll`;
}

export interface Manifest {
  /** [tmp path, final path] of each file of the roll. */
  readonly renames: readonly (readonly [string, string])[];
}

export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest)}\n`;
}

/** A manifest cut short by a crash is not JSON: null, and its roll never happened. */
export function parseManifest(text: string): Manifest | null {
  try {
    const value = JSON.parse(text) as Manifest;
    if (!Array.isArray(value?.renames)) return null;
    return value;
  } catch {
    return null;
  }
}

export interface Recovery {
  /** Per partition, the first offset not yet in the lake. */
  readonly next: ReadonlyMap<number, number>;
  /** Rolls found decided but not finished, whose renames were completed now. */
  readonly rolledForward: number;
  /** Files under `_tmp/` deleted: their lines were never committed and will be read again. */
  readonly discarded: number;
}

export async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Finishes the decided rolls of `topic`, deletes the rest of its files under `_tmp/`. */
async function settleTmp(
  store: Store,
  topic: string,
): Promise<{ rolledForward: number; discarded: number }> {
  if (!isDirectory(await store.stat(TMP_DIR))) return { rolledForward: 0, discarded: 0 };
  let rolledForward = 0;
  let discarded = 0;
  // Names start with the topic and a `+`, which a topic name cannot hold: other topics' files
  // are left to their own archiver.
  const ours = (name: string) => name.startsWith(`${topic}+`);
  for (const e of await store.list(TMP_DIR)) {
    if (!ours(e.name) || !e.name.endsWith('.roll')) continue;
    const manifest = parseManifest(await readText(await store.open(e.path)));
    if (manifest !== null) {
      for (const [from, to] of manifest.renames) {
        if (isFile(await store.stat(from)) && (await store.stat(to)) === null) {
          await store.rename(from, to);
        }
      }
      rolledForward++;
    }
    await store.delete(e.path, { missingOk: true });
  }
  for (const e of await store.list(TMP_DIR)) {
    if (!ours(e.name)) continue;
    await store.delete(e.path, { recursive: true, missingOk: true });
    discarded++;
  }
  return { rolledForward, discarded };
}

/**
 * Per partition, the first offset the lake does not hold, read from file names alone. A
 * parameter of recovery so that lab 04 can plug a learner's own into the real archiver.
 */
export type NextOffsets = (store: Store, topic: string) => Promise<Map<number, number>>;

/** Raw and dead-letter files of `topic` under `dir`, at any depth. */
async function scan(store: Store, dir: string, topic: string, next: Map<number, number>) {
  if (!isDirectory(await store.stat(dir))) return;
  for (const e of await store.list(dir)) {
    if (e.type === 'directory') {
      if (e.name !== '_tmp') await scan(store, e.path, topic, next);
      continue;
    }
    const parsed = parseRawFileName(e.name);
    if (!isRawFile(parsed) || parsed.file.topic !== topic) continue;
    const { partition, lastOffset } = parsed.file;
    if (lastOffset + 1 > (next.get(partition) ?? 0)) next.set(partition, lastOffset + 1);
  }
}

/** `max(lastOffset) + 1` per partition over the raw and dead-letter files of `topic`. */
export const lakeNextOffsets: NextOffsets = async (store, topic) => {
  const next = new Map<number, number>();
  await scan(store, RAW_ROOT, topic, next);
  await scan(store, DEADLETTER_ROOT, topic, next);
  return next;
};

/**
 * The recovery of a lone writer (`loglab archive FILE`): every leftover of `topic` under `_tmp/`
 * is its own. Archivers sharing a group recover partition by partition instead (roll-claim.ts).
 */
export async function recoverLake(
  store: Store,
  topic: string,
  nextOffsets: NextOffsets = lakeNextOffsets,
): Promise<Recovery> {
  const { rolledForward, discarded } = await settleTmp(store, topic);
  const next = await nextOffsets(store, topic);
  return { next, rolledForward, discarded };
}
