/**
 * Several jobs as one Streaming job (job-set.ts, task.ts): `map | sort | combine | reduce` of
 * `errors,peak-hours,unique-visitors` gives each job exactly the rows it gives alone (one with
 * `reduceEnd` included), and its counters per job; a job without a combiner gets its values
 * through the set's combiner unchanged.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { compareKeys, keyEnd } from '../../src/batch/codec';
import type { Job } from '../../src/batch/job';
import { jobSet, splitOutputs } from '../../src/batch/job-set';
import { createJob } from '../../src/batch/jobs/index';
import { rowsOf } from '../../src/batch/rows';
import { taskMain } from '../../src/batch/task';
import { SMALL_LOG } from './fixtures/small-log';

async function task(args: string[], input: string) {
  const stdin = new PassThrough();
  stdin.end(input);
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        add(String(chunk));
        done();
      },
    });
  const code = await taskMain(
    args,
    stdin,
    sink((s) => {
      stdout += s;
    }),
    sink((s) => {
      stderr += s;
    }),
  );
  expect(code, stderr).toBe(0);
  return { stdout, stderr };
}

/** Hadoop's sort: lines by key bytes. */
function sorted(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  lines.sort((a, b) => compareKeys(a.slice(0, keyEnd(a)), b.slice(0, keyEnd(b))));
  return lines.map((l) => `${l}\n`).join('');
}

async function pipe(jobs: string): Promise<{ out: string; counters: string }> {
  const map = await task([jobs, 'map'], SMALL_LOG);
  const combine = await task([jobs, 'combine'], sorted(map.stdout));
  const reduce = await task([jobs, 'reduce'], sorted(combine.stdout));
  return { out: reduce.stdout, counters: map.stderr + reduce.stderr };
}

describe('a set of jobs in one Streaming job', () => {
  it('gives every job the rows it gives alone', async () => {
    const names = ['errors', 'peak-hours', 'unique-visitors'];
    const together = await pipe(names.join(','));
    const byJob = splitOutputs(names, [together.out]);
    for (const name of names) {
      const alone = await task(
        [name, 'reduce'],
        sorted((await task([name, 'map'], SMALL_LOG)).stdout),
      );
      const job = createJob(name);
      expect(rowsOf(job, byJob.get(name) ?? [])).toEqual(rowsOf(createJob(name), [alone.stdout]));
      expect(byJob.get(name)?.join('')).toBe(sorted(alone.stdout));
    }
    expect(together.counters).toMatch(/^reporter:counter:loglab,map input,12$/m);
    expect(together.counters).toMatch(/^reporter:counter:loglab,map rejects,1$/m);
    expect(together.counters).toMatch(/^reporter:counter:loglab errors,map input,11$/m);
  });

  it('passes the values of a job without a combiner through unchanged, under its prefix', () => {
    const plain: Job = {
      name: 'plain',
      description: '',
      columns: [],
      map() {},
      reduce() {},
    };
    const set = jobSet([plain, createJob('errors')]);
    const out: string[] = [];
    set.combine?.('plain\tk', ['1', '2', '3'], (k, v) => out.push(`${k}=${v}`));
    set.combine?.('errors\t404 /a', ['1', '2'], (k, v) => out.push(`${k}=${v}`));
    expect(out).toEqual(['plain\tk=1', 'plain\tk=2', 'plain\tk=3', 'errors\t404 /a=3']);
  });

  it('refuses an output line that names no job of the set', () => {
    expect(() => splitOutputs(['errors', 'top-urls'], ['peak-hours\\t10\t{}\n'])).toThrow(
      /names no job/,
    );
  });
});
