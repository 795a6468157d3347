import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyedBatches } from '../../src/bench/stream-file';

const dir = mkdtempSync(join(tmpdir(), 'loglab-keyed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(path: string, batch: number, limit: number) {
  const batches: [string | null, string][][] = [];
  for await (const b of keyedBatches(path, batch, limit, (k, v) => [
    k === null ? null : k.toString('latin1'),
    v.toString('utf8'),
  ])) {
    batches.push(b as [string | null, string][]);
  }
  return batches;
}

describe('keyedBatches', () => {
  it('splits key<TAB>line, gives null for no key or an empty one, in batches up to the limit', async () => {
    const path = join(dir, 'small.tsv');
    writeFileSync(path, 'a\tline 1\nno key here\n\tempty key\nb\tline\twith tab\nc\tlast\n');
    expect(await read(path, 2, 4)).toEqual([
      [
        ['a', 'line 1'],
        [null, 'no key here'],
      ],
      [
        [null, 'empty key'],
        ['b', 'line\twith tab'],
      ],
    ]);
    expect((await read(path, 2, 100)).flat()).toHaveLength(5);
    expect((await read(path, 3, 100)).map((b) => b.length)).toEqual([3, 2]);
  });

  it('keeps lines whole across the 1 MiB chunks of the read', async () => {
    const path = join(dir, 'large.tsv');
    const lines = Array.from({ length: 30_000 }, (_, i) => [
      `10.0.0.${i % 250}`,
      `${i} ${'x'.repeat(60)}`,
    ]);
    writeFileSync(path, lines.map(([k, v]) => `${k}\t${v}\n`).join(''));
    const batches = await read(path, 1000, 30_000);
    expect(batches).toHaveLength(30);
    expect(batches.flat()).toEqual(lines);
  });
});
