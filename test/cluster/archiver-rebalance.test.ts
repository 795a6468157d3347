/**
 * Two archivers in one group on real Kafka, writing to real HDFS: B joins while A is running,
 * then A leaves while B is running. kafkajs rebalances eagerly and tells a member what it lost
 * only once the group has already handed it over, so A may be in the middle of a roll of a
 * partition B starts on. The lake, read back through WebHDFS, holds every line exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/index';
import {
  type ArchiverProgress,
  type ArchiverRun,
  runArchiver,
} from '../../src/pipeline/run-archiver';
import { partitionForKey } from '../../src/stream/partitioner';
import { removeScratch } from '../../src/stream/scratch';
import { expectExactLake } from '../pipeline/lake-truth';
import { deleteTopicFiles } from './lake-cleanup';

const config = loadConfig();
const brokers = [createBroker('cluster', config), createBroker('cluster', config)];
const suffix = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
const topic = `loglab.test.rebalance.${suffix}`;
const group = `loglab.test.rebalance.${suffix}`;
const PARTITIONS = 6;
const LINES = 12_000;
const H = 3_600_000;
const storePromise = createStore('cluster', config);

afterAll(async () => {
  const store = await storePromise;
  await deleteTopicFiles(store, topic);
  await store.close();
  await removeScratch(brokers[0], { topics: [topic], groups: [group] });
  for (const b of brokers) await b.close();
});

const read = (p: ArchiverProgress | null) =>
  p === null ? 0 : [...p.positions.values()].reduce((n, o) => n + o, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()`; an archiver that fails meanwhile fails the test at once, not at its timeout. */
async function until(done: () => boolean, runs: Promise<ArchiverRun>[]): Promise<void> {
  let failed: unknown = null;
  for (const r of runs) {
    r.catch((err: unknown) => {
      failed = err;
    });
  }
  while (!done()) {
    if (failed !== null) throw failed;
    await sleep(20);
  }
}

describe('archivers sharing a group on Kafka and HDFS', () => {
  it('one joins mid-run and one leaves mid-run: every line once in the lake', async () => {
    const [kafkaA, kafkaB] = brokers;
    await kafkaA.createTopics([{ name: topic, partitions: PARTITIONS }]);
    // Two hours of traffic: two open files per partition, so a roll is a few WebHDFS calls.
    const lines = [
      ...generateLines(
        defaultOptions({ lines: LINES, seed: 5, spanMs: 2 * H, start: Date.UTC(2026, 0, 1) }),
      ),
    ];
    const byPartition: string[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let i = 0; i < lines.length; i += 1000) {
      const batch = lines
        .slice(i, i + 1000)
        .map((value, j) => ({ key: `c${(i + j) % 97}`, value }));
      await kafkaA.produce(topic, batch);
      for (const m of batch) byPartition[partitionForKey(m.key, PARTITIONS)].push(m.value);
    }
    const store = await storePromise;
    // Rolls by size only, small ones (no hour closes by the watermark, no interval): when a
    // partition moves, the member losing it holds open files of it, and keeps them until it
    // stops unless it drops them.
    const settings = {
      topic,
      groupId: group,
      rollBytes: 60_000,
      rollIntervalMs: 600_000,
      allowedLatenessMs: 3 * 24 * 3_600_000,
      pollRecords: 500,
    };
    const stopA = new AbortController();
    const stopB = new AbortController();
    let progressA: ArchiverProgress | null = null;
    let progressB: ArchiverProgress | null = null;
    const a = runArchiver(kafkaA, store, {
      ...settings,
      signal: stopA.signal,
      onProgress(p) {
        progressA = p;
      },
    });
    await until(() => read(progressA) >= LINES / 4, [a]);
    const b: Promise<ArchiverRun> = runArchiver(kafkaB, store, {
      ...settings,
      signal: stopB.signal,
      onProgress(p) {
        progressB = p;
      },
    });
    // B has partitions of its own and has read some of them: A leaves.
    await until(() => read(progressB) >= LINES / 8, [a, b]);
    stopA.abort();
    const runA = await a;
    // B now owns every partition; once it has read each to its end, it stops (rolling its files).
    await until(
      () =>
        read(progressB) >= LINES &&
        (progressB as ArchiverProgress | null)?.assigned.length === PARTITIONS,
      [b],
    );
    stopB.abort();
    const runB = await b;
    await expectExactLake(store, byPartition, topic);
    expect(runA.lines).toBeGreaterThan(0);
    expect(runB.lines).toBeGreaterThan(0);
    expect(runA.lines + runB.lines).toBe(LINES);
    expect([...runA.gaps, ...runB.gaps]).toEqual([]);
  }, 240_000);
});
