/**
 * `loglab mapreduce run --engine hadoop`: the four seed jobs on Hadoop's local job runner
 * against the real HDFS print the same `--json` bytes as the embedded runner, over a generated
 * log uploaded to a path of this file's own (in a lake-like tree, with an `_tmp` file Hadoop must
 * skip as the embedded runner does); a mapper that throws fails the run with one line that holds
 * its message. Two Hadoop jobs in all (10–20 s each): the four jobs run as one.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import type { Store } from '../../src/storage/store';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const THROWS = join(ROOT, 'test', 'batch', 'fixtures', 'throwing-job.ts');
const base = `/tmp/loglab-mr-hadoop-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const SEED_JOBS = 'errors,peak-hours,top-urls,ip-anomalies';

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
  dir = await mkdtemp(join(tmpdir(), 'loglab-mr-hadoop-'));
  const lines = [
    ...generateLines(defaultOptions({ lines: 4000, seed: 5, incidents: [...INCIDENT_KINDS] })),
  ];
  // One line the parser rejects: counted, never mapped, on both engines.
  const text = `${lines.slice(0, 2000).join('\n')}\nnot a log line\n${lines.slice(2000).join('\n')}\n`;
  local = join(dir, 'access.log');
  await writeFile(local, text);
  // Split over two hours of a lake-like tree, as `loglab archive --engine cluster` writes it.
  const cut = text.indexOf('\n', text.length >> 1) + 1;
  await put(`${base}/raw/date=2026-12-05/hour=10/part-0.log`, text.slice(0, cut));
  await put(`${base}/raw/date=2026-12-05/hour=11/part-0.log`, text.slice(cut));
  await put(`${base}/raw/_tmp/open.log`, 'half-written, never read\n');
});

afterAll(async () => {
  await store?.delete(base, { recursive: true, missingOk: true });
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('loglab mapreduce run --engine hadoop', () => {
  it('prints the same --json for the four seed jobs as the embedded runner', async () => {
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
      /^loglab mapreduce: 4 jobs over 4000 records \(1 rejected\) from 2 files \(\S+ \S+, 2 splits\) in [\d.]+ s; map output \d+ records\n$/,
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
