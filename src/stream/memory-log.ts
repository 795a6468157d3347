/**
 * One partition of the embedded broker: an append-only log stored by column (keys, values,
 * timestamps, headers), where array index + `base` is the Kafka offset. No object per message
 * survives a produce call, which keeps the garbage collector from copying millions of
 * long-lived records around; record objects are made only when a consumer reads.
 */
import type { ConsumedRecord, MessageHeaders, ValueAs } from './broker';

export type Value = string | Buffer;

/** Per-record bookkeeping counted against retention, as Kafka's record overhead. */
export const RECORD_OVERHEAD = 64;

export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  keys: (string | null)[];
  values: Value[];
  timestamps: number[];
  /** Created when the first message with headers arrives; aligned with `values`. */
  headers: (MessageHeaders | undefined)[] | null;
  /** Offset of values[0]. */
  base: number;
  /** Bytes counted against retention. */
  bytes: number;
  /** How many values were stored as strings and as Buffers, so reads convert only if needed. */
  strings: number;
  buffers: number;
}

export function createLog(topic: string, partition: number): PartitionLog {
  return {
    topic,
    partition,
    keys: [],
    values: [],
    timestamps: [],
    headers: null,
    base: 0,
    bytes: 0,
    strings: 0,
    buffers: 0,
  };
}

/** The offset the next message will get. */
export function endOffset(log: PartitionLog): number {
  return log.base + log.values.length;
}

/** Bytes of a value; for a string, its length unless UTF-8 could exceed `limit`. */
export function valueBytes(value: Value, limit: number): number {
  if (typeof value !== 'string') return value.byteLength;
  // UTF-8 needs at most 3 bytes per UTF-16 unit: measure exactly only when that could matter.
  return value.length * 3 > limit ? Buffer.byteLength(value, 'utf8') : value.length;
}

/** Records [from, to) of a log (array indexes), values converted only where asked. */
export function readLog(
  log: PartitionLog,
  from: number,
  to: number,
  as: ValueAs,
): ConsumedRecord<Value>[] {
  const out: ConsumedRecord<Value>[] = new Array(to - from);
  const { topic, partition, keys, values, timestamps, headers } = log;
  const convert = as === 'string' ? log.buffers > 0 : log.strings > 0;
  for (let i = from; i < to; i++) {
    let value = values[i];
    if (convert) {
      if (as === 'string' && typeof value !== 'string') value = value.toString('utf8');
      else if (as === 'buffer' && typeof value === 'string') value = Buffer.from(value, 'utf8');
    }
    out[i - from] = {
      topic,
      partition,
      offset: log.base + i,
      key: keys[i],
      value,
      timestamp: timestamps[i],
      headers: headers === null ? undefined : headers[i],
    };
  }
  return out;
}

/**
 * Retention: drops the oldest records once `bytes` passes `retentionBytes`, down to 3/4 of it,
 * so the arrays are copied once per quarter of the limit rather than on every produce.
 */
export function trimLog(log: PartitionLog, retentionBytes: number): void {
  const target = Math.floor(retentionBytes * 0.75);
  let drop = 0;
  let bytes = log.bytes;
  while (bytes > target && drop < log.values.length) {
    bytes -=
      valueBytes(log.values[drop], Number.POSITIVE_INFINITY) +
      (log.keys[drop]?.length ?? 0) +
      RECORD_OVERHEAD;
    drop++;
  }
  log.keys = log.keys.slice(drop);
  log.values = log.values.slice(drop);
  log.timestamps = log.timestamps.slice(drop);
  if (log.headers) log.headers = log.headers.slice(drop);
  log.base += drop;
  log.bytes = bytes;
}
