/**
 * Checks an archive against what was produced, and sums it per hour partition: the counts a
 * notebook shows after a crash and a restart, and that the lab's tests grade.
 *
 * "Exactly once" is checked per Kafka partition as multisets: a line the topic holds n times
 * must be in the lake n times. Fewer is `lost`, more is `repeated` (a line the topic never had
 * counts as repeated too). Order inside a file is the offset order by construction; across the
 * files of one roll the offsets interleave, so order is not what this checks.
 */
import type { Store } from '../storage/store';
import { fileLines, tmpFiles, topicFiles } from './lake-files';

/** A type, not an interface, so that it is a table row (viz.showTable). */
export type PartitionAudit = {
  readonly partition: number;
  readonly produced: number;
  readonly stored: number;
  readonly lost: number;
  readonly repeated: number;
};

export interface ArchiveAudit {
  readonly produced: number;
  readonly stored: number;
  readonly lost: number;
  readonly repeated: number;
  /** Files of the topic still under `_tmp/` (none once an archiver has stopped cleanly). */
  readonly tmpFiles: number;
  readonly partitions: readonly PartitionAudit[];
}

/** One hour partition of the archive (dead letters as `deadletter`). */
export type HourPartitionRow = {
  readonly hour: string;
  readonly files: number;
  readonly bytes: number;
  readonly lines: number;
};

/**
 * Compares the lake's files of `topic` with `produced`: per partition, the lines the topic holds
 * in offset order (index = partition).
 */
export async function auditArchive(
  store: Store,
  topic: string,
  produced: readonly (readonly string[])[],
): Promise<ArchiveAudit> {
  const stored = new Map<number, Map<string, number>>();
  for (const f of await topicFiles(store, topic)) {
    let counts = stored.get(f.partition);
    if (counts === undefined) {
      counts = new Map();
      stored.set(f.partition, counts);
    }
    for (const line of await fileLines(store, f)) counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  const partitions: PartitionAudit[] = [];
  const count = Math.max(produced.length, ...[...stored.keys()].map((p) => p + 1));
  for (let p = 0; p < count; p++) {
    const want = new Map<string, number>();
    for (const line of produced[p] ?? []) want.set(line, (want.get(line) ?? 0) + 1);
    const have = stored.get(p) ?? new Map<string, number>();
    let lost = 0;
    let repeated = 0;
    let storedLines = 0;
    for (const [line, n] of want) lost += Math.max(0, n - (have.get(line) ?? 0));
    for (const [line, n] of have) {
      storedLines += n;
      repeated += Math.max(0, n - (want.get(line) ?? 0));
    }
    partitions.push({
      partition: p,
      produced: produced[p]?.length ?? 0,
      stored: storedLines,
      lost,
      repeated,
    });
  }
  const sum = (key: 'produced' | 'stored' | 'lost' | 'repeated') =>
    partitions.reduce((a, r) => a + r[key], 0);
  return {
    produced: sum('produced'),
    stored: sum('stored'),
    lost: sum('lost'),
    repeated: sum('repeated'),
    tmpFiles: (await tmpFiles(store, topic)).length,
    partitions,
  };
}

/** Files, bytes and lines of `topic` per hour partition, in time order, dead letters last. */
export async function hourPartitionRows(store: Store, topic: string): Promise<HourPartitionRow[]> {
  const rows = new Map<string, { files: number; bytes: number; lines: number }>();
  for (const f of await topicFiles(store, topic)) {
    const key = f.hour ?? 'deadletter';
    const row = rows.get(key) ?? { files: 0, bytes: 0, lines: 0 };
    row.files++;
    row.bytes += f.bytes;
    row.lines += (await fileLines(store, f)).length;
    rows.set(key, row);
  }
  return [...rows]
    .map(([hour, r]) => ({ hour, ...r }))
    .sort((a, b) =>
      a.hour === 'deadletter' ? 1 : b.hour === 'deadletter' ? -1 : a.hour < b.hour ? -1 : 1,
    );
}

/** Records read back from a topic, as each partition's values in offset order (for the audit). */
export function linesByPartition(
  records: readonly {
    readonly partition: number;
    readonly offset: number;
    readonly value: string;
  }[],
): string[][] {
  const out: { offset: number; value: string }[][] = [];
  for (const r of records) {
    while (out.length <= r.partition) out.push([]);
    out[r.partition].push({ offset: r.offset, value: r.value });
  }
  return out.map((p) => p.sort((a, b) => a.offset - b.offset).map((r) => r.value));
}

/** Per partition, where the group would resume (its committed offset) and where the lake says. */
export type ResumeRow = {
  readonly partition: number;
  /** The group's committed offset; null when it never committed. */
  readonly committed: number | null;
  /** The first offset the lake does not hold (0 for an empty partition). */
  readonly lake: number;
  /** lake − committed: lines stored but not committed, which a restart must not write again. */
  readonly ahead: number;
};

export function resumeRows(
  committed: readonly { readonly partition: number; readonly committed: number | null }[],
  lake: ReadonlyMap<number, number>,
): ResumeRow[] {
  return committed
    .map((c) => {
      const next = lake.get(c.partition) ?? 0;
      return {
        partition: c.partition,
        committed: c.committed,
        lake: next,
        ahead: next - (c.committed ?? 0),
      };
    })
    .sort((a, b) => a.partition - b.partition);
}
