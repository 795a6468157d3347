/**
 * Lines from bytes. A line ends at LF; a CR before it is dropped (CRLF files); a last line without
 * LF still counts; empty input has no lines. Bytes are decoded as UTF-8 with U+FFFD for invalid
 * sequences, so a parser only ever sees text.
 *
 * Each line is decoded on its own, straight from the chunk, so it is a flat string of its own: a
 * slice of one big decoded chunk would be a V8 "sliced string", which parsers read ~30% slower
 * and which keeps the whole chunk alive. A chunk of pure ASCII (the usual case, checked at once
 * by isAscii) is decoded as Latin-1, a plain copy. An LF byte is never part of a multi-byte
 * UTF-8 sequence and an invalid sequence never swallows it, so per-line decoding gives the same
 * text as decoding the whole input.
 *
 * Two things a file may hold that are not log text:
 * - A UTF-8 byte order mark at the start of the input (editors on Windows write one) is dropped:
 *   kept, it became part of the first line's client address.
 * - A line is at most MAX_READ_LINE bytes: past that its bytes are dropped until its LF, and what
 *   was kept goes to the parser like any line (which rejects it with its reason, or keeps it as
 *   truncated when the cut falls in its user agent: combined.ts). Without the bound, input
 *   without line ends (a binary file, /dev/zero) grew the pending line until memory ran out, or
 *   failed past V8's longest string.
 */
import { isAscii } from 'node:buffer';

/**
 * Bytes per chunk when a command reads a file: 1 MiB, not the stream default of 64 KiB (fed to
 * the WebHDFS Store, 64 KiB chunks took three times the CPU: BENCHMARKS.md, stage 4).
 */
export const READ_CHUNK = 1 << 20;

/** Bytes of one line kept at most (see the module docblock): 16 MiB. */
export const MAX_READ_LINE = 16 << 20;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Split decoded text into lines (see the module docblock). */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  const n = text.length;
  if (n === 0) return lines;
  // A final LF ends the last line; it does not start an empty one.
  pushLines(text, text.charCodeAt(n - 1) === 10 ? n - 1 : n, lines);
  return lines;
}

/** Push every line of text[0..end); the last segment counts even when empty. */
function pushLines(text: string, end: number, out: string[]): void {
  let from = 0;
  for (;;) {
    let lf = text.indexOf('\n', from);
    const last = lf === -1 || lf >= end;
    if (last) lf = end;
    out.push(text.slice(from, lf > from && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf));
    if (last) return;
    from = lf + 1;
  }
}

/**
 * The chunks of a stream as Buffers, without a UTF-8 byte order mark at its start: bytes that may
 * begin one (a chunk of one or two bytes) are held back until the mark is whole or ruled out.
 */
export async function* withoutBom(
  stream: AsyncIterable<Buffer | Uint8Array | string>,
): AsyncGenerator<Buffer> {
  let head: Buffer | null = Buffer.alloc(0);
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : toBuffer(chunk);
    if (head === null) {
      yield buf;
      continue;
    }
    const seen: Buffer = head.length === 0 ? buf : Buffer.concat([head, buf]);
    const n = Math.min(seen.length, 3);
    if (seen.subarray(0, n).equals(BOM.subarray(0, n))) {
      if (n < 3) {
        head = Buffer.from(seen);
        continue;
      }
      head = null;
      if (seen.length > 3) yield seen.subarray(3);
      continue;
    }
    head = null;
    yield seen;
  }
  if (head !== null && head.length > 0) yield head;
}

/**
 * The bytes of a line that has not ended yet, as every line reader keeps them: a very long line
 * may span many chunks; past `maxBytes` the rest of it is dropped (`cut`), up to its LF. Each
 * piece is a copy: it must not pin the whole chunk, and the stream may reuse its buffers.
 */
export class PendingLine {
  private pieces: Buffer[] = [];
  private bytes = 0;
  /** Bytes were dropped past the bound. */
  cut = false;

  constructor(private readonly maxBytes = MAX_READ_LINE) {}

  /** A line has begun and not ended (possibly all of it dropped so far). */
  get open(): boolean {
    return this.bytes > 0 || this.cut;
  }

  /** Keep buf[from..to), up to the bound. */
  keep(buf: Buffer, from: number, to: number): void {
    const n = Math.min(to - from, this.maxBytes - this.bytes);
    if (n < to - from) this.cut = true;
    if (n <= 0) return;
    this.pieces.push(Buffer.from(buf.subarray(from, from + n)));
    this.bytes += n;
  }

  /** The bytes kept, and a fresh start for the next line. */
  take(): Buffer {
    const whole = Buffer.concat(this.pieces, this.bytes);
    this.pieces = [];
    this.bytes = 0;
    this.cut = false;
    return whole;
  }
}

/** Batches of lines from a stream of bytes, one batch per chunk that completes a line. */
export async function* readLines(
  stream: AsyncIterable<Buffer | Uint8Array | string>,
  maxLineBytes = MAX_READ_LINE,
): AsyncGenerator<string[]> {
  const pending = new PendingLine(maxLineBytes);
  for await (const buf of withoutBom(stream)) {
    let from = 0;
    let lf = buf.indexOf(10);
    if (lf === -1) {
      pending.keep(buf, from, buf.length);
      continue;
    }
    const lines: string[] = [];
    if (pending.open) {
      pending.keep(buf, from, lf);
      const cut = pending.cut;
      const whole = pending.take();
      lines.push(decodeLine(whole, 0, whole.length, 'utf8', cut));
      from = lf + 1;
      lf = buf.indexOf(10, from);
    }
    const encoding = isAscii(buf) ? 'latin1' : 'utf8';
    while (lf !== -1) {
      if (lf - from > maxLineBytes) {
        lines.push(decodeLine(buf, from, from + maxLineBytes, 'utf8', true));
      } else {
        lines.push(decodeLine(buf, from, lf, encoding));
      }
      from = lf + 1;
      lf = buf.indexOf(10, from);
    }
    if (from < buf.length) pending.keep(buf, from, buf.length);
    if (lines.length > 0) yield lines;
  }
  const cut = pending.cut;
  const rest = pending.take();
  if (rest.length > 0) yield [decodeLine(rest, 0, rest.length, 'utf8', cut)];
}

/** Text of buf[start..end) without a final CR (a cut line has no line end to drop). */
function decodeLine(
  buf: Buffer,
  start: number,
  end: number,
  encoding: 'latin1' | 'utf8',
  cut = false,
): string {
  const stop = !cut && end > start && buf[end - 1] === 13 ? end - 1 : end;
  return buf.toString(encoding, start, stop);
}

function toBuffer(chunk: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}
