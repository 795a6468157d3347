/**
 * Records a member is given again and already has. Kafka hands a partition out from the
 * group's committed offset after every rejoin (kafkajs rebalances eagerly: a partition the
 * member keeps is read again from there too), and a consumer loop that commits only what its
 * handlers are done with (committer.ts) leaves the commit behind what they were given. Records
 * below a partition's position are skipped, so none reaches a handler twice.
 */
import type { RecordBatch } from './broker';

/**
 * The records of `batches` from each partition's `position` on (null: all of them; a batch of
 * one partition is in offset order), and how many were left out.
 */
export function unseen<V>(
  batches: readonly RecordBatch<V>[],
  position: (partition: number) => number | null,
): { batches: RecordBatch<V>[]; skipped: number } {
  const out: RecordBatch<V>[] = [];
  let skipped = 0;
  for (const b of batches) {
    const from = position(b.partition);
    if (from === null || b.records.length === 0 || b.records[0].offset >= from) {
      out.push(b);
      continue;
    }
    const records = b.records.filter((r) => r.offset >= from);
    skipped += b.records.length - records.length;
    if (records.length > 0) out.push({ ...b, records });
  }
  return { batches: out, skipped };
}
