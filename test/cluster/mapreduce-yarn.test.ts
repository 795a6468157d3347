/**
 * `loglab mapreduce run --engine yarn`: every job, submitted to the YARN that `npm run cluster --
 * up --services kafka,hdfs,yarn` starts as one Hadoop Streaming job, over a generated log in a
 * lake-like tree on HDFS (two hours, an `_tmp` file Hadoop must skip as the embedded runner
 * does), prints the same `--json` bytes as the embedded runner over the same lines. The only YARN
 * submission of the job tests: each costs an ApplicationMaster and a JVM per task (~40–110 s
 * here). A ResourceManager that does not answer is one line, checked in
 * test/cli/mapreduce-command.test.ts without a cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { loglab, type MapreduceInput, mapreduceInput } from './fixtures/mapreduce-input';

let input: MapreduceInput;
let store: MapreduceInput['store'];
let base: string;
let local: string;

beforeAll(async () => {
  input = await mapreduceInput({
    name: 'mr-yarn',
    seed: 11,
    rejectAfter: 1000,
    files: {
      hour10: 'weblogs.raw+0+0+1999.log',
      hour11: 'weblogs.raw+0+2000+4000.log',
      tmp: 'weblogs.raw+1+0.log',
    },
  });
  ({ store, base, local } = input);
});

afterAll(async () => {
  await input?.close();
});

describe('loglab mapreduce run --engine yarn', () => {
  it('prints the same --json for every job as the embedded runner, in one YARN job', async () => {
    const started = Date.now() - 1000;
    const [embedded, yarn] = await Promise.all([
      loglab(['mapreduce', 'run', 'all', '--input', local, '--json']),
      loglab(['mapreduce', 'run', 'all', '--engine', 'yarn', '--input', `${base}/raw`, '--json']),
    ]);
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(yarn.code, yarn.stderr).toBe(0);
    const rows = JSON.parse(embedded.stdout) as Record<string, { rows: unknown[] }>;
    expect(Object.keys(rows)).toEqual(JOB_NAMES);
    for (const name of JOB_NAMES) expect(rows[name].rows.length, name).toBeGreaterThan(0);
    expect(yarn.stdout).toBe(embedded.stdout);
    // YARN's job counters say how many maps ran: one for both small files (CombineTextInputFormat).
    expect(yarn.stderr).toMatch(
      /^loglab mapreduce: 9 jobs over 4000 records \(1 rejected\) from 2 files \(\S+ \S+, 1 split\) in [\d.]+ s; map output \d+ records\n$/,
    );
    const mapped = (text: string) => /map output (\d+) records/.exec(text)?.[1];
    expect(mapped(yarn.stderr)).toBe(mapped(embedded.stderr));
    // The run's scratch directory on HDFS is gone.
    const left = (await store.list('/tmp')).filter(
      (e) => e.name.startsWith('loglab-mapreduce-') && e.mtime >= started,
    );
    expect(left).toEqual([]);
  }, 300_000);
});
