/**
 * A job traced phase by phase on the hand-made log (fixtures/small-log.ts): the pairs each map
 * task emitted, what its combiner left, the groups each reducer saw, and rows equal to the
 * embedded runner's for every job, however the lines are cut and keys spread.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { createJob, JOB_NAMES } from '../../src/batch/jobs/index';
import { traceJob, traceTables } from '../../src/batch/trace';
import { SMALL_LOG } from './fixtures/small-log';
import throwing from './fixtures/throwing-job';

const lines = SMALL_LOG.split('\n');
const dir = mkdtempSync(join(tmpdir(), 'loglab-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pair = (task: number, key: string, value: string, reducer: number) => ({
  task,
  key,
  value,
  reducer,
});

describe('traceJob', () => {
  // Hadoop's hash of a Text key, from 1: "/a" is 31·(31 + 47) + 97 = 2515, odd: reducer 1 of 2;
  // "/b" is 2516: reducer 0.
  const t = traceJob(createJob('top-urls'), lines);

  it('map: one pair per record, tasks cut from consecutive lines, the bad line rejected', () => {
    expect(t.records).toBe(11);
    expect(t.rejects).toBe(1);
    expect(t.mapped).toEqual([
      pair(0, '/a', '1', 1),
      pair(0, '/b?x=1', '1', 1),
      pair(0, '/missing', '1', 0),
      pair(0, '/a', '1', 1),
      pair(0, '/b?y=2', '1', 1),
      pair(0, '/b', '1', 0),
      pair(1, '/a', '1', 1),
      pair(1, '/a', '1', 1),
      pair(1, '/missing', '1', 0),
      pair(1, '/a', '1', 1),
      pair(1, '/c', '1', 1),
    ]);
  });

  it('combine: each map task sends a key once with its sum, keys sorted', () => {
    expect(t.shuffled).toEqual([
      pair(0, '/a', '2', 1),
      pair(0, '/b', '1', 0),
      pair(0, '/b?x=1', '1', 1),
      pair(0, '/b?y=2', '1', 1),
      pair(0, '/missing', '1', 0),
      pair(1, '/a', '3', 1),
      pair(1, '/c', '1', 1),
      pair(1, '/missing', '1', 0),
    ]);
  });

  it('shuffle and sort: each reducer sees its keys in byte order with every value', () => {
    expect(t.groups).toEqual([
      { reducer: 0, key: '/b', values: ['1'] },
      { reducer: 0, key: '/missing', values: ['1', '1'] },
      { reducer: 1, key: '/a', values: ['2', '3'] },
      { reducer: 1, key: '/b?x=1', values: ['1'] },
      { reducer: 1, key: '/b?y=2', values: ['1'] },
      { reducer: 1, key: '/c', values: ['1'] },
    ]);
    // "/b\t1\n" and twice "/missing\t1\n"; 5 lines of 5, 6, 8, 8 and 6 bytes.
    expect(t.load).toEqual([
      { reducer: 0, records: 3, keys: 2, bytes: 27 },
      { reducer: 1, records: 5, keys: 4, bytes: 33 },
    ]);
  });

  it('reduce: a JSON row per key, and the rows in the job order', () => {
    expect(t.reduced.map((r) => [r.reducer, r.key, r.value])).toEqual([
      [0, '/b', '{"url":"/b","hits":1}'],
      [0, '/missing', '{"url":"/missing","hits":2}'],
      [1, '/a', '{"url":"/a","hits":5}'],
      [1, '/b?x=1', '{"url":"/b?x=1","hits":1}'],
      [1, '/b?y=2', '{"url":"/b?y=2","hits":1}'],
      [1, '/c', '{"url":"/c","hits":1}'],
    ]);
    expect(t.rows).toEqual([
      { url: '/a', hits: 5 },
      { url: '/missing', hits: 2 },
      { url: '/b', hits: 1 },
      { url: '/b?x=1', hits: 1 },
      { url: '/b?y=2', hits: 1 },
      { url: '/c', hits: 1 },
    ]);
  });

  it('traceTables: the phases as table rows', () => {
    const tables = traceTables(t);
    expect(tables.mapped[0]).toEqual({ 'map task': 0, key: '/a', value: '1', reducer: 1 });
    expect(tables.groups[1]).toEqual({ reducer: 0, key: '/missing', values: '1, 1' });
    expect(tables.reduced[2]).toEqual({ reducer: 1, key: '/a', row: '{"url":"/a","hits":5}' });
  });

  it('without the combiner every pair is shuffled as emitted', () => {
    const plain = traceJob(createJob('top-urls'), lines, { combine: false });
    expect(plain.shuffled).toHaveLength(11);
    expect(plain.load).toEqual([
      { reducer: 0, records: 3, keys: 2, bytes: 27 },
      // "/a\t1\n" five times, not "/a\t2\n" and "/a\t3\n": 25 bytes for 10.
      { reducer: 1, records: 8, keys: 4, bytes: 48 },
    ]);
    expect(plain.rows).toEqual(t.rows);
  });

  it("every job's rows equal the embedded runner's, however tasks and reducers are cut", async () => {
    const file = join(dir, 'small.log');
    writeFileSync(file, `${SMALL_LOG}\n`);
    const run = await createEmbeddedRunner({ workers: 1 }).run(
      JOB_NAMES.map((name) => ({ name })),
      { paths: [file] },
    );
    for (const j of run.jobs) {
      for (const o of [
        {},
        { mapTasks: 3, reducers: 3 },
        { mapTasks: 1, reducers: 1, combine: false },
      ]) {
        expect({ job: j.name, ...o, rows: traceJob(createJob(j.name), lines, o).rows }).toEqual({
          job: j.name,
          ...o,
          rows: j.rows,
        });
      }
    }
  });

  it('a mapper that throws fails the trace with the job and its message', () => {
    expect(() => traceJob(throwing, lines)).toThrow(
      'job throws failed in map: mapper gave up on record 3',
    );
  });
});
