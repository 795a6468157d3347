/**
 * `loglab stream --archive --engine cluster`: generate → real Kafka → the stream's consumer and
 * the archiver in one process → real HDFS. On a fresh topic, the lake read back through WebHDFS
 * holds every generated line once, in its partition's order. The topic, the groups and the
 * topic's files in the lake are deleted afterwards.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { clientKey } from '../../src/stream/line-messages';
import { partitionForKey } from '../../src/stream/partitioner';
import { removeScratch } from '../../src/stream/scratch';
import { expectExactLake } from '../pipeline/lake-truth';
import { deleteTopicFiles } from './lake-cleanup';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/loglab.mjs', import.meta.url));
const config = loadConfig();
const broker = createBroker('cluster', config);
const suffix = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
const topic = `loglab.test.stream-archive.${suffix}`;
const group = `loglab.test.stream-archive.${suffix}`;
const archiveGroup = `loglab.test.stream-archive.archiver.${suffix}`;
const storePromise = createStore('cluster', config);

afterAll(async () => {
  const store = await storePromise;
  await deleteTopicFiles(store, topic);
  await store.close();
  await removeScratch(broker, { topics: [topic], groups: [group, archiveGroup] });
  await broker.close();
});

describe('loglab stream --archive on Kafka and HDFS', () => {
  it('stores every generated line once in HDFS, in partition order, and says so', async () => {
    const lines = 20_000;
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'stream',
        '--engine',
        'cluster',
        '--archive',
        '--lines',
        String(lines),
        '--json',
      ].concat([
        '--seed',
        '11',
        '--topic',
        topic,
        '--group',
        group,
        '--archive-group',
        archiveGroup,
      ]),
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOGLAB_ENGINE: '' }, timeout: 180_000 },
    );
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ topic, produced: lines, consumed: lines, skipped: 0 });
    expect(summary.archive).toMatchObject({
      groupId: archiveGroup,
      engine: 'cluster',
      root: '/loglab/raw',
      lines,
      skipped: 0,
      gaps: [],
    });
    const byPartition: string[][] = Array.from({ length: summary.partitions }, () => []);
    for (const line of generateLines(defaultOptions({ lines, seed: 11 }))) {
      byPartition[partitionForKey(clientKey(line) as string, summary.partitions)].push(line);
    }
    const files = await expectExactLake(await storePromise, byPartition, topic);
    expect(summary.archive.files).toBe(files.length);
  });
});
