/**
 * The files one topic's archiver left in a lake, as a reader of the lake sees them: the raw and
 * dead-letter files with the offsets their names carry, their lines (a dead letter's original
 * line, not its JSON letter), what is left under `_tmp/`, and their removal when a notebook or a
 * test on a shared HDFS is done with its own topic.
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  DEADLETTER_ROOT,
  isRawFile,
  parseRawFileName,
  RAW_ROOT,
  type RawFile,
  TMP_DIR,
} from '../storage/lake-layout';
import { isDirectory, type Store, type StoreEntry } from '../storage/store';
import { parseDeadLetter } from '../stream/topics';
import { sourcePath } from './lake-source';

export interface TopicFile extends RawFile {
  readonly path: string;
  /** `date=YYYY-MM-DD/hour=HH`, or null for a dead-letter file. */
  readonly hour: string | null;
  readonly bytes: number;
}

async function walk(store: Store, dir: string, topic: string, out: TopicFile[]): Promise<void> {
  if (!isDirectory(await store.stat(dir))) return;
  for (const e of await store.list(dir)) {
    if (e.type === 'directory') {
      if (e.name !== '_tmp') await walk(store, e.path, topic, out);
      continue;
    }
    const parsed = parseRawFileName(e.name);
    if (!isRawFile(parsed) || parsed.file.topic !== topic) continue;
    const hour = e.path.startsWith(`${RAW_ROOT}/`)
      ? e.path.slice(RAW_ROOT.length + 1, e.path.length - e.name.length - 1)
      : null;
    out.push({ ...parsed.file, path: e.path, hour, bytes: e.size });
  }
}

/** Every visible raw and dead-letter file of `topic`, by partition then first offset. */
export async function topicFiles(store: Store, topic: string): Promise<TopicFile[]> {
  const out: TopicFile[] = [];
  await walk(store, RAW_ROOT, topic, out);
  await walk(store, DEADLETTER_ROOT, topic, out);
  return out.sort((a, b) => a.partition - b.partition || a.firstOffset - b.firstOffset);
}

/** What `topic`'s archiver has under `_tmp/`: files being written, or left by a crash. */
export async function tmpFiles(store: Store, topic: string): Promise<StoreEntry[]> {
  if (!isDirectory(await store.stat(TMP_DIR))) return [];
  return (await store.list(TMP_DIR)).filter((e) => e.name.startsWith(`${topic}+`));
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A file's lines as they came from the topic (a dead letter gives back its original line). */
export async function fileLines(store: Store, file: TopicFile): Promise<string[]> {
  const raw = await store.open(file.path);
  const text = await readAll(file.compression === 'gzip' ? raw.pipe(createGunzip()) : raw);
  if (text === '') return [];
  const lines = text.slice(0, text.endsWith('\n') ? -1 : undefined).split('\n');
  return file.hour === null ? lines.map((l) => parseDeadLetter(l).line) : lines;
}

/**
 * Deletes `topic`'s files (visible and under `_tmp/`), then the hour and date directories
 * they leave empty; other topics' files and their directories stay. Resolves with the number
 * of files deleted.
 */
export async function deleteTopicFiles(store: Store, topic: string): Promise<number> {
  // The marker of who numbers the topic goes too (not counted): a scratch topic leaves nothing.
  await store.delete(sourcePath(topic), { missingOk: true });
  const files = [...(await topicFiles(store, topic)), ...(await tmpFiles(store, topic))];
  const dirs = new Set<string>();
  for (const f of files) {
    await store.delete(f.path, { missingOk: true });
    const hourDir = f.path.slice(0, f.path.lastIndexOf('/'));
    if (hourDir.includes('/hour=')) {
      dirs.add(hourDir);
      dirs.add(hourDir.slice(0, hourDir.lastIndexOf('/')));
    }
  }
  // Deepest first; a directory someone else still uses is not empty and stays.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    const entry = await store.stat(dir);
    if (isDirectory(entry) && (await store.list(dir)).length === 0) {
      await store.delete(dir, { missingOk: true });
    }
  }
  return files.length;
}
