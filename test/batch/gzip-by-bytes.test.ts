/**
 * `mapreduce` tells a gzip file by its first bytes, as the other commands do: a rotated log
 * gzipped without a `.gz` name is read decompressed (by its name it was a split of rejected
 * binary), and a plain file named `.gz` is read as text (by its name it failed to gunzip).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { listInputFiles } from '../../src/batch/input';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import type { RunResult } from '../../src/batch/runner';
import { defaultOptions, generateLines } from '../../src/generate/index';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-gzip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const refs = JOB_NAMES.map((name) => ({ name }));

function rows(r: RunResult): Record<string, unknown> {
  return Object.fromEntries(r.jobs.map((j) => [j.name, j.rows]));
}

describe('mapreduce input: gzip by its bytes', () => {
  const lines = [...generateLines(defaultOptions({ lines: 3000, seed: 11 }))];
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const plain = join(logs, 'access.log');
  writeFileSync(plain, lines.map((l) => `${l}\n`).join(''));
  const rotated = join(logs, 'access.log.1');
  writeFileSync(rotated, gzipSync(readFileSync(plain)));
  const misnamed = join(dir, 'plain.gz');
  writeFileSync(misnamed, readFileSync(plain));

  it('marks a file gzip by its magic bytes, in a directory and named on its own', () => {
    expect(listInputFiles([logs, misnamed]).map((f) => [f.path, f.gzip])).toEqual([
      [plain, false],
      [rotated, true],
      [misnamed, false],
    ]);
  });

  it('gives the same rows from the gzipped and the misnamed copy as from the plain file', async () => {
    const runner = () => createEmbeddedRunner({ workers: 1 });
    const once = await runner().run(refs, { paths: [plain] });
    for (const copy of [rotated, misnamed]) {
      const r = await runner().run(refs, { paths: [copy] });
      expect([r.counters.records, r.counters.rejects]).toEqual([3000, 0]);
      expect(rows(r)).toEqual(rows(once));
    }
  });
});
