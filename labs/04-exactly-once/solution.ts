/**
 * Lab 04, reference solution: where the archiver resumes, read from the lake's file names, and
 * the order that makes a roll visible before it is committed. See README.md for the task.
 */

import { finished } from 'node:stream/promises';
import type { Roll } from '../../src/pipeline/archive-roller';
import { manifestPath, manifestText } from '../../src/pipeline/lake-recovery';
import {
  DEADLETTER_ROOT,
  isRawFile,
  parseRawFileName,
  RAW_ROOT,
} from '../../src/storage/lake-layout';
import { isDirectory, type Store } from '../../src/storage/store';

/** Per partition, `max(lastOffset) + 1` over the topic's raw and dead-letter files. */
export async function nextOffsets(store: Store, topic: string): Promise<Map<number, number>> {
  const next = new Map<number, number>();
  const visit = async (dir: string): Promise<void> => {
    // A lake nobody has written to yet has no such directory: nothing stored, start at 0.
    if (!isDirectory(await store.stat(dir))) return;
    for (const entry of await store.list(dir)) {
      if (entry.type === 'directory') {
        // Files under _tmp/ were never published: they must not move the offsets.
        if (entry.name !== '_tmp') await visit(entry.path);
        continue;
      }
      const parsed = parseRawFileName(entry.name);
      if (!isRawFile(parsed) || parsed.file.topic !== topic) continue;
      const { partition, lastOffset } = parsed.file;
      if (lastOffset + 1 > (next.get(partition) ?? 0)) next.set(partition, lastOffset + 1);
    }
  };
  await visit(RAW_ROOT);
  await visit(DEADLETTER_ROOT);
  return next;
}

/** Manifest (several files only), every rename, manifest deleted, and only then the commit. */
export async function publishRoll(
  store: Store,
  topic: string,
  roll: Roll,
  commit: () => Promise<void>,
): Promise<void> {
  const first = roll.files[0].file.firstOffset;
  const manifest = roll.files.length > 1 ? manifestPath(topic, roll.partition, first) : null;
  if (manifest !== null) {
    const out = await store.create(manifest, { overwrite: true });
    out.end(manifestText({ renames: roll.files.map((f) => [f.tmpPath, f.finalPath] as const) }));
    await finished(out);
  }
  for (const f of roll.files) await store.rename(f.tmpPath, f.finalPath);
  if (manifest !== null) await store.delete(manifest);
  await commit();
}
