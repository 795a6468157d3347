/**
 * Who numbers a topic's offsets in a lake. The raw files of a topic are named by offsets
 * (`TOPIC+PARTITION+FIRST+LAST`), and every writer resumes after the largest one it finds; that
 * holds only while one numbering fills a topic's name. Two write into lakes:
 * - `kafka`: the topic's archiver (`loglab archive`, `loglab stream --archive`), whose offsets are
 *   Kafka's (or the embedded broker's);
 * - `file`: `loglab archive FILE`, whose offsets are line positions, counted on after the lake.
 * Mixed under one name, the archiver took a file's offsets for records already stored and
 * skipped as many of Kafka's, without a word. So the first writer of a topic leaves its kind in
 * `/loglab/_sources/TOPIC.json` (a hidden name: Hadoop, MapReduce and `lake ls` pass it by), and
 * a writer of the other kind is refused in one line before it reads or writes anything.
 *
 * The marker is written under a private draft name and renamed into place: rename never replaces
 * (the Store contract), so of two writers starting together one places it and the other reads
 * it, and a writer killed half-way leaves a draft, never half a marker (the next writer that
 * places a marker deletes drafts over ten minutes old). A lake written before markers existed
 * has none: its first writer from now on leaves one, of its own kind unless the lake's files say
 * otherwise (files in a partition other than 0 came from Kafka).
 */
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { badInput, isLoglabError, LoglabError } from '../errors';
import { checkLakeTopic, LAKE_ROOT } from '../storage/lake-layout';
import { isDirectory, isFile, type Store } from '../storage/store';
import { lakeNextOffsets, readText } from './lake-recovery';

export type LakeSource = 'kafka' | 'file';

export const SOURCES_DIR = `${LAKE_ROOT}/_sources`;

export function sourcePath(topic: string): string {
  return `${SOURCES_DIR}/${topic}.json`;
}

interface Marker {
  readonly topic: string;
  readonly source: LakeSource;
}

function parseMarker(text: string, topic: string): LakeSource | null {
  try {
    const m = JSON.parse(text) as Partial<Marker>;
    if (m.topic !== topic) return null;
    return m.source === 'kafka' || m.source === 'file' ? m.source : null;
  } catch {
    return null;
  }
}

/** The topic's marker, or null when there is none. */
async function readMarker(store: Store, topic: string): Promise<LakeSource | null> {
  const path = sourcePath(topic);
  const entry = await store.stat(path);
  if (entry === null) return null;
  if (!isFile(entry)) throw badInput(`${path} in the lake is a directory, not a source marker`);
  let text: string;
  try {
    text = await readText(await store.open(path));
  } catch (err) {
    // Deleted between the stat and the open: there is none.
    if (isLoglabError(err) && err.code === 'NOT_FOUND') return null;
    throw err;
  }
  const source = parseMarker(text, topic);
  if (source === null) throw badInput(`${path} in the lake is not a topic's source marker`);
  return source;
}

/** The refusal of the other kind of writer in a lake where `topic` is `found`'s: what to do instead. */
function mixedSources(topic: string, found: LakeSource) {
  const path = sourcePath(topic);
  return found === 'file'
    ? badInput(
        `the lake holds "${topic}" archived from files (${path}), numbered by line and not by Kafka's offsets: archive the topic into another lake (--lake), or archive files under another --topic`,
        { path },
      )
    : badInput(
        `the lake holds "${topic}" archived from Kafka (${path}); a file's lines would take offsets the topic's archiver then skips: archive the file under another --topic, or into another lake (--lake)`,
        { path },
      );
}

/**
 * Records that `topic` in this lake is numbered by `source`, or checks that it already is.
 * BAD_INPUT, one line, when the lake holds the topic from the other kind of writer.
 */
export async function claimLakeSource(
  store: Store,
  topic: string,
  source: LakeSource,
): Promise<void> {
  // Before any write: a name that is no topic name makes no marker (nor a path it may not),
  // and one too long to name the lake's files is refused here rather than at its first roll.
  checkLakeTopic(topic);
  const found =
    (await readMarker(store, topic)) ??
    (await placeMarker(store, topic, await kindOf(store, topic, source)));
  if (found !== source) throw mixedSources(topic, found);
}

/**
 * Who wrote a topic's files in a lake from before markers existed: files of a partition other
 * than 0 came from Kafka (a file's lines all go to partition 0); else, or with no files, the
 * writer asking now is taken at its word.
 */
async function kindOf(store: Store, topic: string, asking: LakeSource): Promise<LakeSource> {
  if (asking === 'kafka') return asking;
  const next = await lakeNextOffsets(store, topic);
  return [...next.keys()].some((p) => p !== 0) ? 'kafka' : asking;
}

const DRAFTS_DIR = `${SOURCES_DIR}/_drafts`;
/** A draft this old was left by a writer killed before its rename (a live one takes moments). */
const STALE_DRAFT_MS = 10 * 60_000;

/** Deletes the drafts of writers killed half-way; another writer's fresh draft is left alone. */
async function sweepDrafts(store: Store): Promise<void> {
  if (!isDirectory(await store.stat(DRAFTS_DIR))) return;
  const before = Date.now() - STALE_DRAFT_MS;
  for (const e of await store.list(DRAFTS_DIR)) {
    if (e.type === 'file' && e.mtime < before) await store.delete(e.path, { missingOk: true });
  }
}

/**
 * Places `source` as the topic's marker and returns it, or, when another writer placed one first,
 * returns theirs. Once only: a marker path that refuses the rename and shows nothing there (a
 * FIFO, which the local store does not count as an entry) is the rename's error, not another try.
 */
async function placeMarker(store: Store, topic: string, source: LakeSource): Promise<LakeSource> {
  const path = sourcePath(topic);
  await sweepDrafts(store);
  // Named by the writer alone: a topic's name may take up all a path segment allows.
  const draft = `${DRAFTS_DIR}/${randomBytes(6).toString('hex')}.draft`;
  const out = await store.create(draft, { overwrite: true });
  out.end(`${JSON.stringify({ topic, source } satisfies Marker)}\n`);
  await finished(out);
  try {
    await store.rename(draft, path);
    return source;
  } catch (err) {
    // Another writer placed it first (the rename never replaces): theirs is the answer. Else
    // the rename failed for its own reason (the path held by something that is not a file).
    if ((await store.stat(path)) === null) throw err;
  } finally {
    await store.delete(draft, { missingOk: true }).catch(() => undefined);
  }
  const theirs = await readMarker(store, topic);
  // Gone between the refused rename and the read: someone deleted it that very moment. Claiming
  // now would go on without a marker; the next run places one.
  if (theirs === null) {
    throw new LoglabError(
      'IO',
      `${path} in the lake was deleted while this run read it: run again to claim "${topic}"`,
    );
  }
  return theirs;
}
