/**
 * Runs side by side (rows identical or not, wall time, combiner savings), and where a trace's
 * records went (hot keys, each reducer's share).
 */
import { describe, expect, it } from 'vitest';
import { combinerSavings, compareRows, runTimes } from '../../src/batch/compare-runs';
import { createJobCounters } from '../../src/batch/counters';
import { createJob } from '../../src/batch/jobs/index';
import type { RunResult } from '../../src/batch/runner';
import { hotKeys, reducerShares, traceJob } from '../../src/batch/trace';
import { SMALL_LOG } from './fixtures/small-log';

function result(
  elapsedMs: number,
  jobs: { name: string; rows: object[]; shuffleBytes?: number }[],
): RunResult {
  return {
    engine: 'embedded',
    elapsedMs,
    counters: { records: 9_000, rejects: 1_000, inputFiles: 1, inputBytes: 1, splits: 1 },
    jobs: jobs.map((j) => ({
      name: j.name,
      description: '',
      columns: [],
      rows: j.rows as never,
      counters: { ...createJobCounters(), shuffleBytes: j.shuffleBytes ?? 0 },
    })),
  };
}

describe('compare runs', () => {
  const a = result(2000, [
    { name: 'errors', rows: [{ url: '/x', status: 500, count: 2 }], shuffleBytes: 100 },
    { name: 'top-urls', rows: [{ url: '/x', hits: 2 }], shuffleBytes: 400 },
  ]);
  const b = result(500, [
    { name: 'errors', rows: [{ url: '/x', status: 500, count: 2 }], shuffleBytes: 1000 },
    { name: 'top-urls', rows: [{ url: '/x', hits: 3 }], shuffleBytes: 400 },
  ]);

  it('compareRows: identical only when every run gave the same JSON', () => {
    expect(
      compareRows([
        { label: 'a', result: a },
        { label: 'b', result: b },
      ]),
    ).toEqual([
      { job: 'errors', rows: 1, identical: true },
      { job: 'top-urls', rows: 1, identical: false },
    ]);
    expect(compareRows([])).toEqual([]);
  });

  it('runTimes: seconds and input lines per second', () => {
    expect(
      runTimes([
        { label: 'a', result: a },
        { label: 'b', result: b },
      ]),
    ).toEqual([
      { runner: 'a', seconds: 2, linesPerSec: 5_000 },
      { runner: 'b', seconds: 0.5, linesPerSec: 20_000 },
    ]);
  });

  it('combinerSavings: bytes with and without, and the share saved', () => {
    expect(combinerSavings(a, b)).toEqual([
      { job: 'errors', withCombiner: 100, withoutCombiner: 1000, saved: 0.9 },
      { job: 'top-urls', withCombiner: 400, withoutCombiner: 400, saved: 0 },
    ]);
  });
});

describe('where the records of a trace went', () => {
  const lines = SMALL_LOG.split('\n');
  const plain = traceJob(createJob('top-urls'), lines, { combine: false });
  const combined = traceJob(createJob('top-urls'), lines);

  it('hotKeys: the keys that sent the most records, with their reducer', () => {
    expect(hotKeys(plain, 2)).toEqual([
      { key: '/a', reducer: 1, records: 5 },
      { key: '/missing', reducer: 0, records: 2 },
    ]);
    expect(hotKeys(combined, 1)).toEqual([{ key: '/a', reducer: 1, records: 2 }]);
  });

  it("reducerShares: each reducer's records as a share of its trace's", () => {
    expect(reducerShares({ plain, combined })).toEqual([
      { series: 'plain', reducer: 0, records: 3, share: 0.273 },
      { series: 'plain', reducer: 1, records: 8, share: 0.727 },
      { series: 'combined', reducer: 0, records: 3, share: 0.375 },
      { series: 'combined', reducer: 1, records: 5, share: 0.625 },
    ]);
  });
});
