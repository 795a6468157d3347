/**
 * A regular file cut into fixed byte blocks that threads claim one at a time, so a thread that
 * starts late (a worker booting) simply takes fewer blocks. Each block counts the lines that start
 * inside it: it skips the end of a line begun in the block before and reads past its own end to
 * finish its last line. Every line is thus counted exactly once, whatever the block size.
 */
import { readSync } from 'node:fs';
import type { Parser } from '../log/parser';
import type { SummaryState } from './aggregator';
import { countBytes } from './scan';

const LF = 10;
/** How much more to read at a time when a block's last line runs past the block. */
const TAIL_STEP = 1 << 16;

export const DEFAULT_BLOCK_SIZE = 8 << 20;

/** Read up to `length` bytes at `position` into buf[offset..]; returns the count read. */
function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number) {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** A reusable buffer for `countBlock`: one block and the byte before it. */
export function blockBuffer(blockSize: number): Buffer {
  return Buffer.allocUnsafe(blockSize + 1);
}

/**
 * Count the lines that start in bytes [start, end) of the open file `fd`. `buf` must come from
 * `blockBuffer` with at least end - start as block size.
 */
export function countBlock(
  st: SummaryState,
  fd: number,
  start: number,
  end: number,
  buf: Buffer,
  parse: Parser,
  fast: boolean,
): void {
  // Read the byte before the block too: it tells whether a line starts at `start`.
  const from = start > 0 ? start - 1 : 0;
  const got = readFully(fd, buf, 0, end - from, from);
  const stop = got; // end of data in buf (short when the file shrank)
  let i = start - from;
  if (start > 0 && buf[0] !== LF) {
    // The block begins inside a line that belongs to the block before.
    const lf = buf.indexOf(LF, i);
    if (lf === -1 || lf >= stop) return;
    i = lf + 1;
  }
  if (i >= stop) return;
  const lastLf = buf.lastIndexOf(LF, stop - 1);
  let tail = i;
  if (lastLf >= i) {
    countBytes(st, buf, i, lastLf + 1, parse, fast);
    tail = lastLf + 1;
  }
  if (tail >= stop) return;

  // The last line starts here and ends past the block: read on to its LF or to the end of file.
  const parts: Buffer[] = [Buffer.from(buf.subarray(tail, stop))];
  let length = stop - tail;
  let position = from + stop;
  for (;;) {
    const more = Buffer.allocUnsafe(TAIL_STEP);
    const n = readFully(fd, more, 0, TAIL_STEP, position);
    if (n === 0) break;
    const lf = more.indexOf(LF);
    if (lf !== -1 && lf < n) {
      parts.push(more.subarray(0, lf + 1));
      length += lf + 1;
      break;
    }
    parts.push(more.subarray(0, n));
    length += n;
    position += n;
  }
  const line = Buffer.concat(parts, length);
  countBytes(st, line, 0, line.length, parse, fast);
}
