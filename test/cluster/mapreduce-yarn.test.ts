/**
 * `loglab mapreduce run --engine yarn`: every job, submitted to the YARN that `npm run cluster --
 * up --services kafka,hdfs,yarn` starts as one Hadoop Streaming job, over a generated log in a
 * lake-like tree on HDFS (two hours, an `_tmp` file Hadoop must skip as the embedded runner
 * does), prints the same `--json` bytes as the embedded runner over the same lines. The only YARN
 * submission of the job tests: each costs an ApplicationMaster and a JVM per task (~40–110 s
 * here). A ResourceManager that does not answer is one line, checked in
 * test/cli/mapreduce-command.test.ts without a cluster.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import { createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import type { Store } from '../../src/storage/store';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const base = `/tmp/loglab-mr-yarn-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

let store: Store;
let dir: string;
let local: string;

function loglab(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.end();
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function put(path: string, body: string): Promise<void> {
  const out = await store.create(path);
  out.end(body);
  await finished(out);
}

beforeAll(async () => {
  store = await createStore('cluster', loadConfig());
  dir = await mkdtemp(join(tmpdir(), 'loglab-mr-yarn-'));
  const lines = [
    ...generateLines(defaultOptions({ lines: 4000, seed: 11, incidents: [...INCIDENT_KINDS] })),
  ];
  // One line the parser rejects: counted, never mapped, on both engines.
  const text = `${lines.slice(0, 1000).join('\n')}\nnot a log line\n${lines.slice(1000).join('\n')}\n`;
  local = join(dir, 'access.log');
  await writeFile(local, text);
  const cut = text.indexOf('\n', text.length >> 1) + 1;
  await put(`${base}/raw/date=2026-12-05/hour=10/weblogs.raw+0+0+1999.log`, text.slice(0, cut));
  await put(`${base}/raw/date=2026-12-05/hour=11/weblogs.raw+0+2000+4000.log`, text.slice(cut));
  await put(`${base}/raw/_tmp/weblogs.raw+1+0.log`, 'half-written, never read\n');
});

afterAll(async () => {
  await store?.delete(base, { recursive: true, missingOk: true });
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
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
    // YARN's job counters say how many maps ran: one per file here.
    expect(yarn.stderr).toMatch(
      /^loglab mapreduce: 8 jobs over 4000 records \(1 rejected\) from 2 files \(\S+ \S+, 2 splits\) in [\d.]+ s; map output \d+ records\n$/,
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
