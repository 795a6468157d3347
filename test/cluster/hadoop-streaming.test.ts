/**
 * Hadoop Streaming with node task scripts, as the Hadoop runner of the batch stage runs it: a
 * word count over two input files on HDFS, on the local job runner and on the YARN that
 * `npm run cluster -- up --services kafka,hdfs,yarn` starts, giving the exact counts and the
 * same part files; a mapper that throws fails the job with one error that holds its stderr.
 * One job on YARN only: each costs an ApplicationMaster and a JVM per task (~1 minute here).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defaults from '../../scripts/cluster/defaults.json';
import { createStore, loadConfig } from '../../src/config';
import { isLoglabError, type LoglabError } from '../../src/errors';
import {
  applicationClasspath,
  hadoopLibDir,
  runStreaming,
  type StreamingJob,
  type StreamingTarget,
} from '../../src/hadoop';
import type { Store } from '../../src/storage/store';
import { describeListener, isLoopback, type Listener, listeners } from './listeners';

const config = loadConfig();
const base = `/tmp/loglab-streaming-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const defaultFs = `hdfs://${defaults.hdfs.host}:${defaults.hdfs.rpcPort}`;
const lib = hadoopLibDir();

// Word count: the mapper emits `word TAB 1`, the reducer sums a key's run of sorted values.
const MAP = `import { createInterface } from 'node:readline';
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  for (const word of line.split(' ')) if (word !== '') process.stdout.write(word + '\\t1\\n');
}
`;
const REDUCE = `import { createInterface } from 'node:readline';
let key = null;
let sum = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const tab = line.indexOf('\\t');
  const k = line.slice(0, tab);
  if (k !== key) {
    if (key !== null) process.stdout.write(key + '\\t' + sum + '\\n');
    key = k;
    sum = 0;
  }
  sum += Number(line.slice(tab + 1));
}
if (key !== null) process.stdout.write(key + '\\t' + sum + '\\n');
`;
const THROWS = `import { createInterface } from 'node:readline';
let n = 0;
for await (const line of createInterface({ input: process.stdin })) {
  n++;
  throw new Error('bad record at line ' + n + ': ' + line.slice(0, 20));
}
`;

const INPUT = {
  'a.log': 'GET /index.html 200\nGET /about 404\nPOST /login 500\n',
  'b.log': 'GET /index.html 200\nGET /index.html 304\n',
};
// Sorted by key bytes within each part, as Hadoop sorts them.
const COUNTS = [
  '/about\t1',
  '/index.html\t3',
  '/login\t1',
  '200\t2',
  '304\t1',
  '404\t1',
  '500\t1',
  'GET\t4',
  'POST\t1',
];

let store: Store;
let scripts: string;

async function put(path: string, body: string): Promise<void> {
  const out = await store.create(path);
  out.end(body);
  await finished(out);
}

/** The job's part files, name → content. */
async function parts(output: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await store.list(output)) {
    if (entry.name.startsWith('part-'))
      files[entry.name] = await text(await store.open(entry.path));
  }
  return files;
}

function wordCount(output: string, mapper = 'map.mjs'): StreamingJob {
  return {
    name: `loglab word count test ${output}`,
    input: [`${base}/in`],
    output,
    files: [join(scripts, mapper), join(scripts, 'reduce.mjs')],
    mapper: `node ${mapper}`,
    reducer: 'node reduce.mjs',
    reducers: 2,
  };
}

const local: StreamingTarget = { framework: 'local', defaultFs };

const JOB_JVMS = [
  'org.apache.hadoop.mapreduce.v2.app.MRAppMaster',
  'org.apache.hadoop.mapred.YarnChild',
];

/** Listening sockets of a job's ApplicationMaster and task JVMs right now. */
function jobListeners(): Listener[] {
  return listeners().filter((l) => {
    if (l.pid === null) return false;
    try {
      const cmd = readFileSync(`/proc/${l.pid}/cmdline`, 'utf8');
      return JOB_JVMS.some((main) => cmd.includes(main));
    } catch {
      return false;
    }
  });
}
let localParts: Record<string, string>;

beforeAll(async () => {
  store = await createStore('cluster', config);
  scripts = await mkdtemp(join(tmpdir(), 'loglab-streaming-test-'));
  await writeFile(join(scripts, 'map.mjs'), MAP);
  await writeFile(join(scripts, 'reduce.mjs'), REDUCE);
  await writeFile(join(scripts, 'throws.mjs'), THROWS);
  for (const [name, body] of Object.entries(INPUT)) await put(`${base}/in/${name}`, body);
});

