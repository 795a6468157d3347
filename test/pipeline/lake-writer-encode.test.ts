/**
 * encodeLines writes each line as UTF-8 with its newline into one buffer sized for ASCII: the
 * bytes must equal the plain encoding of the joined lines, also when multi-byte characters make
 * the buffer too small and it has to grow; a line given as bytes is copied as it is.
 */
import { describe, expect, it } from 'vitest';
import { encodeLines } from '../../src/pipeline/lake-writer';

const plain = (lines: string[]) => Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');

describe('encodeLines', () => {
  it('gives nothing for no lines, and a newline for an empty line', () => {
    expect(encodeLines([]).length).toBe(0);
    expect(encodeLines(['']).toString('latin1')).toBe('\n');
  });

  it('encodes ASCII lines exactly', () => {
    const lines = ['192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5', 'x', ''];
    expect(encodeLines(lines).equals(plain(lines))).toBe(true);
  });

  it('grows the buffer for lines of multi-byte characters, keeping every byte', () => {
    // Three bytes a character over many lines: three times what the ASCII sizing gives.
    const lines = [
      'a',
      ...Array.from({ length: 50 }, (_, i) => `${i} ${'日誌分析'.repeat(100)}`),
      'é'.repeat(1_000),
      '😀 surrogate pairs 😀'.repeat(30),
      '\uFFFD broken',
      'tail',
    ];
    const got = encodeLines(lines);
    expect(got.length).toBe(plain(lines).length);
    expect(got.equals(plain(lines))).toBe(true);
  });

  it('copies lines given as bytes as they are, beside string lines, growing when it must', () => {
    const raw = [
      Buffer.from('192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5'),
      Buffer.from([0xff, 0xfe, 0x41]), // not UTF-8: kept byte for byte, never replaced
      Buffer.alloc(0),
    ];
    const lines = ['日誌分析'.repeat(200), ...raw, 'tail'];
    const want = Buffer.concat([
      Buffer.from(`${'日誌分析'.repeat(200)}\n`, 'utf8'),
      ...raw.flatMap((b) => [b, Buffer.from('\n')]),
      Buffer.from('tail\n'),
    ]);
    expect(encodeLines(lines).equals(want)).toBe(true);
  });
});
