/**
 * Lab 02, reference solution: where a keyed message goes, and a consumer that commits only what
 * it has processed. See README.md for the task.
 */
import type { ConsumedRecord, Consumer } from '../../src/stream/broker';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Java's `org.apache.kafka.common.utils.Utils.murmur2`: a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    // Four bytes, little-endian, as one 32-bit integer.
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    // Math.imul multiplies like Java's int: the low 32 bits, no floating-point rounding.
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= data[length4 + 2] << 16;
  if (tail >= 2) h ^= data[length4 + 1] << 8;
  if (tail >= 1) h = Math.imul(h ^ data[length4], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's default partitioner for a non-null key: murmur2 of its UTF-8 bytes, sign bit dropped. */
export function partitionFor(key: string, partitions: number): number {
  return (murmur2(new TextEncoder().encode(key)) & 0x7fffffff) % partitions;
}

export interface ConsumeOptions {
  /** Records per poll (100). */
  pollRecords?: number;
  /** How long a poll waits for records before it reports `idle` (100 ms). */
  maxWaitMs?: number;
  /** Aborted: finish and commit the batch in hand, then return. */
  signal?: AbortSignal;
}

export interface ConsumeSummary {
  /** Records `process` returned for. */
  processed: number;
  /** Commits made (one per poll that returned records). */
  commits: number;
  stoppedBy: 'idle' | 'aborted' | 'closed';
}

export async function consumeAtLeastOnce(
  consumer: Consumer,
  process: (record: ConsumedRecord) => void | Promise<void>,
  options: ConsumeOptions = {},
): Promise<ConsumeSummary> {
  let processed = 0;
  let commits = 0;
  for (;;) {
    if (options.signal?.aborted) return { processed, commits, stoppedBy: 'aborted' };
    const result = await consumer.poll({
      maxRecords: options.pollRecords ?? 100,
      maxWaitMs: options.maxWaitMs ?? 100,
      signal: options.signal,
    });
    if (result.kind === 'idle') return { processed, commits, stoppedBy: 'idle' };
    if (result.kind === 'stopped') return { processed, commits, stoppedBy: result.reason };
    // A throw here leaves the whole poll uncommitted: it will be delivered again.
    for (const batch of result.batches) {
      for (const record of batch.records) {
        await process(record);
        processed++;
      }
    }
    await consumer.commit();
    commits++;
  }
}
