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
 * it, and a writer killed half-way leaves a draft, never half a marker. A lake written before
 * markers existed has none; its first writer from now on leaves one, whatever the lake holds.
 */
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { badInput, isLoglabError } from '../errors';
import { LAKE_ROOT } from '../storage/lake-layout';
import type { Store } from '../storage/store';
import { readText } from './lake-recovery';

export type LakeSource = 'kafka' | 'file';

export const SOURCES_DIR = `${LAKE_ROOT}/_sources`;

export function sourcePath(topic: string): string {
  return `${SOURCES_DIR}/${topic}.json`;
}

interface Marker {
  readonly topic: string;
  readonly source: LakeSource;
}

function parseMarker(text: string): LakeSource | null {
  try {
    const m = JSON.parse(text) as Partial<Marker>;
    return m.source === 'kafka' || m.source === 'file' ? m.source : null;
  } catch {
    return null;
  }
}

async function readMarker(store: Store, topic: string): Promise<LakeSource | null> {
  const path = sourcePath(topic);
  let text: string;
  try {
    text = await readText(await store.open(path));
  } catch (err) {
    if (isLoglabError(err) && err.code === 'NOT_FOUND') return null;
    throw err;
  }
  const source = parseMarker(text);
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
  const found = await readMarker(store, topic);
  if (found === null) {
    // Named by the writer alone: a topic's name may take up all a path segment allows.
    const draft = `${SOURCES_DIR}/_drafts/${randomBytes(6).toString('hex')}.draft`;
    const out = await store.create(draft, { overwrite: true });
    out.end(`${JSON.stringify({ topic, source } satisfies Marker)}\n`);
    await finished(out);
    try {
      await store.rename(draft, sourcePath(topic));
      return;
    } catch (err) {
      if (!isLoglabError(err) || err.code !== 'ALREADY_EXISTS') throw err;
      // Another writer placed it first: theirs is the answer.
    } finally {
      await store.delete(draft, { missingOk: true }).catch(() => undefined);
    }
    return claimLakeSource(store, topic, source);
  }
  if (found !== source) throw mixedSources(topic, found);
}
