/**
 * Looking into a broker from a notebook or a test: read what a topic holds as a group, and wait
 * until the members of a group agree on who owns which partition.
 */
import { LoglabError } from '../errors';
import type { Broker, ConsumedRecord, Consumer, TopicPartition } from './broker';

export interface ReadTopicOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Stop after this many records; by default what the group has not read yet (its lag). */
  readonly count?: number;
  /** Where a group without offsets starts (true: the oldest record). */
  readonly fromBeginning?: boolean;
  /** Give up after this long without a record (10 s). */
  readonly idleMs?: number;
}

/**
 * Joins `groupId`, reads `count` records of `topic`, committing after every poll, and leaves.
 * On a cluster the first records take a moment (joining, the first fetch), hence the patience.
 */
export async function readTopic(
  broker: Broker,
  options: ReadTopicOptions,
): Promise<ConsumedRecord[]> {
  const count = options.count ?? (await broker.groupLag(options.groupId, [options.topic])).total;
  const idleMs = options.idleMs ?? 10_000;
  const consumer = await broker.subscribe({
    groupId: options.groupId,
    topics: [options.topic],
    fromBeginning: options.fromBeginning ?? true,
  });
  const out: ConsumedRecord[] = [];
  let lastRecordAt = Date.now();
  try {
    while (out.length < count) {
      const r = await consumer.poll({ maxRecords: count - out.length, maxWaitMs: 500 });
      if (r.kind === 'stopped') break;
      if (r.kind === 'idle') {
        if (Date.now() - lastRecordAt > idleMs) break;
        continue;
      }
      for (const b of r.batches) for (const rec of b.records) out.push(rec);
      await consumer.commit();
      lastRecordAt = Date.now();
    }
  } finally {
    await consumer.close();
  }
  if (out.length < count) {
    throw new LoglabError(
      'INTERNAL',
      `read ${out.length} of ${count} records of "${options.topic}" before it went quiet`,
      { context: { topic: options.topic } },
    );
  }
  return out;
}

/**
 * Waits until no partition is owned by two members at once, and returns each member's
 * partitions. After a member joins, the others learn of the new assignment on their next
 * heartbeat (a real group) or at once (the embedded broker).
 */
export async function settleAssignments(
  members: readonly Consumer<unknown>[],
  timeoutMs = 15_000,
): Promise<TopicPartition[][]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owned = members.map((m) => [...m.assignment()]);
    const keys = owned.flat().map((tp) => `${tp.topic}\u0000${tp.partition}`);
    if (new Set(keys).size === keys.length) return owned;
    if (Date.now() > deadline) {
      throw new LoglabError('INTERNAL', `the group's members did not settle in ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