afterAll(async () => {
  await store?.delete(base, { recursive: true, missingOk: true });
  await store?.close();
  if (scripts) await rm(scripts, { recursive: true, force: true });
});

describe('Hadoop Streaming with node tasks', () => {
  it('counts words on the local job runner against HDFS: exact counts, each part sorted', async () => {
    const progress: string[] = [];
    const result = await runStreaming(wordCount(`${base}/out-local`), {
      target: local,
      lib,
      user: config.hdfs.user,
      onProgress: ({ map, reduce }) => progress.push(`${map}/${reduce}`),
    });
    expect(result.jobId).toMatch(/^job_local\d+_0001$/);
    expect(result.output).toBe(`${base}/out-local`);
    expect(result.counters['Map-Reduce Framework']).toMatchObject({
      'Map input records': 5,
      'Map output records': 15,
      'Reduce output records': 9,
    });
    expect(progress[progress.length - 1]).toBe('100/100');

    localParts = await parts(result.output);
    expect(Object.keys(localParts)).toEqual(['part-00000', 'part-00001']);
    const lines = Object.values(localParts).flatMap((p) => p.split('\n').filter(Boolean));
    expect([...lines].sort()).toEqual(COUNTS);
    for (const part of Object.values(localParts)) {
      const keys = part.split('\n').filter(Boolean);
      expect(keys).toEqual([...keys].sort());
    }
  });

  it('fails on a mapper that throws with one error holding the task stderr tail', async () => {
    let error: LoglabError | undefined;
    try {
      await runStreaming(wordCount(`${base}/out-throws`, 'throws.mjs'), {
        target: local,
        lib,
        user: config.hdfs.user,
      });
    } catch (err) {
      if (!isLoglabError(err)) throw err;
      error = err;
    }
    expect(error?.code).toBe('JOB_FAILED');
    // Both maps throw; the local runner runs them one after the other and names the last.
    expect(error?.message).toMatch(
      /^Hadoop job job_local\d+_0001 failed: map task attempt_local\d+_0001_m_00000[01]_0 exited with code 1: Error: bad record at line 1: GET \/index.html 200$/,
    );
    const tail = String(error?.context.stderrTail);
    expect(tail).toContain(
      "throw new Error('bad record at line ' + n + ': ' + line.slice(0, 20));",
    );
    expect(tail).toContain('Error: bad record at line 1: GET /index.html 200');
    expect(tail.split('\n').length).toBeLessThanOrEqual(20);
    expect(error?.context.exitCode).toBe(1);
  });

  it('refuses an output directory that exists, naming it', async () => {
    await expect(
      runStreaming(wordCount(`${base}/in`), { target: local, lib, user: config.hdfs.user }),
    ).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: expect.stringMatching(/already exists/),
      context: { path: `${base}/in` },
    });
  });

  it('gives YARN the same part files as the local runner, its job JVMs on loopback', {
    timeout: 300_000,
  }, async () => {
    const yarn: StreamingTarget = {
      framework: 'yarn',
      defaultFs,
      resourceManager: `${defaults.yarn.host}:${defaults.yarn.rmPort}`,
      applicationClasspath: applicationClasspath(lib),
    };
    // While it runs, the ports of its ApplicationMaster, which Hadoop binds to every interface
    // unless the cluster's loopback provider is in the container's JVM.
    const seen = new Map<string, Listener>();
    const sampler = setInterval(() => {
      for (const l of jobListeners()) seen.set(describeListener(l), l);
    }, 500);
    let result: Awaited<ReturnType<typeof runStreaming>>;
    try {
      result = await runStreaming(wordCount(`${base}/out-yarn`), {
        target: yarn,
        lib,
        user: config.hdfs.user,
      });
    } finally {
      clearInterval(sampler);
    }
    if (listeners().some((l) => l.pid !== null)) {
      expect(seen.size).toBeGreaterThan(0);
      expect(
        [...seen.values()].filter((l) => !isLoopback(l.address)).map(describeListener),
      ).toEqual([]);
    }
    expect(result.jobId).toMatch(/^job_\d+_\d{4}$/);
    expect(result.counters['Map-Reduce Framework']).toMatchObject({
      'Map input records': 5,
      'Reduce output records': 9,
    });
    expect(localParts).toBeDefined();
    expect(await parts(result.output)).toEqual(localParts);
  });
});
