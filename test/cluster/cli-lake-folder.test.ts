/**
 * `--lake DIR` on the cluster engine: the lake in a folder of HDFS the user picks, not at
 * HDFS's /loglab. `loglab archive FILE --engine cluster --lake DIR` writes the files the embedded
 * engine writes in a local lake directory (the same `loglab lake du`, byte counts per hour and
 * per partition, and the same file read back with `lake cat`), and none at /loglab;
 * `loglab mapreduce run --engine hadoop --lake DIR` reads them (not a local folder of the same
 * name) and prints the embedded runner's rows; `loglab stream --archive --lake DIR` stores a
 * stream there, every line once, and `loglab archive` on that topic then resumes from the file
 * names in the folder (nothing written twice). The folder, the topic and the groups are deleted
 * afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { clientKey } from '../../src/stream/line-messages';
import { partitionForKey } from '../../src/stream/partitioner';
import { removeScratch } from '../../src/stream/scratch';
import { spawnLoglab } from '../cli/run-loglab';
import { expectExactLake } from '../pipeline/lake-truth';
import { deleteTopicFiles } from './lake-cleanup';

const config = loadConfig();
const suffix = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
const folder = `/tmp/loglab-test-lake-folder-${suffix}`;
const topic = `loglab.test.lake-folder.${suffix}`;
const streamTopic = `loglab.test.lake-folder-stream.${suffix}`;
const groups = [`${streamTopic}.stream`, `${streamTopic}.archiver`, `${streamTopic}.again`];
const scratch = mkdtempSync(join(tmpdir(), 'loglab-lake-folder-'));
const local = join(scratch, 'lake');
const broker = createBroker('cluster', config);
const hdfs = createStore('cluster', config);

afterAll(async () => {
  const store = await hdfs;
  await store.delete(folder, { recursive: true, missingOk: true });
  await store.close();
  await removeScratch(broker, { topics: [streamTopic], groups });
  await broker.close();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
});

/** `loglab ARGS` as a process of its own (HDFS, Kafka and Hadoop take their time). */
const loglab = (args: string[]) => spawnLoglab(args, { timeout: 180_000 });

