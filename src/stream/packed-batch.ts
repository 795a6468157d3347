/**
 * A batch of consumed records packed into a few flat arrays, so that a thread that fetches
 * (kafka-thread-worker.ts) hands it to the thread that uses it (kafka-thread-consumer.ts) by
 * transferring six buffers instead of copying a million small objects through structured clone.
 * Values and keys are the raw bytes, back to back; records are made only when they are polled,
 * their values decoded then, from the one buffer.
 *
 * Pure: no threads, no I/O.
 */
import type { ConsumedRecord, MessageHeaders, RecordBatch, ValueAs } from './broker';

export interface PackedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
  readonly count: number;
  /** Every value's bytes, back to back; record i's value ends at `valueEnds[i]`. */
  readonly values: Uint8Array;
  readonly valueEnds: Uint32Array;
  /** Every non-null key's UTF-8 bytes; record i's key ends at `keyEnds[i]`, or is null when -1. */
  readonly keys: Uint8Array;
  readonly keyEnds: Int32Array;
  readonly offsets: Float64Array;
  readonly timestamps: Float64Array;
  /** Per record, only when some record has headers (they are rare). */
  readonly headers: readonly (MessageHeaders | undefined)[] | null;
}

/** The buffers to transfer with a packed batch (each owns its memory: never a pooled slice). */
export function transferList(b: PackedBatch): ArrayBuffer[] {
  return [b.values, b.valueEnds, b.keys, b.keyEnds, b.offsets, b.timestamps].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/** A key's UTF-8 bytes at `at`; keys are client addresses, ASCII, copied without a call out. */
function writeKey(keys: Buffer, key: string, at: number): number {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 128) return at - i + keys.write(key, at - i, 'utf8');
    keys[at++] = c;
  }
  return at;
}

/** Packs records of one partition whose values are raw bytes. */
export function packBatch(batch: RecordBatch<Buffer>): PackedBatch {
  const records = batch.records;
  const count = records.length;
  let valueBytes = 0;
  let keyChars = 0;
  let headers: (MessageHeaders | undefined)[] | null = null;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    valueBytes += r.value.length;
    if (r.key !== null) keyChars += r.key.length;
    if (r.headers !== undefined) {
      headers ??= new Array(count).fill(undefined);
      headers[i] = r.headers;
    }
  }
  // allocUnsafeSlow: a buffer of its own, which can be transferred (a pooled one cannot).
  const values = Buffer.allocUnsafeSlow(valueBytes);
  const keys = Buffer.allocUnsafeSlow(3 * keyChars);
  const valueEnds = new Uint32Array(count);
  const keyEnds = new Int32Array(count);
  const offsets = new Float64Array(count);
  const timestamps = new Float64Array(count);
  let at = 0;
  let keyAt = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    // TypedArray#set, not Buffer#copy: no call into C++ per value (a fifth of the packing).
    values.set(r.value, at);
    at += r.value.length;
    valueEnds[i] = at;
    const key = r.key;
    if (key === null) {
      keyEnds[i] = -1;
    } else {
      keyAt = writeKey(keys, key, keyAt);
      keyEnds[i] = keyAt;
    }
    offsets[i] = r.offset;
    timestamps[i] = r.timestamp;
  }
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    count,
    values,
    valueEnds,
    keys,
    keyEnds,
    offsets,
    timestamps,
    headers,
  };
}

/** Records `from` to `to` (exclusive) of a packed batch, values as text or as bytes. */
export function unpackRecords(
  b: PackedBatch,
  from: number,
  to: number,
  as: ValueAs,
): ConsumedRecord<string | Buffer>[] {
  const values = Buffer.from(b.values.buffer, b.values.byteOffset, b.values.byteLength);
  const keys = Buffer.from(b.keys.buffer, b.keys.byteOffset, b.keys.byteLength);
  const out: ConsumedRecord<string | Buffer>[] = new Array(to - from);
  const { topic, partition, valueEnds, keyEnds, offsets, timestamps, headers } = b;
  let start = from === 0 ? 0 : valueEnds[from - 1];
  let keyStart = 0;
  for (let k = from - 1; k >= 0; k--) {
    if (keyEnds[k] >= 0) {
      keyStart = keyEnds[k];
      break;
    }
  }
  for (let i = from; i < to; i++) {
    const end = valueEnds[i];
    const keyEnd = keyEnds[i];
    let key: string | null = null;
    if (keyEnd >= 0) {
      key = keys.toString('utf8', keyStart, keyEnd);
      keyStart = keyEnd;
    }
    out[i - from] = {
      topic,
      partition,
      offset: offsets[i],
      key,
      value: as === 'buffer' ? values.subarray(start, end) : values.toString('utf8', start, end),
      timestamp: timestamps[i],
      headers: headers === null ? undefined : headers[i],
    };
    start = end;
  }
  return out;
}
