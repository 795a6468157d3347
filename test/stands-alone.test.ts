/**
 * The repository stands alone: a clone has nothing beside it, so no code, test, notebook or
 * script may read a path outside it, and the real log the tests and benchmarks use is shipped.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ELASTIC_LOG } from '../src/bench/samples';

const ROOT = new URL('../', import.meta.url);
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) =>
    /^(src|test|bench|labs|notebooks|scripts|bin)\/.*\.(ts|mts|cts|js|mjs|cjs|ipynb|py)$/.test(f),
  );

describe('the repository stands alone', () => {
  it('reads nothing from a folder beside the clone', () => {
    // Built from parts, so that this file does not match itself.
    const outside = new RegExp(['\\.\\./', '(\\.\\./)*', 'shared/'].join(''));
    const offenders = tracked.filter((f) => outside.test(readFileSync(new URL(f, ROOT), 'utf8')));
    expect(tracked.length).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });

  it('ships the elastic/examples log byte for byte', () => {
    const sha = createHash('sha256').update(readFileSync(ELASTIC_LOG)).digest('hex');
    expect(sha).toBe('f15c31e905f86c7b4b6ab44aee74d0a2086dce89f010187d983edea7ef0364ef');
  });
});
