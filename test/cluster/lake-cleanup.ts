/**
 * Deletes what a cluster test put in the shared HDFS lake: every file named by its topic (the
 * raw and dead-letter files, its leftovers under `_tmp/`, the marker of who numbers it), nothing
 * of anyone else's.
 */
import { sourcePath } from '../../src/pipeline/lake-source';
import { DEADLETTER_ROOT, RAW_ROOT, TMP_DIR } from '../../src/storage/lake-layout';
import { isDirectory, type Store } from '../../src/storage/store';

async function deleteUnder(store: Store, dir: string, topic: string): Promise<number> {
  if (!isDirectory(await store.stat(dir))) return 0;
  let deleted = 0;
  for (const e of await store.list(dir)) {
    if (e.type === 'directory') deleted += await deleteUnder(store, e.path, topic);
    else if (e.name.startsWith(`${topic}+`)) {
      await store.delete(e.path, { missingOk: true });
      deleted++;
    }
  }
  return deleted;
}

/** Files of `topic` deleted from the lake (its source marker too, not counted). */
export async function deleteTopicFiles(store: Store, topic: string): Promise<number> {
  await store.delete(sourcePath(topic), { missingOk: true });
  let deleted = await deleteUnder(store, RAW_ROOT, topic);
  deleted += await deleteUnder(store, DEADLETTER_ROOT, topic);
  return deleted + (await deleteUnder(store, TMP_DIR, topic));
}
