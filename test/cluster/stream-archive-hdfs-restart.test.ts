/**
 * HDFS stopped and started again (`npm run cluster -- down/up --services hdfs`) while
 * `loglab stream --archive --engine cluster` runs: the stream goes on into Kafka, the archiver
 * waits for HDFS, says so, resumes, and the run ends with every line of the topic in the lake
 * exactly once (read back through WebHDFS against the topic read back from Kafka).
 *
 * Restarting HDFS stops it for everyone using the cluster for ~20–30 s; the test leaves HDFS up
 * whatever happens. About a minute and a half.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { removeScratch } from '../../src/stream/scratch';
import { expectExactLake, walk } from '../pipeline/lake-truth';
import { ROOT, sleep } from './archive-harness';
import { deleteTopicFiles } from './lake-cleanup';

const CLUSTER = join(ROOT, 'scripts', 'cluster.mjs');
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const config = loadConfig();
const broker = createBroker('cluster', config);
const suffix = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
const topic = `loglab.test.stream-hdfs-restart.${suffix}`;
const group = `${topic}.stream`;
const archiveGroup = `${topic}.archiver`;
const readBack = `${topic}.truth`;
const LINES = 40_000;

async function hdfs(command: 'up' | 'down'): Promise<void> {
  await promisify(execFile)(process.execPath, [CLUSTER, command, '--services', 'hdfs'], {
    cwd: ROOT,
    timeout: 180_000,
  });
}

/** Every record of the topic, per partition in offset order, read in a group of its own. */
async function topicLines(partitions: number, count: number): Promise<string[][]> {
  const out: string[][] = Array.from({ length: partitions }, () => []);
  const consumer = await broker.subscribe({
    groupId: readBack,
    topics: [topic],
    fromBeginning: true,
  });
  let seen = 0;
  try {
    while (seen < count) {
      const r = await consumer.poll({ maxWaitMs: 5_000 });
      if (r.kind !== 'records') throw new Error(`read ${seen} of ${count} records back`);
      for (const b of r.batches) {
        for (const rec of b.records) out[b.partition][rec.offset] = rec.value;
      }
      seen += r.count;
    }
  } finally {
    await consumer.close();
  }
  return out;
}

afterAll(async () => {
  await hdfs('up');
  const store = await createStore('cluster', config);
  await deleteTopicFiles(store, topic);
  await store.close();
  await removeScratch(broker, { topics: [topic], groups: [group, archiveGroup, readBack] });
  await broker.close();
}, 240_000);

describe('HDFS restarted under loglab stream --archive on the cluster engine', () => {
  it('the archiver waits, resumes, and the lake holds the topic exactly', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'stream',
        '--engine',
        'cluster',
        '--archive',
        '--lines',
        String(LINES),
        // About 50 s of stream: HDFS goes away and comes back in the middle of it.
        '--rate',
        '800',
        '--roll-size',
        String(64 * 1024),
        '--topic',
        topic,
        '--group',
        group,
        '--archive-group',
        archiveGroup,
        '--json',
      ],
      { cwd: ROOT, env: { ...process.env, LOGLAB_ENGINE: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    // Down once the archiver has published a file of the topic.
    const store = await createStore('cluster', config);
    for (let i = 0; (await walk(store, '/loglab', topic)).length === 0; i++) {
      if (i > 120) throw new Error(`no file of ${topic} in the lake after a minute:\n${stderr}`);
      await sleep(500);
    }
    await store.close();
    await hdfs('down');
    await hdfs('up');

    const code = await exited;
    expect(stderr).not.toMatch(/^ {4}at /m);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/^loglab stream: .*; retrying for up to 120\.0 s$/m);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ topic, produced: LINES, consumed: LINES });
    expect(summary.archive).toMatchObject({
      groupId: archiveGroup,
      engine: 'cluster',
      lines: LINES,
      gaps: [],
    });

    const produced = await topicLines(summary.partitions, LINES);
    const lake = await createStore('cluster', config);
    try {
      await expectExactLake(lake, produced, topic);
    } finally {
      await lake.close();
    }
  }, 300_000);
});
