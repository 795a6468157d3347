/**
 * The Hadoop Streaming task script's contract: `<job> map|combine|reduce` over stdin and stdout,
 * counters as `reporter:counter:` lines on stderr, a failure as one line and a non-zero exit.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/batch/job';
import { createJob } from '../../src/batch/jobs/index';
import { type BundledJobs, taskMain } from '../../src/batch/task';
import { SMALL_LOG } from './fixtures/small-log';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

/** Every built-in job has a combiner: this one is sessions without it. */
const PAIRS: BundledJobs = {
  pairs: (): Job => ({ ...createJob('sessions'), name: 'pairs', combine: undefined }),
};

async function task(args: string[], input: string) {
  const stdin = new PassThrough();
  stdin.end(input);
  const out = sink();
  const err = sink();
  const code = await taskMain(args, stdin, out.stream, err.stream, PAIRS);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('the Streaming task script', () => {
  it('maps log lines to key TAB value lines, combined in the mapper, and reports its counters', async () => {
    const r = await task(['errors', 'map'], `${SMALL_LOG}\n`);
    expect(r.code).toBe(0);
    // Four pairs emitted; the two of 404 /missing leave the task as one sum, keys sorted.
    expect(r.stdout).toBe('404 /missing\t2\n500 /b\t1\n500 /b?y=2\t1\n');
    expect(r.stderr).toBe(
      [
        'reporter:counter:loglab errors,map input,12',
        'reporter:counter:loglab errors,map rejects,1',
        'reporter:counter:loglab errors,map output,4',
        '',
      ].join('\n'),
    );
  });

  it('maps a job without a combiner pair by pair, and a set with the counts of map alone', async () => {
    const alone = await task(['pairs', 'map'], `${SMALL_LOG}\n`);
    expect(alone.stdout.split('\n').length - 1).toBe(11);
    const set = await task(['errors,peak-hours', 'map'], `${SMALL_LOG}\n`);
    expect(set.stdout).toBe(
      [
        'errors\\t404 /missing\t2',
        'errors\\t500 /b\t1',
        'errors\\t500 /b?y=2\t1',
        'peak-hours\\t00\t4',
        'peak-hours\\t10\t5',
        'peak-hours\\t11\t1',
        'peak-hours\\t23\t1',
        '',
      ].join('\n'),
    );
    expect(set.stderr).toBe(
      [
        'reporter:counter:loglab,map input,12',
        'reporter:counter:loglab,map rejects,1',
        'reporter:counter:loglab errors,map input,11',
        'reporter:counter:loglab errors,map output,4',
        'reporter:counter:loglab peak-hours,map input,11',
        'reporter:counter:loglab peak-hours,map output,11',
        '',
      ].join('\n'),
    );
  });

  it('combines and reduces sorted key TAB value lines', async () => {
    const sorted = '404 /missing\t1\n404 /missing\t1\n500 /b\t1\n500 /b?y=2\t1\n';
    const combined = await task(['errors', 'combine'], sorted);
    expect(combined.stdout).toBe('404 /missing\t2\n500 /b\t1\n500 /b?y=2\t1\n');
    const reduced = await task(['errors', 'reduce'], combined.stdout);
    expect(reduced.stdout).toBe(
      [
        '404 /missing\t{"url":"/missing","status":404,"count":2}',
        '500 /b\t{"url":"/b","status":500,"count":1}',
        '500 /b?y=2\t{"url":"/b?y=2","status":500,"count":1}',
        '',
      ].join('\n'),
    );
  });

  it('escapes a tab in a user agent, and reads it back escaped', async () => {
    const line =
      '10.0.0.2 - - [05/Dec/2026:10:07:00 +0000] "GET /b HTTP/1.1" 500 0 "-" "UA-2\\tTabbed"';
    const mapped = await task(['unique-visitors', 'map'], `${line}\n`);
    expect(mapped.stdout).toBe('2026-12-05 10.0.0.2\tUA-2\\tTabbed\n');
    const reduced = await task(['unique-visitors', 'reduce'], mapped.stdout);
    // One row per day, emitted at the end of the reducer's input.
    expect(reduced.stdout).toBe('2026-12-05\t{"date":"2026-12-05","visitors":1}\n');
  });

  it('writes each sessions key once per map task, its times gathered into one list', async () => {
    // 11 requests of 5 visitors (SMALL_LOG): the ~150-character key of a real user agent went to
    // the shuffle once per request.
    const r = await task(['sessions', 'map'], `${SMALL_LOG}\n`);
    expect(r.stdout).toBe(
      [
        '10.0.0.1 UA-1\t1796464800000,1796465400000,1796468400000,1796517900000',
        '10.0.0.2 UA-2\t1796465100000,1796465160000',
        '10.0.0.2 UA-2\\tTabbed\t1796465220000',
        '10.0.0.3 -\t1796515199000,1796515201000,1796517000000',
        '10.0.0.4 UA-1\t1796518200000',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toMatch(/,map output,11\n$/);
    const combined = await task(['sessions', 'combine'], '10.0.0.4 UA-1\t3,1\n10.0.0.4 UA-1\t2\n');
    expect(combined.stdout).toBe('10.0.0.4 UA-1\t3,1,2\n');
    const reduced = await task(['sessions', 'reduce'], combined.stdout);
    expect(reduced.stdout).toBe(
      'length 00\t{"measure":"length","bucket":0,"sessions":1,"pages":3,"lengthMs":2}\n' +
        'pages 02\t{"measure":"pages","bucket":2,"sessions":1,"pages":3,"lengthMs":2}\n',
    );
  });

  it('fails in one line on a bad phase, an unknown job or a job without a combiner', async () => {
    expect(await task(['errors', 'sort'], '')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'usage: node task.mjs <job>[,<job>…] map|combine|reduce\n',
    });
    const unknown = await task(['nope', 'map'], '');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^loglab task nope map: no job named "nope"; there are: /);
    const noCombiner = await task(['pairs', 'combine'], 'k\t1\n');
    expect(noCombiner.code).toBe(1);
    expect(noCombiner.stderr).toBe(
      'loglab task pairs combine: job pairs failed in combine: the job has no combiner\n',
    );
  });
});
