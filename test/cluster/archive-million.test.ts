/**
 * 1,000,000 generated lines through real Kafka into real HDFS: the archiver process
 * (fixtures/archiver-process.ts, default roll size) archives a fresh topic of 6 partitions, and
 * the lake read back through WebHDFS equals what was produced, as a multiset and, partition by
 * partition, in offset order (archive-harness.ts's expectExactLake).
 *
 * The longest of the cluster tests: 2.5 minutes on a loaded 2-core machine (generate and
 * produce 69 s, archive 43 s with the process's start and its 5 s idle exit, read back and
 * compare 38 s); each phase's time is printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore } from '../../src/config';
import {
  cleanUp,
  config,
  expectExactLake,
  ownDay,
  produceLines,
  startArchiver,
  summaryOf,
  testLines,
  testTopic,
  usageOf,
} from './archive-harness';

const LINES = 1_000_000;
const PARTITIONS = 6;
const topic = testTopic('million');
const day = ownDay();

afterAll(async () => {
  await cleanUp(topic, [day]);
}, 120_000);

describe('1,000,000 lines through Kafka into HDFS', () => {
  it('the lake read back through WebHDFS equals the produced lines, in offset order per partition', async () => {
    const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
    const broker = createBroker('cluster', config);
    const store = await createStore('cluster', config);
    let t = Date.now();
    const lines = testLines(LINES, day, 4);
    expect(lines.length).toBe(LINES);
    const truth = await produceLines(broker, topic, lines, PARTITIONS);
    console.log(`archive-million: produced ${LINES} lines in ${seconds(t)}`);

    t = Date.now();
    const archiver = startArchiver(topic, ['--idle-ms', '5000']);
    const exit = await archiver.exited;
    expect(exit.code, archiver.stderr()).toBe(0);
    const run = summaryOf(archiver);
    console.log(`archive-million: archived in ${seconds(t)}: ${JSON.stringify(run)}`);
    expect(run.lines).toBe(LINES);
    expect(run.resumes).toBe(0);

    t = Date.now();
    const files = await expectExactLake(store, topic, [day], truth, lines);
    console.log(`archive-million: read back ${files.length} files and compared in ${seconds(t)}`);
    // Four hours on six partitions, no line dead-lettered; what `lake du` counts is all of it.
    expect(files.every((f) => f.dir.includes('/date='))).toBe(true);
    expect(new Set(files.map((f) => f.dir)).size).toBe(4);
    const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
    expect(await usageOf(store, [day])).toEqual({ files: files.length, bytes });
    expect((await broker.groupLag(topic, [topic])).total).toBe(0);
    await broker.close();
    await store.close();
  }, 900_000);
});
