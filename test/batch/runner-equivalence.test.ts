/**
 * The rows of a run depend on the input and the jobs alone: the same on 1 and 2 threads, with 1
 * or several reducers, with a memory bound so small that every thread spills, from a plain file,
 * a gzipped copy or the lake layout `loglab archive` writes, and through the Hadoop Streaming
 * task protocol (map | sort | reduce) run in process.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareKeys, keyEnd } from '../../src/batch/codec';
import { createEmbeddedRunner, type EmbeddedRunnerOptions } from '../../src/batch/embedded-runner';
import { createJob, JOB_NAMES } from '../../src/batch/jobs/index';
import { MERGE_FACTOR } from '../../src/batch/reduce-task';
import { rowsOf } from '../../src/batch/rows';
import type { RunResult } from '../../src/batch/runner';
import { runStreamingTask } from '../../src/batch/streaming-task';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import { splitLines } from '../../src/log/lines';
import { archiveLines } from '../../src/pipeline/archive-lines';
import { createLocalStore } from '../../src/storage/local-store';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-eq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plain = join(dir, 'day.log');
const lake = join(dir, 'lake');
const refs = JOB_NAMES.map((name) => ({ name }));

/** Rows per job name. */
function rows(r: RunResult): Record<string, unknown> {
  return Object.fromEntries(r.jobs.map((j) => [j.name, j.rows]));
}

async function run(paths: string[], options: EmbeddedRunnerOptions, reducers?: number) {
  return createEmbeddedRunner(options).run(refs, { paths }, { reducers });
}

let baseline: RunResult;

beforeAll(async () => {
  // combined-time, so slow-pages has request times to rank; the two odd lines have none.
  const lines = [
    ...generateLines(
      defaultOptions({
        lines: 6000,
        seed: 11,
        incidents: [...INCIDENT_KINDS],
        format: 'combined-time',
      }),
    ),
  ]
    .map((l) => `${l}\n`)
    .join('');
  // A user agent with a tab and one with a backslash escape: the codec must carry both.
  const odd =
    '10.9.9.9 - - [05/Dec/2026:12:00:00 +0000] "GET /odd HTTP/1.1" 200 5 "-" "tab\\there \\\\ end"\n';
  writeFileSync(plain, lines + odd + odd);
  baseline = await run([plain], { workers: 1 }, 1);
  const store = await createLocalStore({ root: lake });
  await archiveLines(store, [splitLines(readFileSync(plain, 'utf8'))], { rollBytes: 100_000 });
  await store.close();
  // What Hadoop skips: a file being written and hidden files, here full of lines that would count.
  mkdirSync(join(lake, 'loglab', 'raw', '_tmp'), { recursive: true });
  writeFileSync(join(lake, 'loglab', 'raw', '_tmp', 'weblogs.raw+0+9.tmp'), odd.repeat(50));
  writeFileSync(join(lake, 'loglab', 'raw', '.part.crc'), odd.repeat(50));
  writeFileSync(join(lake, 'loglab', 'raw', '_SUCCESS'), odd.repeat(50));
});

describe('the embedded runner gives the same rows', () => {
  it('as the baseline counts (a check that the input is what it should be)', () => {
    expect(baseline.counters.records).toBe(6002);
    expect(baseline.jobs.every((j) => j.rows.length > 0)).toBe(true);
    expect(baseline.jobs.reduce((n, j) => n + j.counters.spills, 0)).toBe(0);
  });

  it('on 2 threads, the worker mapping and reducing as well', async () => {
    const r = await run(
      [plain],
      { workers: 2, splitBytes: 64 << 10, mainThreadSplits: 2, parallelReduceBytes: 1 },
      1,
    );
    expect(r.counters.splits).toBeGreaterThan(4);
    expect(rows(r)).toEqual(rows(baseline));
    expect(JSON.stringify(rows(r))).toBe(JSON.stringify(rows(baseline)));
  });

  it('with several reducers', async () => {
    for (const reducers of [2, 5]) {
      const r = await run([plain], { workers: 1 }, reducers);
      expect(JSON.stringify(rows(r))).toBe(JSON.stringify(rows(baseline)));
    }
  });

  it('with a tiny memory bound that spills sorted runs to disk, merged in several passes', async () => {
    const r = await run(
      [plain],
      {
        workers: 2,
        splitBytes: 128 << 10,
        mainThreadSplits: 2,
        memoryBytes: 4 << 10,
        parallelReduceBytes: 1,
      },
      3,
    );
    for (const j of r.jobs) {
      expect(j.counters.spills, j.name).toBeGreaterThan(5);
      expect(j.counters.spilledBytes, j.name).toBeGreaterThan(0);
    }
    // More runs than are merged at once: the reducers merge in several passes.
    const urls = r.jobs.find((j) => j.name === 'top-urls');
    expect(urls?.counters.spills).toBeGreaterThan(MERGE_FACTOR * 2);
    expect(JSON.stringify(rows(r))).toBe(JSON.stringify(rows(baseline)));
  });

  it('from a gzipped copy', async () => {
    const gz = join(dir, 'day.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const r = await run([gz], { workers: 1 });
    expect(r.counters.splits).toBe(1);
    expect(JSON.stringify(rows(r))).toBe(JSON.stringify(rows(baseline)));
  });

  it('from the lake layout, skipping _tmp, _SUCCESS and dot files', async () => {
    const r = await run([lake], { workers: 2, mainThreadSplits: 1 });
    expect(r.counters.inputFiles).toBeGreaterThan(10);
    expect(r.counters.records).toBe(6002);
    expect(JSON.stringify(rows(r))).toBe(JSON.stringify(rows(baseline)));
  });

  it('as the Hadoop Streaming task protocol: map | sort by key bytes | reduce', async () => {
    const input = splitLines(readFileSync(plain, 'utf8'));
    for (const name of JOB_NAMES) {
      const job = createJob(name);
      const mapped: string[] = [];
      await runStreamingTask(job, 'map', [input], (t) => {
        mapped.push(t);
      });
      // Hadoop sorts by key only; lines with equal keys come in any order.
      const sorted = mapped
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .sort((a, b) => compareKeys(a.slice(0, keyEnd(a)), b.slice(0, keyEnd(b))));
      let fed = sorted;
      if (job.combine) {
        const combined: string[] = [];
        await runStreamingTask(job, 'combine', [sorted], (t) => {
          combined.push(t);
        });
        fed = combined
          .join('')
          .split('\n')
          .filter((l) => l !== '');
      }
      const reduced: string[] = [];
      await runStreamingTask(job, 'reduce', [fed], (t) => {
        reduced.push(t);
      });
      const expected = baseline.jobs.find((j) => j.name === name)?.rows;
      expect(rowsOf(createJob(name), [reduced.join('')]), name).toEqual(expected);
    }
  });

  it('reads a file named twice, or found again in a directory, once', async () => {
    const only = join(dir, 'only');
    mkdirSync(only);
    copyFileSync(plain, join(only, 'day.log'));
    const once = await run([join(only, 'day.log'), join(only, 'day.log'), only], { workers: 1 });
    expect(once.counters.records).toBe(6002);
  });
});
