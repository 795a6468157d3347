/**
 * Small views of a topic and of consumed records, for tables, charts and checks: messages and
 * lag per partition, the offset ranges a consumer read, and which records came twice.
 */
import type { ConsumedRecord, GroupLag, RecordBatch, TopicDescription } from './broker';

// Types, not interfaces, so that rows pass as table rows (`viz.showTable`) as they are.
export type PartitionRow = {
  readonly partition: number;
  /** Messages stored now: end − start offset. */
  readonly messages: number;
  /** The group's committed offset; null without a group or when it never committed here. */
  readonly committed: number | null;
  /** What the group still has to read; every stored message without a group. */
  readonly lag: number;
};

/** One row per partition of `topic`, with the group's committed offsets and lag when given. */
export function partitionRows(topic: TopicDescription, lag?: GroupLag): PartitionRow[] {
  const byPartition = new Map<number, { committed: number | null; lag: number }>();
  if (lag) {
    for (const p of lag.partitions) {
      if (p.topic === topic.name) byPartition.set(p.partition, p);
    }
  }
  return topic.partitions.map((p) => {
    const g = byPartition.get(p.partition);
    return {
      partition: p.partition,
      messages: p.end - p.start,
      committed: g ? g.committed : null,
      lag: g ? g.lag : p.end - p.start,
    };
  });
}

/** The records of a poll's batches, partition by partition, each in offset order. */
export function recordsOf<V>(batches: readonly RecordBatch<V>[]): ConsumedRecord<V>[] {
  const out: ConsumedRecord<V>[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.records.length; i++) out.push(b.records[i]);
  }
  return out;
}

export type OffsetRange = {
  readonly topic: string;
  readonly partition: number;
  /** Lowest and highest offset read. */
  readonly first: number;
  readonly last: number;
  readonly count: number;
};

/** Per topic and partition, the lowest and highest offset among `records`, sorted. */
export function offsetRanges(records: readonly ConsumedRecord<unknown>[]): OffsetRange[] {
  const ranges = new Map<
    string,
    { topic: string; partition: number; first: number; last: number; count: number }
  >();
  for (const r of records) {
    const key = `${r.topic}\u0000${r.partition}`;
    const range = ranges.get(key);
    if (range === undefined) {
      ranges.set(key, {
        topic: r.topic,
        partition: r.partition,
        first: r.offset,
        last: r.offset,
        count: 1,
      });
    } else {
      if (r.offset < range.first) range.first = r.offset;
      if (r.offset > range.last) range.last = r.offset;
      range.count++;
    }
  }
  return [...ranges.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
}

/**
 * The records of `later` that were already among `earlier` (same topic, partition and offset):
 * what a restarted consumer was given again. In the order of `later`.
 */
export function redelivered<V>(
  earlier: readonly ConsumedRecord<unknown>[],
  later: readonly ConsumedRecord<V>[],
): ConsumedRecord<V>[] {
  const seen = new Set<string>();
  for (const r of earlier) seen.add(`${r.topic}\u0000${r.partition}\u0000${r.offset}`);
  return later.filter((r) => seen.has(`${r.topic}\u0000${r.partition}\u0000${r.offset}`));
}

export interface KeySpread {
  readonly records: number;
  /** Distinct keys among the records (null keys not counted). */
  readonly keys: number;
  /** Keys whose records all sit in one partition: all of them, when the producer keyed them. */
  readonly inOnePartition: number;
}

/** How many keys kept to a single partition: the promise that keeps one client's requests in order. */
export function keySpread(records: readonly ConsumedRecord<unknown>[]): KeySpread {
  const partitionOf = new Map<string, number>();
  const split = new Set<string>();
  for (const r of records) {
    if (r.key === null) continue;
    const p = partitionOf.get(r.key);
    if (p === undefined) partitionOf.set(r.key, r.partition);
    else if (p !== r.partition) split.add(r.key);
  }
  return {
    records: records.length,
    keys: partitionOf.size,
    inOnePartition: partitionOf.size - split.size,
  };
}

/**
 * Messages per partition among `records` (all partitions from 0 to `partitions` − 1, zero where
 * none), as rows for `viz.partitionChart`: a slice of a topic, such as the minutes of a flood.
 */
export function partitionCounts(
  records: readonly ConsumedRecord<unknown>[],
  partitions: number,
): PartitionRow[] {
  const counts = new Array<number>(partitions).fill(0);
  for (const r of records) if (r.partition < partitions) counts[r.partition]++;
  return counts.map((messages, partition) => ({
    partition,
    messages,
    committed: null,
    lag: messages,
  }));
}
