/**
 * Lab 02: where a keyed message goes, and a consumer that loses nothing when it crashes.
 * Read README.md first; it has the rules and hints.
 *
 * Fill in the three functions marked TODO. Run `npm run lab -- 02` to grade this file.
 * Keep the exported names and signatures: the tests import them.
 */
import type { ConsumedRecord, Consumer } from '../../src/stream/broker';

/**
 * TODO 1: Java's `Utils.murmur2(byte[] data)` from Apache Kafka, the hash its default
 * partitioner uses. Return the same signed 32-bit integer Java returns.
 *   seed 0x9747b28c, m 0x5bd1e995, r 24; h = seed ^ length
 *   every 4 bytes (little-endian) k: k *= m; k ^= k >>> r; k *= m; h *= m; h ^= k
 *   the last 1–3 bytes: see the README; then h ^= h >>> 13; h *= m; h ^= h >>> 15
 */
export function murmur2(data: Uint8Array): number {
  throw new Error(`not implemented: murmur2 of ${data.length} bytes`);
}

/**
 * TODO 2: the partition Kafka's default partitioner picks for a non-null key: murmur2 of the
 * key's UTF-8 bytes, made non-negative the way Kafka does (not with Math.abs), modulo the
 * number of partitions.
 */
export function partitionFor(key: string, partitions: number): number {
  throw new Error(`not implemented: partitionFor(${JSON.stringify(key)}, ${partitions})`);
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

/**
 * TODO 3: the at-least-once loop. Poll (pollRecords, maxWaitMs, signal); hand every record of
 * the poll to `process`, in order, awaiting each; then commit, once per poll. If `process`
 * throws, do not commit: let the error out. Stop at the first `idle` poll, when a poll says
 * `stopped` (its reason), or before the next poll once the signal is aborted.
 */
export async function consumeAtLeastOnce(
  consumer: Consumer,
  process: (record: ConsumedRecord) => void | Promise<void>,
  options: ConsumeOptions = {},
): Promise<ConsumeSummary> {
  void process;
  void options;
  throw new Error(`not implemented: consumeAtLeastOnce (group ${consumer.groupId})`);
}
