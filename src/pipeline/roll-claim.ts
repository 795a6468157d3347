/**
 * Several archivers in one group: how a roll is published so that no line lands in the lake
 * twice even while a partition moves from one member to another (lake-recovery.ts has the
 * single-writer story this extends; run-archiver.ts the member's side).
 *
 * The danger. A partition's new owner starts from the group's committed offset, which may be a
 * roll behind the lake, and its old owner may not have heard yet that it lost the partition:
 * on Kafka the group hands the partition over before the old member's `onAssignment` runs, and
 * that member may be in the middle of a roll. Two writers then hold files for the same offsets.
 *
 * The guard: the roll of partition p whose first offset is F is published only by whoever
 * creates its claim `_tmp/<topic>+<p>+<F>.roll`, and only if the lake does not hold offset F yet.
 * 1. The claim is the roll's manifest (its renames), written under a name of the writer's own,
 *    then renamed to the claim's name. A Store's rename is atomic and never replaces (store.ts):
 *    of two writers claiming F, exactly one succeeds, and a claim is never seen half-written.
 * 2. Holding the claim, the writer looks for a file of p in the directory where offset F's line
 *    goes (its hour, or the dead letters) that ends at or after F. The line at offset F is the
 *    same record for every writer, so whoever stored F put it in that same directory: one
 *    listing answers. If F is there, the roll is stale: its files and claim are deleted, nothing
 *    is renamed, nothing committed. A file there under one of the roll's own names is another
 *    writer's roll of the very same offsets, unless the roll's source of it is gone from
 *    `_tmp/` (renamed by whoever rolled the claim forward); so before claiming, the writer makes
 *    sure its sources are all there (a member that stored offsets above them sweeps them).
 * 3. Otherwise the files are renamed into place (a rename that finds its target already there,
 *    done by someone rolling the claim forward, counts as done), then the claim is deleted.
 * A new owner, before it writes a partition (`recoverPartitions`), rolls forward every claim of
 * it that is not stale by the same test, reads the next offset from the file names, and lists
 * the claims again until none is left: so an old owner caught mid-roll is finished, not
 * repeated. Whatever the old owner claims afterwards starts at an offset that is either already
 * in the lake (stale by step 2) or equal to the new owner's, and then only one claim wins.
 *
 * What we guarantee: every offset of a partition is in at most one published file, whatever
 * the members do and however late they hear of a rebalance; and a partition a member stops
 * writing (revoked, stale roll, crash) is read again from the committed offset, which is never
 * ahead of the lake, so nothing is lost. A writer whose roll was stale after it read further
 * than the lake holds must read those records again (run-archiver.ts rejoins the group).
 * What we assume: the Store's rename and listing are consistent (HDFS's NameNode and a local
 * disk are), and a partition's records are the same for every reader (Kafka's log is).
 *
 * Files under `_tmp/` whose first offset is below the partition's next offset in the lake can
 * never be published (step 2), so they are deleted after a recovery and after each roll; a
 * writer's open files above it are left alone, whoever they belong to.
 */
import { finished } from 'node:stream/promises';
import { isLoglabError, LoglabError } from '../errors';
import {
  isRawFile,
  parentOf,
  parseRawFileName,
  parseTmpName,
  TMP_DIR,
} from '../storage/lake-layout';
import { isDirectory, isFile, type Store } from '../storage/store';
import { notFound } from '../storage/store-errors';
import type { Roll } from './archive-roller';
import {
  lakeNextOffsets,
  type Manifest,
  manifestPath,
  manifestText,
  type NextOffsets,
  parseManifest,
  readText,
} from './lake-recovery';

export type PublishOutcome = 'published' | 'stale';

/** A directory's entries; none when it is not there (another writer may just have removed it). */
async function entries(store: Store, dir: string) {
  if (!isDirectory(await store.stat(dir))) return [];
  try {
    return await store.list(dir);
  } catch (err) {
    if (isLoglabError(err) && err.code === 'NOT_FOUND') return [];
    throw err;
  }
}

/**
 * Whether a file of `partition` in `dir` holds offset `first` or later, other than a file this
 * roll (`renames`) has already put in place. A final name says only which offsets a file holds:
 * another writer that rolled the very same offsets stored a file of the very same name, so a
 * name of the roll's own found in place is the roll's only when its source under `_tmp/` is
 * gone (renamed by whoever rolled the claim forward). Taking the other writer's file for ours
 * would publish the roll a second time: the same lines for a file of the same name (counted
 * twice), other lines of it in files of other names (stored twice).
 */
