/**
 * The file cut into ranges that end on line boundaries (parallel/line-blocks.ts): every line in
 * exactly one range whatever the range size, a byte order mark left out of the first line, and a
 * line without an end read to at most MAX_READ_LINE bytes.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_READ_LINE } from '../../src/log/lines';
import { blockBuffer, readBlockLines } from '../../src/parallel/line-blocks';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-line-blocks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;

/** The lines (LF and CR dropped) of `bytes` read in ranges of `block` bytes. */
function linesInRanges(bytes: Buffer, block: number): string[] {
  const path = join(scratch, `f${files++}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  const buf = blockBuffer(block);
  const lines: string[] = [];
  try {
    for (let start = 0; start < bytes.length; start += block) {
      readBlockLines(fd, start, Math.min(start + block, bytes.length), buf, (b, from, to) => {
        const text = b.toString('utf8', from, to);
        const parts = text.split('\n');
        if (text.endsWith('\n')) parts.pop();
        lines.push(...parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
      });
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

describe('readBlockLines', () => {
  it('gives every line to exactly one range, whatever the range size', () => {
    const bytes = Buffer.from('first\nsecond line\r\n\nthird\nlast');
    for (const block of [1, 2, 3, 5, 8, 64]) {
      expect(linesInRanges(bytes, block)).toEqual(['first', 'second line', '', 'third', 'last']);
    }
  });

  it("leaves a byte order mark at the file's start out of the first line, and only there", () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const bytes = Buffer.concat([bom, Buffer.from('1.2.3.4 a\n'), bom, Buffer.from('b\n')]);
    for (const block of [2, 4, 7, 64]) {
      expect(linesInRanges(bytes, block)).toEqual(['1.2.3.4 a', '\ufeffb']);
    }
  });

  it('reads a line that runs past its range to at most MAX_READ_LINE bytes', () => {
    // 20 MiB without a line end, then one line: the first is cut, the next range skips its rest.
    const bytes = Buffer.concat([Buffer.alloc(20 << 20, 0x61), Buffer.from('\nnext\n')]);
    const lengths = linesInRanges(bytes, 1 << 20).map((l) => l.length);
    expect(lengths).toEqual([MAX_READ_LINE, 4]);
  });
});
