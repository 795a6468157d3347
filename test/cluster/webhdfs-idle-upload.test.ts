/**
 * An upload left idle past the WebHDFS client's request timeout (60 s; 2 s here) is not an
 * outage: the adapter ends it and goes on with an APPEND (storage/webhdfs-upload.ts). Without
 * that, the idle socket is cut and the file reads as HDFS gone: the archiver, holding a file
 * open while it waits for records, abandoned it, resumed and read its lines again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../src/config';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { createWebHdfsStore } from '../../src/storage/webhdfs-store';
import { text } from '../pipeline/lake-truth';
import {
  cleanUp,
  config,
  expectExactLake,
  ownDay,
  produceLines,
  sleep,
  testLines,
  testTopic,
} from './archive-harness';

const TIMEOUT_MS = 2_000;
const base = `/loglab-test/idle-upload-${Date.now()}${Math.floor(Math.random() * 1000)}`;
const topic = testTopic('idle-upload');
const day = ownDay();

afterAll(async () => {
  const store = createWebHdfsStore({ ...config.hdfs });
  await store.delete(base, { recursive: true, missingOk: true });
  await store.close();
  await cleanUp(topic, [day]);
}, 120_000);

describe('an idle upload on WebHDFS', () => {
  it('a file written, left idle past the request timeout, then written again holds both', async () => {
    const store = createWebHdfsStore({ ...config.hdfs, requestTimeoutMs: TIMEOUT_MS });
    const path = `${base}/idle.log`;
    const out = await store.create(path);
    const failed: Error[] = [];
    out.on('error', (err) => failed.push(err));
    const closed = new Promise<void>((resolve) => out.on('close', resolve));
    out.write('first line\n');
    await sleep(2.5 * TIMEOUT_MS);
    out.write('second line\n');
    await sleep(2.5 * TIMEOUT_MS);
    out.write('third line\n');
    out.end();
    await closed;
    // Without the idle end: "WebHDFS … did not answer (ESOCKETTIMEDOUT)" 2 s after the first line.
    expect(failed.map((e) => e.message)).toEqual([]);
    expect(await text(await store.open(path))).toBe('first line\nsecond line\nthird line\n');
    expect((await store.stat(path))?.size).toBe(34);
  }, 60_000);

  it('the archiver waiting for records with files open neither resumes nor reads again', async () => {
    const broker = createBroker('cluster', config);
    const first = testLines(3_000, day + 3 * 3_600_000, 1);
    const second = testLines(2_000, day + 4 * 3_600_000 + 600_000, 1);
    await produceLines(broker, topic, first, 2);
    const store = createWebHdfsStore({ ...config.hdfs, requestTimeoutMs: TIMEOUT_MS });
    const log: string[] = [];
    let readFirst: () => void = () => {};
    const firstRead = new Promise<void>((resolve) => {
      readFirst = resolve;
    });
    const run = runArchiver(broker, store, {
      topic,
      groupId: topic,
      rollIntervalMs: 600_000,
      idleExitMs: 4 * TIMEOUT_MS,
      log: (line) => log.push(line),
      onProgress: (p) => {
        if (p.lines >= first.length) readFirst();
      },
    });
    // The first lines' files stay open and idle past the timeout before more come.
    await firstRead;
    await sleep(2 * TIMEOUT_MS);
    const more = await broker.produce(
      topic,
      second.map((value) => ({ key: value.split(' ')[0], value })),
    );
    expect(more.count).toBe(second.length);
    const done = await run;
    expect(log).toEqual([]);
    expect(done.resumes).toBe(0);
    expect(done.lines).toBe(first.length + second.length);
    const truth: string[][] = [[], []];
    const ends = (await broker.describeTopic(topic)).partitions;
    expect(ends.map((p) => p.end).reduce((a, b) => a + b, 0)).toBe(5_000);
    await broker.close();
    // What each partition holds, read back from Kafka, is what the lake must hold.
    const reader = createBroker('cluster', config);
    const consumer = await reader.subscribe({
      groupId: `${topic}.truth`,
      topics: [topic],
      fromBeginning: true,
    });
    for (let seen = 0; seen < 5_000; ) {
      const r = await consumer.poll({ maxWaitMs: 5_000 });
      if (r.kind !== 'records') throw new Error(`read ${seen} of 5000 back`);
      for (const b of r.batches)
        for (const rec of b.records) truth[b.partition][rec.offset] = rec.value;
      seen += r.count;
    }
    await consumer.close();
    await reader.deleteGroups([`${topic}.truth`]);
    await reader.close();
    await expectExactLake(store, topic, [day], truth, [...first, ...second]);
    await store.close();
  }, 120_000);
});