async function holdsFrom(
  store: Store,
  dir: string,
  topic: string,
  partition: number,
  first: number,
  renames: Manifest['renames'],
): Promise<boolean> {
  const sources = new Map(renames.map(([from, to]) => [to, from]));
  for (const e of await entries(store, dir)) {
    if (e.type !== 'file') continue;
    const parsed = parseRawFileName(e.name);
    if (!isRawFile(parsed)) continue;
    const f = parsed.file;
    if (f.topic !== topic || f.partition !== partition || f.lastOffset < first) continue;
    const from = sources.get(e.path);
    if (from === undefined || isFile(await store.stat(from))) return true;
  }
  return false;
}

/** Renames a roll's file into place; done already (by whoever rolled the claim forward) is fine. */
async function renameOnce(store: Store, from: string, to: string): Promise<void> {
  try {
    await store.rename(from, to);
  } catch (err) {
    if (!isLoglabError(err)) throw err;
    if (err.code === 'NOT_FOUND' && isFile(await store.stat(to))) return;
    // The same name means the same offsets of the same partition: the same lines.
    if (err.code === 'ALREADY_EXISTS' && isFile(await store.stat(to))) {
      await store.delete(from, { missingOk: true });
      return;
    }
    throw err;
  }
}

/** First offset and directory of the file that holds a roll's first line. */
function firstOf(renames: Manifest['renames'], first: number): { dir: string; first: number } {
  return { dir: parentOf(renames[0][1]) as string, first };
}

/** The private name a roll's manifest is written under before it is renamed to the claim. */
export function draftPath(topic: string, roll: Roll, writer: string): string {
  return `${TMP_DIR}/${topic}+${roll.partition}+${roll.files[0].file.firstOffset}.${writer}.draft`;
}

/**
 * Writes a roll's manifest under its private draft name (step 1 before the rename). It claims
 * nothing, so it may start as soon as the roll's names are known, beside the ending of its
 * files: on HDFS closing even a small file can wait for the DataNode's block report (DFSClient's
 * complete retries, 400 ms at first), and the draft then waits beside the files, not after them.
 */
export async function writeDraft(
  store: Store,
  topic: string,
  roll: Roll,
  writer: string,
): Promise<void> {
  const renames = roll.files.map((f) => [f.tmpPath, f.finalPath] as const);
  const out = await store.create(draftPath(topic, roll, writer), { overwrite: true });
  out.end(manifestText({ renames }));
  await finished(out);
}

/**
 * Publishes a roll whose files have been written and ended, under the claim protocol above.
 * `writer` names the claim's private draft; `drafted` is its write when the caller started it
 * already (`writeDraft`), else it is written here. 'stale': someone else stored its first
 * offset; its files are deleted and nothing was renamed.
 */
export async function publishClaimed(
  store: Store,
  topic: string,
  roll: Roll,
  writer: string,
  drafted?: Promise<void>,
): Promise<PublishOutcome> {
  const first = roll.files[0].file.firstOffset;
  const claim = manifestPath(topic, roll.partition, first);
  const draft = draftPath(topic, roll, writer);
  const renames = roll.files.map((f) => [f.tmpPath, f.finalPath] as const);
  const abandon = async () => {
    for (const f of roll.files) await store.delete(f.tmpPath, { missingOk: true });
  };
  // A source already gone was swept by a member that stored offsets above it (deleteBelow),
  // or the roll cannot be published at all. Told apart here, before the claim, because after
  // it a source gone means a file of ours renamed by whoever rolled the claim forward.
  const under = new Set((await entries(store, TMP_DIR)).map((e) => e.path));
  const gone = renames.find(([from]) => !under.has(from));
  if (gone !== undefined) {
    // A draft already under way is settled and removed: it never became a claim.
    if (drafted !== undefined) {
      await drafted.catch(() => undefined);
      await store.delete(draft, { missingOk: true });
    }
    if (!(await storedBefore(store, topic, roll))) throw notFound(gone[0]);
    await abandon();
    return 'stale';
  }
  try {
    await (drafted ?? writeDraft(store, topic, roll, writer));
    await store.rename(draft, claim);
  } catch (err) {
    if (!isLoglabError(err)) throw err;
    // The draft deleted under us: a member recovering the partition sweeps `_tmp/` below what
    // the lake holds (deleteBelow), so the roll is stale when the lake holds its first offset.
    const swept = err.code === 'NOT_FOUND' && (await storedBefore(store, topic, roll));
    if (err.code !== 'ALREADY_EXISTS' && !swept) throw err;
    await store.delete(draft, { missingOk: true });
    await abandon();
    return 'stale';
  }
  const at = firstOf(renames, first);
  if (await holdsFrom(store, at.dir, topic, roll.partition, at.first, renames)) {
    await store.delete(claim, { missingOk: true });
    await abandon();
    return 'stale';
  }
  for (const [from, to] of renames) await renameOnce(store, from, to);
  await store.delete(claim, { missingOk: true });
  return 'published';
}

