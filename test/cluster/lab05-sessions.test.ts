/**
 * Lab 05's job on Hadoop: the learner's sessionisation module, bundled into the task script and
 * run by Hadoop Streaming on the local job runner against the real HDFS, next to the library's
 * `sessions` job in the same Hadoop job, gives the rows the embedded runner gives. The input is a
 * generated day cut in two files written in reverse (a visitor's requests reach the reducer from
 * both maps) and the lab's hand-counted edge files. One Hadoop job (10–20 s).
 *
 * The reference solution by default; LOGLAB_LAB_TARGET=exercise grades the learner's file.
 * Skipped, and saying why, when no WebHDFS answers or the Hadoop jars are not there.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EDGE_FILES, EDGE_ROWS } from '../../labs/05-sessions/edge-log';
import { loadLab } from '../../labs/target';
import defaults from '../../scripts/cluster/defaults.json';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { createHadoopRunner } from '../../src/batch/hadoop-runner';
import type { RunResult } from '../../src/batch/runner';
import { createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import { hadoopLibDir } from '../../src/hadoop/hadoop-lib';
import { webHdfsDown } from '../../src/storage/webhdfs-probe';

const LAB_TEST = new URL('../../labs/05-sessions/lab.test.ts', import.meta.url).href;
const { impl, file } = await loadLab<typeof import('../../labs/05-sessions/solution')>(LAB_TEST);
const module = fileURLToPath(new URL(`./${file}`, LAB_TEST));
const config = loadConfig();
const lib = hadoopLibDir();

const unreachable = await webHdfsDown(config.hdfs.url, config.hdfs.user);
const skip =
  unreachable !== null
    ? `no WebHDFS at ${config.hdfs.url} (${unreachable}); start one with npm run cluster -- up --services hdfs`
    : !existsSync(lib)
      ? `no Hadoop jars in ${lib}; fetch them with npm run cluster -- jars --services yarn`
      : null;
if (skip !== null) console.warn(`lab05-sessions.test.ts skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'loglab-lab05-hadoop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The input: a day's second half, its first half, then the edge files. */
function inputFiles(): string[] {
  const lines = [
    ...generateLines(defaultOptions({ lines: 6000, seed: 11, incidents: [...INCIDENT_KINDS] })),
  ];
  const half = lines.length >> 1;
  const texts = [
    lines
      .slice(half)
      .map((l) => `${l}\n`)
      .join(''),
    lines
      .slice(0, half)
      .map((l) => `${l}\n`)
      .join(''),
    ...EDGE_FILES,
  ];
  return texts.map((text, i) => {
    const path = join(dir, `part-${i}.log`);
    writeFileSync(path, text);
    return path;
  });
}

const rowsOf = (run: RunResult, name: string) => run.jobs.find((j) => j.name === name)?.rows;

describe.skipIf(skip !== null)(
  `labs/05-sessions/${file} on Hadoop's local job runner against HDFS${skip === null ? '' : ` (skipped: ${skip})`}`,
  () => {
    it('gives the rows of the embedded runner and of the library job, in one Hadoop job', async () => {
      const paths = inputFiles();
      const refs = [{ name: 'sessions' }, { name: impl.LAB_JOB_NAME, module }];
      const embedded = await createEmbeddedRunner({ workers: 2 }).run(
        refs,
        { paths },
        { reducers: 2 },
      );
      // The edge files on their own give the hand-counted row: the inputs are what they say.
      const edges = await createEmbeddedRunner({ workers: 1 }).run(refs, {
        paths: paths.slice(2),
      });
      expect(rowsOf(edges, 'sessions')).toEqual(EDGE_ROWS);

      const store = await createStore('cluster', config);
      const { hostname } = new URL(config.hdfs.url);
      try {
        // Local files are uploaded to the run's scratch directory on HDFS, removed afterwards.
        const hadoop = await createHadoopRunner({
          store,
          defaultFs: `hdfs://${hostname}:${defaults.hdfs.rpcPort}`,
          user: config.hdfs.user,
          lib,
          parallelism: 2,
        }).run(refs, { paths }, { reducers: 2 });
        expect(hadoop.counters.records).toBe(6000 + 9);
        expect(hadoop.counters.records).toBe(embedded.counters.records);
        const reference = rowsOf(embedded, 'sessions');
        expect(reference).toHaveLength(18);
        expect(rowsOf(hadoop, 'sessions')).toEqual(reference);
        expect(rowsOf(hadoop, impl.LAB_JOB_NAME)).toEqual(reference);
        expect(rowsOf(embedded, impl.LAB_JOB_NAME)).toEqual(reference);
      } finally {
        await store.close();
      }
    }, 180_000);
  },
);
