/**
 * The embedded runner without the jobs' combiners (`combiners: false`, as Hadoop Streaming
 * without -combiner): the same rows, and counters that show what a combiner saves.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { SMALL_LOG } from './fixtures/small-log';

const dir = mkdtempSync(join(tmpdir(), 'loglab-combiners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded runner without combiners', () => {
  it('peak-hours on the hand-made log: 11 pairs shuffled instead of 4 sums', async () => {
    const file = join(dir, 'small.log');
    writeFileSync(file, `${SMALL_LOG}\n`);
    const run = (combiners: boolean) =>
      createEmbeddedRunner({ workers: 1, combiners }).run([{ name: 'peak-hours' }], {
        paths: [file],
      });
    const [with_, without] = [(await run(true)).jobs[0], (await run(false)).jobs[0]];
    expect(without.rows).toEqual(with_.rows);
    // Hours 00 (4 records), 10 (5), 11 and 23: "HH\t1\n" is 5 bytes, and so is "HH\tN\n" for N < 10.
    // The combiner runs on the two hours with more than one value: 9 values in, 2 out.
    expect(with_.counters).toMatchObject({
      mapOutputRecords: 11,
      mapOutputBytes: 55,
      combineInputRecords: 9,
      combineOutputRecords: 2,
      shuffleBytes: 20,
    });
    expect(without.counters).toMatchObject({
      mapOutputRecords: 11,
      mapOutputBytes: 55,
      combineInputRecords: 0,
      combineOutputRecords: 0,
      shuffleBytes: 55,
    });
  });

  it('every job on generated traffic, two threads: the same rows, never more shuffled', async () => {
    const file = join(dir, 'day.log');
    writeFileSync(
      file,
      `${[...generateLines(defaultOptions({ lines: 4000, seed: 5 }))].join('\n')}\n`,
    );
    const refs = JOB_NAMES.map((name) => ({ name }));
    const run = (combiners: boolean) =>
      createEmbeddedRunner({ workers: 2, splitBytes: 64 * 1024, combiners }).run(
        refs,
        { paths: [file] },
        { reducers: 3 },
      );
    const [a, b] = [await run(true), await run(false)];
    for (let j = 0; j < JOB_NAMES.length; j++) {
      expect(b.jobs[j].rows).toEqual(a.jobs[j].rows);
      expect(b.jobs[j].counters.combineInputRecords).toBe(0);
      expect(b.jobs[j].counters.shuffleBytes).toBeGreaterThanOrEqual(
        a.jobs[j].counters.shuffleBytes,
      );
    }
    // A counting job shuffles one sum per key and split instead of a pair per record.
    const peak = JOB_NAMES.indexOf('peak-hours');
    expect(b.jobs[peak].counters.shuffleBytes).toBe(4000 * 5);
    expect(a.jobs[peak].counters.shuffleBytes).toBeLessThan(4000);
  });
});