describe('--lake on the cluster engine: a folder of HDFS', () => {
  it('archive writes there what the embedded engine writes locally, and mapreduce reads it', async () => {
    const file = join(scratch, 'day.log');
    const generated = loglab(['generate', '--lines', '3000', '--seed', '21', '--incidents', 'all']);
    expect(generated.code).toBe(0);
    writeFileSync(file, generated.stdout);

    const embedded = loglab(['archive', file, '--lake', local, '--topic', topic]);
    expect(embedded.code, embedded.stderr).toBe(0);
    const cluster = loglab([
      'archive',
      file,
      '--engine',
      'cluster',
      '--lake',
      folder,
      '--topic',
      topic,
    ]);
    expect(cluster.code, cluster.stderr).toBe(0);
    const said = /^archived 3000 lines into (\d+) files \(offsets 0\.\.2999\) in (.+)\n$/;
    expect(embedded.stderr).toMatch(said);
    expect(said.exec(cluster.stderr)?.slice(1)).toEqual([
      said.exec(embedded.stderr)?.[1],
      `HDFS at ${config.hdfs.url} under ${folder}`,
    ]);

    // The same files: bytes and files per hour and per partition, and a file's lines.
    const du = loglab(['lake', 'du', '--lake', local]);
    const duHdfs = loglab(['lake', 'du', '--engine', 'cluster', '--lake', folder]);
    expect(du.code, du.stderr).toBe(0);
    expect(duHdfs.code, duHdfs.stderr).toBe(0);
    expect(duHdfs.stdout).toBe(du.stdout);
    expect(du.stdout).toContain(`${topic}+0`);
    // du names hours relative to the path it totals (/loglab/raw).
    const hourRow = du.stdout.split('\n').find((l) => / date=\S+\/hour=\d\d$/.test(l));
    const hour = `/loglab/raw/${hourRow?.split(/\s+/).at(-1)}`;
    const ls = loglab(['lake', 'ls', '--engine', 'cluster', '--lake', folder, hour as string]);
    expect(ls.code, ls.stderr).toBe(0);
    const name = ls.stdout.split('\n')[0].split(/\s+/).at(-1) as string;
    expect(name.startsWith(`${topic}+0+`)).toBe(true);
    const cat = loglab(['lake', 'cat', '--lake', local, `${hour}/${name}`]);
    const catHdfs = loglab([
      'lake',
      'cat',
      '--engine',
      'cluster',
      '--lake',
      folder,
      `${hour}/${name}`,
    ]);
    expect(cat.stdout.length).toBeGreaterThan(0);
    expect(catHdfs.stdout).toBe(cat.stdout);

    // A folder that holds no lake is said as such.
    const missing = `${folder}-none`;
    expect(loglab(['lake', 'du', '--engine', 'cluster', '--lake', missing])).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab lake: no lake folder ${missing} on HDFS (loglab archive --engine cluster --lake ${missing} makes one)\n`,
    });

    // Nothing of it in the lake at HDFS's root.
    expect(await deleteTopicFiles(await hdfs, topic)).toBe(0);

    // A local folder of the same name must not stand in for the lake on HDFS.
    const decoy = join(folder, 'loglab', 'raw');
    mkdirSync(decoy, { recursive: true });
    writeFileSync(join(decoy, 'decoy.log'), `${generated.stdout.split('\n')[0]}\n`);
    const rows = loglab(['mapreduce', 'run', 'all', '--lake', local, '--json']);
    const rowsHadoop = loglab([
      'mapreduce',
      'run',
      'all',
      '--engine',
      'hadoop',
      '--lake',
      folder,
      '--json',
    ]);
    expect(rows.code, rows.stderr).toBe(0);
    expect(rowsHadoop.code, rowsHadoop.stderr).toBe(0);
    expect(JSON.parse(rows.stdout).errors.rows.length).toBeGreaterThan(0);
    expect(rowsHadoop.stdout).toBe(rows.stdout);
  }, 300_000);

  it('stream --archive stores every line once in the folder', async () => {
    const lines = 5000;
    const r = loglab([
      'stream',
      '--engine',
      'cluster',
      '--archive',
      '--lake',
      folder,
      '--lines',
      String(lines),
      '--seed',
      '12',
      '--topic',
      streamTopic,
      '--group',
      groups[0],
      '--archive-group',
      groups[1],
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.archive).toMatchObject({ lines, skipped: 0, gaps: [], root: '/loglab/raw' });
    expect(summary.archive.store.endsWith(`/webhdfs/v1${folder}`)).toBe(true);
    const byPartition: string[][] = Array.from({ length: summary.partitions }, () => []);
    for (const line of generateLines(defaultOptions({ lines, seed: 12 }))) {
      byPartition[partitionForKey(clientKey(line) as string, summary.partitions)].push(line);
    }
    const inFolder = await createStore('cluster', config, { hdfsDir: folder });
    try {
      const files = await expectExactLake(inFolder, byPartition, streamTopic);
      expect(summary.archive.files).toBe(files.length);
    } finally {
      await inFolder.close();
    }
    expect(await deleteTopicFiles(await hdfs, streamTopic)).toBe(0);

    // loglab archive on the topic, in a group of its own, finds where to resume from the file
    // names in the folder: everything is there already, nothing is written again.
    const again = loglab([
      'archive',
      '--engine',
      'cluster',
      '--lake',
      folder,
      '--topic',
      streamTopic,
      '--group',
      groups[2],
      '--idle-exit',
      '5s',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.trimEnd().split('\n').at(-1)).toBe(
      `archived 0 lines into 0 files from ${streamTopic} (group ${groups[2]}) to HDFS at ${config.hdfs.url} under ${folder}; ${lines} records skipped as already in the lake; at start 0 rolls finished, 0 unfinished files discarded; no gaps; nothing new for 5 s`,
    );
  }, 300_000);
});
