/**
 * How much a lake directory holds: bytes and files per hour partition (`date=…/hour=…`) and
 * per Kafka partition (read back from raw file names), as `loglab lake du` shows them.
 *
 * What we decided:
 * - Hidden names (`_tmp`, `_SUCCESS`, `.crc`) are skipped at every level, as Hadoop's input
 *   formats skip them: the totals are what a MapReduce job over the directory would read, so a
 *   half-written file under `_tmp/` never counts.
 * - A file's hour partition is the `key=value` segments of its path; a file outside any
 *   partition directory (a dead letter) is counted under its own directory instead.
 * - A file whose name is not a raw file name counts in its hour partition but in no Kafka
 *   partition: the two tables may then differ, and `unnamed` says by how much.
 */
import { isHiddenName, isRawFile, parseRawFileName } from './lake-layout';
import type { Store, StoreEntry } from './store';

export interface UsageRow {
  /** `date=2026-12-05/hour=23`, or `weblogs.raw+0`. */
  readonly key: string;
  readonly files: number;
  readonly bytes: number;
}

export interface LakeUsage {
  /** Sorted by key. */
  readonly partitions: readonly UsageRow[];
  /** Sorted by topic, then partition number. */
  readonly kafkaPartitions: readonly UsageRow[];
  /** Files whose names are not raw file names. */
  readonly unnamed: { readonly files: number; readonly bytes: number };
  readonly total: { readonly files: number; readonly bytes: number };
}

/** Every visible file at or under `path` (the file itself when it is one). */
async function* visibleFiles(store: Store, path: string): AsyncGenerator<StoreEntry> {
  for (const entry of await store.list(path)) {
    if (entry.path === path && entry.type === 'file') {
      yield entry;
      continue;
    }
    if (isHiddenName(entry.name)) continue;
    if (entry.type === 'file') yield entry;
    else yield* visibleFiles(store, entry.path);
  }
}

function partitionOf(path: string): string {
  const dirs = path.split('/').slice(1, -1);
  const keyed = dirs.filter((s) => s.includes('='));
  return keyed.length > 0 ? keyed.join('/') : `/${dirs.join('/')}`;
}

function add(rows: Map<string, { files: number; bytes: number }>, key: string, size: number) {
  const row = rows.get(key) ?? { files: 0, bytes: 0 };
  row.files += 1;
  row.bytes += size;
  rows.set(key, row);
}

export async function lakeUsage(store: Store, path: string): Promise<LakeUsage> {
  const partitions = new Map<string, { files: number; bytes: number }>();
  const kafka = new Map<string, { files: number; bytes: number }>();
  const order = new Map<string, [string, number]>();
  const unnamed = { files: 0, bytes: 0 };
  const total = { files: 0, bytes: 0 };
  for await (const file of visibleFiles(store, path)) {
    total.files += 1;
    total.bytes += file.size;
    add(partitions, partitionOf(file.path), file.size);
    const parsed = parseRawFileName(file.name);
    if (isRawFile(parsed)) {
      const key = `${parsed.file.topic}+${parsed.file.partition}`;
      order.set(key, [parsed.file.topic, parsed.file.partition]);
      add(kafka, key, file.size);
    } else {
      unnamed.files += 1;
      unnamed.bytes += file.size;
    }
  }
  const rows = (m: Map<string, { files: number; bytes: number }>) =>
    [...m].map(([key, r]) => ({ key, files: r.files, bytes: r.bytes }));
  const byKafka = (a: UsageRow, b: UsageRow) => {
    const [ta, pa] = order.get(a.key) as [string, number];
    const [tb, pb] = order.get(b.key) as [string, number];
    return ta < tb ? -1 : ta > tb ? 1 : pa - pb;
  };
  return {
    partitions: rows(partitions).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    kafkaPartitions: rows(kafka).sort(byKafka),
    unnamed,
    total,
  };
}
