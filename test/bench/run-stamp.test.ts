import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitCommit, runStamp } from '../../src/bench/run-stamp';

describe('run stamp', () => {
  it('has the load average at the start and the end, three figures each', () => {
    const stamp = runStamp();
    expect(stamp.load.start).toHaveLength(3);
    expect(stamp.load.end).toHaveLength(3);
    expect(Date.parse(stamp.started)).toBeLessThanOrEqual(Date.now());
  });

  it('names the commit of a checkout, and none outside one', () => {
    expect(gitCommit()).toMatch(/^[0-9a-f]{12}(\+dirty)?$/);
    const dir = mkdtempSync(join(tmpdir(), 'loglab-stamp-'));
    try {
      expect(gitCommit(dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
