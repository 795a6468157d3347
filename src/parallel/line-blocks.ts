/**
 * A regular file cut into fixed byte ranges that end on line boundaries, so threads can each read
 * a range of their own. A range owns the lines that start inside it: it skips the end of a line
 * begun in the range before and reads past its own end to finish its last line. Every line thus
 * belongs to exactly one range, whatever the range size. The summary counts blocks this way and
 * the batch runner maps its input splits this way.
 *
 * As the stream reader (log/lines.ts): a UTF-8 byte order mark at the file's start is not part
 * of its first line, and a last line that runs past its range is read to at most MAX_READ_LINE
 * bytes in all (the next range skips the rest of it, as any line begun before it): a file
 * without line ends was read whole into one buffer, past what a string may hold.
 */
import { readSync } from 'node:fs';
import { MAX_READ_LINE } from '../log/lines';

const LF = 10;
/** How much more to read at a time when a range's last line runs past the range. */
const TAIL_STEP = 1 << 16;

export const DEFAULT_BLOCK_SIZE = 8 << 20;

/** Read up to `length` bytes at `position` into buf[offset..]; returns the count read. */
export function readFully(
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** A reusable buffer for `readBlockLines`: one block and the byte before it. */
export function blockBuffer(blockSize: number): Buffer {
  return Buffer.allocUnsafe(blockSize + 1);
}

/**
 * Hand `onLines` the complete lines that start in bytes [start, end) of the open file `fd`, as
 * buf[from..to) slices each ending with LF (except perhaps the file's last line). It is called
 * at most twice: once for the lines inside the range, once more for a last line that runs past
 * the range end. `buf` must come from `blockBuffer` with at least end - start as block size.
 */
export function readBlockLines(
  fd: number,
  start: number,
  end: number,
  buf: Buffer,
  onLines: (buf: Buffer, from: number, to: number) => void,
): void {
  // Read the byte before the range too: it tells whether a line starts at `start`.
  const from = start > 0 ? start - 1 : 0;
  const got = readFully(fd, buf, 0, end - from, from);
  const stop = got; // end of data in buf (short when the file shrank)
  let i = start - from;
  // A byte order mark starts the first line (the first range owns it) but is not its text.
  const bom = start === 0 && startsWithBom(fd, buf, stop) ? 3 : 0;
  if (start > 0 && buf[0] !== LF) {
    // The range begins inside a line that belongs to the range before.
    const lf = buf.indexOf(LF, i);
    if (lf === -1 || lf >= stop) return;
    i = lf + 1;
  }
  if (i >= stop) return;
  const lastLf = buf.lastIndexOf(LF, stop - 1);
  let tail = i;
  if (lastLf >= i) {
    onLines(buf, i + bom, lastLf + 1);
    tail = lastLf + 1;
  }
  if (tail >= stop) return;

  // The last line starts here and ends past the range: read on to its LF or to the end of file.
  const parts: Buffer[] = [Buffer.from(buf.subarray(tail, stop))];
  let length = stop - tail;
  let position = from + stop;
  while (length < MAX_READ_LINE) {
    const step = Math.min(TAIL_STEP, MAX_READ_LINE - length);
    const more = Buffer.allocUnsafe(step);
    const n = readFully(fd, more, 0, step, position);
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
  onLines(line, tail === 0 ? Math.min(bom, line.length) : 0, line.length);
}

/** Whether the file starts with a UTF-8 byte order mark (buf holds its first `got` bytes). */
function startsWithBom(fd: number, buf: Buffer, got: number): boolean {
  let head = buf;
  if (got < 3) {
    head = Buffer.alloc(3);
    if (readFully(fd, head, 0, 3, 0) < 3) return false;
  }
  return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
}
