/** A whole Node command's peak RSS, reported by the command itself as it exits. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { peakRssArgs, timeProcess } from '../../src/bench/harness';

/** A child that holds `mb` MiB of touched memory, then exits. */
const hold = (mb: number) => `globalThis.kept = Buffer.alloc(${mb} * 2 ** 20, 1);`;

describe('peak RSS of a process row', () => {
  it('is the largest peak over the runs, in MiB, and grows with what the command holds', async () => {
    const run = (mb: number) =>
      timeProcess({
        name: `hold ${mb} MiB`,
        command: process.execPath,
        args: [...peakRssArgs(), '-e', hold(mb)],
        runs: 2,
        warmupRuns: 0,
        per: {},
        reportsPeakRss: true,
      });
    const small = await run(1);
    const large = await run(200);
    // Node alone takes some tens of MiB; the 200 MiB buffer comes on top of that.
    expect(small.peakRssMB).toBeGreaterThan(10);
    expect(small.peakRssMB).toBeLessThan(150);
    expect((large.peakRssMB as number) - (small.peakRssMB as number)).toBeGreaterThanOrEqual(190);
    expect((large.peakRssMB as number) - (small.peakRssMB as number)).toBeLessThan(230);
  });

  it('is one figure for a command with worker threads, which load the preload too', async () => {
    // A worker started from a file (an eval worker does not load it); it holds 100 MiB, and the
    // process's figure counts every thread.
    const dir = mkdtempSync(join(tmpdir(), 'loglab-peak-rss-'));
    const file = join(dir, 'worker.cjs');
    writeFileSync(file, 'globalThis.kept = Buffer.alloc(100 * 2 ** 20, 1);');
    const worker = `new (require('node:worker_threads').Worker)(${JSON.stringify(file)});`;
    const row = await timeProcess({
      name: 'threads',
      command: process.execPath,
      args: [...peakRssArgs(), '-e', worker],
      runs: 1,
      warmupRuns: 0,
      per: {},
      reportsPeakRss: true,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(Number.isFinite(row.peakRssMB)).toBe(true);
    expect(row.peakRssMB).toBeGreaterThan(100);
  });

  it('is left out of a row whose command does not report it', async () => {
    const row = await timeProcess({
      name: 'plain',
      command: process.execPath,
      args: ['-e', ''],
      runs: 1,
      warmupRuns: 0,
      per: {},
    });
    expect(row.peakRssMB).toBeUndefined();
  });

  it('fails a run whose command was to report it and did not', async () => {
    await expect(
      timeProcess({
        name: 'silent',
        command: process.execPath,
        args: ['-e', ''],
        runs: 1,
        warmupRuns: 0,
        per: {},
        reportsPeakRss: true,
      }),
    ).rejects.toThrow('silent: the command did not report its peak RSS');
  });
});
