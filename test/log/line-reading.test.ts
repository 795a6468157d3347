/** Lines from text and from byte streams: LF, CRLF, a last line without LF, invalid UTF-8, chunks. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_READ_LINE, readLines, splitLines } from '../../src/log/lines';

async function collect(
  chunks: (Buffer | string)[],
  maxLineBytes?: number,
): Promise<{ batches: number; lines: string[] }> {
  const lines: string[] = [];
  let batches = 0;
  for await (const batch of readLines(Readable.from(chunks, { objectMode: true }), maxLineBytes)) {
    batches++;
    lines.push(...batch);
  }
  return { batches, lines };
}

describe('splitLines', () => {
  it('splits on LF, drops a CR before it, and counts a last line without LF', () => {
    expect(splitLines('a\nb\r\nc')).toEqual(['a', 'b', 'c']);
    expect(splitLines('a\r\n')).toEqual(['a']);
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(splitLines('\n')).toEqual(['']);
    expect(splitLines('')).toEqual([]);
  });

  it('keeps a CR that does not end a line', () => {
    expect(splitLines('a\rb\n')).toEqual(['a\rb']);
  });
});

describe('readLines', () => {
  it('yields nothing for empty input', async () => {
    expect(await collect([])).toEqual({ batches: 0, lines: [] });
    expect(await collect([Buffer.alloc(0)])).toEqual({ batches: 0, lines: [] });
  });

  it('joins lines split across chunks, CRLF included', async () => {
    const { lines } = await collect([
      Buffer.from('first li'),
      Buffer.from('ne\r'),
      Buffer.from('\nsecond\r\nthird'),
    ]);
    expect(lines).toEqual(['first line', 'second', 'third']);
  });

  it('decodes a UTF-8 character split across chunks', async () => {
    const bytes = Buffer.from('caf\u00e9 \u2603\n');
    const { lines } = await collect([
      bytes.subarray(0, 4),
      bytes.subarray(4, 7),
      bytes.subarray(7),
    ]);
    expect(lines).toEqual(['caf\u00e9 \u2603']);
  });

  it('turns invalid UTF-8 into U+FFFD without touching the next line', async () => {
    const big5 = Buffer.from([0x47, 0x45, 0x54, 0x20, 0xac, 0xb0, 0x0a, 0xe4, 0x0a, 0x6f, 0x6b]);
    const { lines } = await collect([big5]);
    expect(lines).toEqual(['GET \uFFFD\uFFFD', '\uFFFD', 'ok']);
  });

  it('keeps empty lines and a final empty line before the last LF', async () => {
    expect((await collect([Buffer.from('a\n\n\nb\n')])).lines).toEqual(['a', '', '', 'b']);
    expect((await collect([Buffer.from('\n'), Buffer.from('\n')])).lines).toEqual(['', '']);
  });

  it('reads a line longer than many chunks', async () => {
    const long = 'x'.repeat(300_000);
    const bytes = Buffer.from(`${long}\nshort\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65_536) chunks.push(bytes.subarray(i, i + 65_536));
    const { lines } = await collect(chunks);
    expect(lines.map((l) => l.length)).toEqual([300_000, 5]);
  });

  it('accepts string chunks', async () => {
    expect((await collect(['a\nb', '\n'])).lines).toEqual(['a', 'b']);
  });

  it("drops a UTF-8 byte order mark at the input's start, and only there", async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect((await collect([Buffer.concat([bom, Buffer.from('1.2.3.4 a\nb\n')])])).lines).toEqual([
      '1.2.3.4 a',
      'b',
    ]);
    // The first chunk without a line end: still dropped.
    expect(
      (await collect([Buffer.concat([bom, Buffer.from('ab')]), Buffer.from('c\n')])).lines,
    ).toEqual(['abc']);
    expect(
      (await collect([Buffer.from('a\n'), Buffer.concat([bom, Buffer.from('b\n')])])).lines,
    ).toEqual(['a', '\ufeffb']);
    // A mark split over the first chunks (a pipe delivers what it has), and bytes that only
    // begin like one.
    const bytes = (...b: number[]) => Buffer.from(b);
    expect((await collect([bytes(0xef), bytes(0xbb), bytes(0xbf, 0x61, 0x0a)])).lines).toEqual([
      'a',
    ]);
    expect((await collect([bytes(0xef), Buffer.from('x\n')])).lines).toEqual(['\ufffdx']);
    expect((await collect([bytes(0xef, 0xbb)])).lines).toEqual(['\ufffd']);
  });

  it('keeps at most maxLineBytes of a line and drops the rest up to its line end', async () => {
    // Within one chunk, and across chunks; the next lines are whole, a CR kept in a cut line.
    expect((await collect([Buffer.from('0123456789\r\nab\n')], 4)).lines).toEqual(['0123', 'ab']);
    expect((await collect(['01', '23\r', '45', '67\nab', 'c\n', 'de'], 4)).lines).toEqual([
      '0123',
      'abc',
      'de',
    ]);
    expect((await collect(['012\r', '\nab\n'], 4)).lines).toEqual(['012', 'ab']);
    expect((await collect(['0123\r', '\nab\n'], 4)).lines).toEqual(['0123', 'ab']);
    // A last line without LF is cut too.
    expect((await collect(['ab\n0123', '456789'], 4)).lines).toEqual(['ab', '0123']);
  });

  it('reads input without line ends in bounded memory', async () => {
    // 64 MiB of zeros in 1 MiB chunks: one line of MAX_READ_LINE bytes (16 MiB).
    const zeros = Buffer.alloc(1 << 20);
    async function* chunks() {
      for (let i = 0; i < 64; i++) yield zeros;
    }
    const lines: number[] = [];
    for await (const batch of readLines(chunks())) for (const l of batch) lines.push(l.length);
    expect(lines).toEqual([MAX_READ_LINE]);
    expect(MAX_READ_LINE).toBe(16 << 20);
  });
});
