/**
 * The input file both producers of the cluster benchmark read: one `key<TAB>line` per line, key
 * = client IP, the format kcat reads with `-K '\t'`. The kafkajs side streams the same file in
 * 1 MiB chunks, as kcat does, instead of holding a million lines in memory: a big live heap makes
 * every full garbage collection slower, which would count against kafkajs and not against kcat.
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import type { Broker, ProduceMessage } from '../stream/broker';
import { clientKey } from '../stream/line-messages';

export interface KeyedFile {
  readonly path: string;
  readonly lines: number;
  /** Bytes of the log lines (message values), without keys, tabs and newlines. */
  readonly bytes: number;
  /** Bytes of the first n lines, for each n asked for in `marks`. */
  readonly bytesAt: ReadonlyMap<number, number>;
}

/** Writes up to `count` lines of `source` as `key<TAB>line`, in chunks of about 1 MiB. */
export function writeKeyedFile(
  path: string,
  source: Iterable<string>,
  count: number,
  marks: readonly number[] = [],
): KeyedFile {
  const fd = openSync(path, 'w');
  const bytesAt = new Map<number, number>();
  const want = new Set(marks);
  let lines = 0;
  let bytes = 0;
  let buffer = '';
  try {
    for (const line of source) {
      if (lines >= count) break;
      buffer += `${clientKey(line) ?? ''}\t${line}\n`;
      bytes += Buffer.byteLength(line, 'utf8');
      lines++;
      if (want.has(lines)) bytesAt.set(lines, bytes);
      if (buffer.length >= 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    if (buffer.length > 0) writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  for (const m of marks) if (!bytesAt.has(m)) bytesAt.set(m, bytes);
  return { path, lines, bytes, bytesAt };
}

/**
 * The first `limit` lines of a keyed file, `batch` at a time, streamed in 1 MiB chunks; `make`
 * turns each line into a message from slices of the chunk (no copies): the key is the bytes
 * before the tab (null when there is none), the value the rest of the line.
 */
export async function* keyedBatches<M>(
  path: string,
  batch: number,
  limit: number,
  make: (key: Buffer | null, value: Buffer) => M,
): AsyncGenerator<M[]> {
  let taken = 0;
  let pending: M[] = [];
  let rest: Buffer | null = null;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      const chunk: Buffer = rest === null ? raw : Buffer.concat([rest, raw]);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        const tab = chunk.indexOf(9, start);
        const key = tab > start && tab < nl ? chunk.subarray(start, tab) : null;
        pending.push(make(key, chunk.subarray(tab < nl ? tab + 1 : start, nl)));
        taken++;
        start = nl + 1;
        if (pending.length === batch || taken === limit) {
          yield pending;
          pending = [];
          if (taken >= limit) return;
        }
      }
      rest = start < chunk.length ? chunk.subarray(start) : null;
    }
    if (pending.length > 0) yield pending;
  } finally {
    stream.destroy();
  }
}

/**
 * Produces the first `limit` lines of a keyed file to `topic`, `batch` messages per `produce`
 * call, each awaited. Values are the line's bytes as read (a slice of the chunk, not a copy),
 * keys the client IP as text. Resolves with the number of messages acknowledged.
 */
export async function produceFile(
  broker: Broker,
  topic: string,
  path: string,
  batch: number,
  limit: number,
): Promise<number> {
  let sent = 0;
  const toMessage = (key: Buffer | null, value: Buffer): ProduceMessage => ({
    key: key === null ? null : key.toString('latin1'),
    value,
  });
  for await (const messages of keyedBatches(path, batch, limit, toMessage)) {
    await broker.produce(topic, messages);
    sent += messages.length;
  }
  return sent;
}
