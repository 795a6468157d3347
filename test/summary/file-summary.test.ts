/**
 * Whole inputs: a regular file cut into blocks (any block size, one thread or several) and a
 * stream cut into arbitrary chunks must count every line exactly once, as the general path does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { splitLines } from '../../src/log/lines';
import { summaryOf } from '../../src/summary/aggregator';
import { summarizeFile, summarizeStream } from '../../src/summary/file';
import { summarizeLines } from '../../src/summary/summarize';
import { ELASTIC, realLogBytes, realLogPath } from '../log/real-logs';

const ALL = { top: Number.POSITIVE_INFINITY };
const dir = mkdtempSync(join(tmpdir(), 'loglab-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function expected(bytes: Buffer) {
  return summarizeLines(splitLines(bytes.toString('utf8')), 'auto').result(ALL);
}

/** A generated log with a 300 kB line in it (longer than a block and than a read-ahead step). */
function generatedBytes(): Buffer {
  const lines = [
    ...generateLines(defaultOptions({ lines: 3000, seed: 5, incidents: ['scanner'] })),
  ];
  const long = lines[10].replace('" 200 ', `?${'q'.repeat(300_000)}" 200 `);
  lines.splice(1500, 0, long, '', 'not a log line', 'caf\u00e9 ☃');
  return Buffer.from(lines.join('\n'), 'utf8'); // no LF at the end
}

describe('summarizeFile', () => {
  const bytes = generatedBytes();
  const path = write('generated.log', bytes);
  const want = expected(bytes);

  it('counts every line once, whatever the block size', async () => {
    for (const blockSize of [1, 97, 4096, 65_536, 1 << 23]) {
      const got = summaryOf(await summarizeFile(path, { blockSize, threads: 1 }), ALL);
      expect({ blockSize, ...got }).toEqual({ blockSize, ...want });
    }
  });

  it('gives the same counts when worker threads count some or all of the blocks', async () => {
    const many = { blockSize: 50_000, minParallelBytes: 0 };
    const onlyWorkers = await summarizeFile(path, { ...many, threads: 2, mainThreadBlocks: 0 });
    expect(summaryOf(onlyWorkers, ALL)).toEqual(want);
    const shared = await summarizeFile(path, { ...many, threads: 3, mainThreadBlocks: 3 });
    expect(summaryOf(shared, ALL)).toEqual(want);
  });

  it('reports progress up to the size of the file', async () => {
    const seen: number[] = [];
    await summarizeFile(path, { blockSize: 200_000, threads: 1, onProgress: (d) => seen.push(d) });
    expect(seen.length).toBe(Math.ceil(bytes.length / 200_000));
    expect(seen[seen.length - 1]).toBe(bytes.length);
  });

  it('summarises an empty file as nothing', async () => {
    const s = summaryOf(await summarizeFile(write('empty.log', '')));
    expect([s.read, s.total, s.uniqueVisitors, s.peakHour]).toEqual([0, 0, 0, null]);
  });

  it('fails with one clear error on a missing file or a directory', async () => {
    await expect(summarizeFile(join(dir, 'missing.log'))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: `cannot read ${join(dir, 'missing.log')}: no such file`,
    });
    await expect(summarizeFile(dir)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: `cannot read ${dir}: it is a directory`,
    });
  });
});

describe(`summarizeFile on ${ELASTIC}`, () => {
  it('agrees with the general path, on one thread and on two', async () => {
    const bytes = realLogBytes(ELASTIC);
    const want = expected(bytes);
    const path = realLogPath(ELASTIC);
    expect(summaryOf(await summarizeFile(path, { threads: 1 }), ALL)).toEqual(want);
    const two = { threads: 2, minParallelBytes: 0, blockSize: 100_000, mainThreadBlocks: 5 };
    expect(summaryOf(await summarizeFile(path, two), ALL)).toEqual(want);
  });
});

describe('summarizeStream', () => {
  it('counts lines split across chunks, multi-byte characters included', async () => {
    const bytes = generatedBytes();
    const chunks: Buffer[] = [];
    // Chunk sizes of 1 to 9,000 bytes, cutting lines and UTF-8 sequences anywhere.
    for (let i = 0, k = 1; i < bytes.length; k++) {
      const n = (k * 7919) % 9000 || 1;
      chunks.push(bytes.subarray(i, i + n));
      i += n;
    }
    const st = await summarizeStream(Readable.from(chunks));
    expect(summaryOf(st, ALL)).toEqual(expected(bytes));
  });

  it('accepts string chunks and a format', async () => {
    const line = '1.2.3.4 - - [12/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"\n';
    const st = await summarizeStream(Readable.from([line, line]), { format: 'common' });
    expect([st.parsed, st.rejected]).toEqual([0, 2]);
  });

  it('drops a byte order mark split over the first chunks, as the other line readers do', async () => {
    const line = '1.2.3.4 - - [12/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"\n';
    const chunks = [Buffer.from([0xef]), Buffer.from([0xbb, 0xbf]), Buffer.from(line + line)];
    const st = await summarizeStream(Readable.from(chunks));
    expect(summaryOf(st, ALL)).toMatchObject({ parsed: 2, uniqueVisitors: 1 });
  });

  it('reads input without line ends in bounded memory: one line of at most 16 MiB', async () => {
    // 600 MiB of zeros, then a line. Before, the pending line grew to all of it and failed past
    // V8's longest string ("Cannot create a string longer than 0x1fffffe8 characters").
    const zeros = Buffer.alloc(1 << 20);
    const line = '1.2.3.4 - - [12/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"\n';
    async function* chunks() {
      for (let i = 0; i < 600; i++) yield zeros;
      yield Buffer.from(`\n${line}`);
    }
    const st = await summarizeStream(chunks());
    expect([st.parsed, st.rejected]).toEqual([1, 1]);
  });
});
