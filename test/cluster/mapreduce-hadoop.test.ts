/**
 * `loglab mapreduce run --engine hadoop`: the four seed jobs and slow-pages (whose quantiles
 * must come out exact from any split and combining) on Hadoop's local job runner against the
 * real HDFS print the same `--json` bytes as the embedded runner, over a generated combined-time
 * log uploaded to a path of this file's own (in a lake-like tree, with an `_tmp` file Hadoop must
 * skip as the embedded runner does); a mapper that throws fails the run with one line that holds
 * its message. Two Hadoop jobs in all (10–20 s each): the five jobs run as one.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loglab, type MapreduceInput, mapreduceInput, ROOT } from './fixtures/mapreduce-input';

const THROWS = join(ROOT, 'test', 'batch', 'fixtures', 'throwing-job.ts');
const SEED_JOBS = 'errors,peak-hours,top-urls,ip-anomalies,slow-pages';

let input: MapreduceInput;
let store: MapreduceInput['store'];
let base: string;
let local: string;

beforeAll(async () => {
  input = await mapreduceInput({
    name: 'mr-hadoop',
    seed: 5,
    rejectAfter: 2000,
    files: { hour10: 'part-0.log', hour11: 'part-0.log', tmp: 'open.log' },
  });
  ({ store, base, local } = input);
});

afterAll(async () => {
  await input?.close();
});

describe('loglab mapreduce run --engine hadoop', () => {
  it('prints the same --json for the four seed jobs and slow-pages as the embedded runner', async () => {
    const started = Date.now() - 1000;
    const [embedded, hadoop] = await Promise.all([
      loglab(['mapreduce', 'run', SEED_JOBS, '--input', local, '--json']),
      loglab([
        'mapreduce',
        'run',
        SEED_JOBS,
        '--engine',
        'hadoop',
        '--input',
        `${base}/raw`,
        '--json',
      ]),
    ]);
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(hadoop.code, hadoop.stderr).toBe(0);
    const rows = JSON.parse(embedded.stdout) as Record<string, { rows: unknown[] }>;
    expect(Object.keys(rows)).toEqual(SEED_JOBS.split(','));
    for (const name of Object.keys(rows)) expect(rows[name].rows.length).toBeGreaterThan(0);
    expect(hadoop.stdout).toBe(embedded.stdout);
    expect(hadoop.stderr).toMatch(
      /^loglab mapreduce: 5 jobs over 4000 records \(1 rejected\) from 2 files \(\S+ \S+, 1 split\) in [\d.]+ s; map output \d+ records\n$/,
    );
    // The same map output as the embedded runner, counted by the tasks' reporter:counter: lines.
    const mapped = (text: string) => /map output (\d+) records/.exec(text)?.[1];
    expect(mapped(hadoop.stderr)).toBe(mapped(embedded.stderr));
    // The run's scratch directory on HDFS is gone.
    const left = (await store.list('/tmp')).filter(
      (e) => e.name.startsWith('loglab-mapreduce-') && e.mtime >= started,
    );
    expect(left).toEqual([]);
  }, 180_000);

  it('fails with one line holding the message of a mapper that throws', async () => {
    const r = await loglab(['mapreduce', 'run', THROWS, '--engine', 'hadoop', '--input', local]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^loglab mapreduce: Hadoop job job_\S+ failed: map task attempt_\S+_m_000000_0 exited with code 1: loglab task throws map: job throws failed in map: mapper gave up on record 3\n$/,
    );
  }, 180_000);
});