/**
 * Whether the lake holds a roll's first offset already, by the test of step 2 without a claim:
 * a writer whose `_tmp/` file vanished asks it to tell a file deleted by a member recovering the
 * partition (only ever below what the lake holds: stale) from one lost otherwise (a failure).
 */
export async function storedBefore(store: Store, topic: string, roll: Roll): Promise<boolean> {
  const renames = roll.files.map((f) => [f.tmpPath, f.finalPath] as const);
  const at = firstOf(renames, roll.files[0].file.firstOffset);
  // Never claimed: nothing in place can be this roll's.
  return holdsFrom(store, at.dir, topic, roll.partition, at.first, []);
}

/** Deletes `_tmp/` entries of these partitions that start below their next offset (never publishable). */
export async function deleteBelow(
  store: Store,
  topic: string,
  next: ReadonlyMap<number, number>,
): Promise<number> {
  let deleted = 0;
  for (const e of await entries(store, TMP_DIR)) {
    // Claims are settled by recovery, which tests them first.
    if (e.name.endsWith('.roll')) continue;
    const t = parseTmpName(e.name, topic);
    if (t === null) continue;
    const n = next.get(t.partition);
    if (n === undefined || t.firstOffset >= n) continue;
    if ((await store.delete(e.path, { recursive: true, missingOk: true })) === 'deleted') deleted++;
  }
  return deleted;
}

export interface PartitionRecovery {
  /** Per partition asked for, the first offset not yet in the lake (0 for none stored). */
  readonly next: ReadonlyMap<number, number>;
  /** Partitions with files in the lake (a later first record is then a gap). */
  readonly stored: ReadonlySet<number>;
  /** Claims found and published now. */
  readonly rolledForward: number;
  /** Stale claims and `_tmp/` files deleted. */
  readonly discarded: number;
}

/** Claims of these partitions under `_tmp/`, by path. */
async function claimsOf(
  store: Store,
  topic: string,
  partitions: ReadonlySet<number>,
): Promise<{ path: string; partition: number; first: number }[]> {
  const out: { path: string; partition: number; first: number }[] = [];
  for (const e of await entries(store, TMP_DIR)) {
    if (!e.name.endsWith('.roll')) continue;
    const t = parseTmpName(e.name, topic);
    if (t !== null && partitions.has(t.partition)) {
      out.push({ path: e.path, partition: t.partition, first: t.firstOffset });
    }
  }
  return out;
}

/** How often recovery lists the claims again before it gives up on a writer that keeps claiming. */
const MAX_CLAIM_ROUNDS = 100;

/**
 * What a member does with partitions it was just given, before it writes any of their records:
 * finish (or drop, when stale) every claim of them, read their next offsets from the lake
 * (through `nextOffsets`, which lab 04 replaces), and start again while new claims appear (an
 * old owner finishing a roll).
 */
export async function recoverPartitions(
  store: Store,
  topic: string,
  partitions: readonly number[],
  nextOffsets: NextOffsets = lakeNextOffsets,
): Promise<PartitionRecovery> {
  const wanted = new Set(partitions);
  let rolledForward = 0;
  let discarded = 0;
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    for (const c of await claimsOf(store, topic, wanted)) {
      // Gone between the listing and here (its writer finished): opening or reading says so.
      const text = await store
        .open(c.path)
        .then(readText)
        .catch((err: unknown) => {
          if (isLoglabError(err) && err.code === 'NOT_FOUND') return null;
          throw err;
        });
      if (text === null) continue;
      const manifest = parseManifest(text);
      if (manifest === null || manifest.renames.length === 0) {
        // Cut short: written by an archiver that wrote manifests in place; its renames never began.
        await store.delete(c.path, { missingOk: true });
        discarded++;
        continue;
      }
      const at = firstOf(manifest.renames, c.first);
      if (await holdsFrom(store, at.dir, topic, c.partition, at.first, manifest.renames)) {
        // Stale: its writer found (or will find) the same and renames nothing.
        for (const [from] of manifest.renames) await store.delete(from, { missingOk: true });
        await store.delete(c.path, { missingOk: true });
        discarded++;
        continue;
      }
      for (const [from, to] of manifest.renames) {
        if (isFile(await store.stat(from))) await renameOnce(store, from, to);
      }
      await store.delete(c.path, { missingOk: true });
      rolledForward++;
    }
    const found = await nextOffsets(store, topic);
    if ((await claimsOf(store, topic, wanted)).length > 0) continue;
    const next = new Map<number, number>();
    const stored = new Set<number>();
    for (const p of wanted) {
      const n = found.get(p);
      next.set(p, n ?? 0);
      if (n !== undefined) stored.add(p);
    }
    discarded += await deleteBelow(store, topic, next);
    return { next, stored, rolledForward, discarded };
  }
  throw new LoglabError(
    'IO',
    `recovery of ${topic}: claims of its partitions kept appearing for ${MAX_CLAIM_ROUNDS} rounds`,
  );
}
