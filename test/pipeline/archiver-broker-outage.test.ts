/**
 * The archiver when the broker goes away after it joined (Kafka restarting), on the embedded
 * broker and a local lake: it waits until the broker answers, joins again and recovers every
 * partition from the lake, so the files it was writing and a roll renamed but not committed
 * are neither lost nor stored twice. Before, the run ended with the outage (`loglab archive`
 * exited 2 on every broker restart).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoglabError } from '../../src/errors';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { startStreamArchive } from '../../src/pipeline/stream-archive';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { afterRecordPolls, brokerDown, goingAwayBroker, once } from './going-away-broker';
import { expectExactLake, whatEachPartitionHolds } from './lake-truth';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-archiver-broker-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const TOPIC = 'weblogs.raw';
const PARTITIONS = 3;

/** The embedded broker with `count` generated lines over `spanMs` on the topic, and what each partition holds. */
async function keyedTopic(count: number, spanMs: number) {
  const memory = createMemoryBroker();
  await memory.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
  const lines = [...generateLines(defaultOptions({ lines: count, spanMs }))];
  await memory.produce(
    TOPIC,
    lines.map((value, i) => ({ key: `k${i % 7}`, value })),
  );
  return { memory, byPartition: await whatEachPartitionHolds(memory, TOPIC, PARTITIONS) };
}

/** `stream --archive`'s archiver on `broker`, its outage lines kept in `log`. */
function streamArchive(broker: Broker, store: Store) {
  const log: string[] = [];
  const archive = startStreamArchive(
    broker,
    TOPIC,
    { store, log: (line) => log.push(line) },
    undefined,
  );
  return { archive, log };
}

describe('archiver through a broker outage', () => {
  it('waits, joins again, recovers from the lake, and the lake is exact', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
    const lines = [...generateLines(defaultOptions({ lines: 3000, spanMs: 7_200_000 }))];
    const keyed = lines.map((value, i) => ({ key: `k${i % 7}`, value }));
    const ack = await memory.produce(TOPIC, keyed);
    const byPartition = await whatEachPartitionHolds(memory, TOPIC, PARTITIONS);
    expect(ack.partitions.length).toBe(PARTITIONS);

    // Away after the eighth poll, before anything else reaches it; the first probe finds it away.
    const away = goingAwayBroker(memory, { after: afterRecordPolls(8) });
    const store = await createLocalStore({ root: join(scratch, 'lake') });
    const log: string[] = [];
    const run = await runArchiver(away.broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      pollRecords: 100,
      rollBytes: 30_000,
      log: (line) => log.push(line),
    });
    expect([run.brokerResumes, run.resumes, away.joins()]).toEqual([1, 0, 2]);
    await expectExactLake(store, byPartition, TOPIC);
    expect((await memory.groupLag('archiver', [TOPIC])).total).toBe(0);
    expect(log).toEqual([
      expect.stringMatching(
        /^no Kafka broker answers at 127\.0\.0\.1:9092 \(ECONNREFUSED\); .*; waiting for it for up to 300\.0 s$/,
      ),
      expect.stringMatching(
        /^the broker at embedded answers again after \d+\.\d s \(2 tries\): joining the group again$/,
      ),
    ]);
    await store.close();
    await memory.close();
  });

  it('a second outage after a quiet rejoin gets a wait of its own', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([{ name: TOPIC, partitions: 1 }]);
    // Two outages, each right after a join, with nothing to archive: each is waited out through
    // one failed probe and a 1 s pause, the whole budget. Before, the budget ran from the first
    // outage until a roll, so the second outage was given up at once.
    const away = goingAwayBroker(memory, {
      before: (c) => c.kind === 'poll' && c.ofMember === 1 && c.join <= 2,
    });
    const store = await createLocalStore({ root: join(scratch, 'quiet-lake') });
    const run = await runArchiver(away.broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      brokerWaitMs: 1000,
      log: () => undefined,
    });
    expect([run.brokerResumes, run.lines, away.joins()]).toEqual([2, 0, 3]);
    await store.close();
    await memory.close();
  });
  it('an outage at the last commit: waited out, and the commit made', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([{ name: TOPIC, partitions: 1 }]);
    const lines = [...generateLines(defaultOptions({ lines: 500, spanMs: 600_000 }))];
    await memory.produce(
      TOPIC,
      lines.map((value) => ({ key: null, value })),
    );
    // The first poll that finds nothing ends the run: its roll's commit meets the outage.
    let idle = false;
    const away = goingAwayBroker(memory, {
      after: (c) => {
        if (c.kind === 'poll' && c.records === 0) idle = true;
        return false;
      },
      before: once((c) => idle && c.kind === 'commit'),
    });
    const store = await createLocalStore({ root: join(scratch, 'last-commit-lake') });
    const run = await runArchiver(away.broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      log: () => undefined,
    });
    expect([run.brokerResumes, run.stoppedBy, away.outages()]).toEqual([1, 'idle', 1]);
    await expectExactLake(store, [lines], TOPIC);
    // Before, the next attempt found the roll in the lake and skipped its records, but nothing
    // committed them: the group stayed 500 behind the lake.
    expect((await memory.groupLag('archiver', [TOPIC])).total).toBe(0);
    await store.close();
    await memory.close();
  });

  it('a join refused after a store outage gets a wait of its own, though an old broker outage ran past the bound', async () => {
    const { memory, byPartition } = await keyedTopic(3000, 7_200_000);
    // A broker outage after the first poll with records, waited out through one failed probe
    // and the 1 s pause: the bound (1 s) has passed since it began.
    const away = goingAwayBroker(memory, { after: afterRecordPolls(1) });
    // Then an HDFS outage at the first roll after the rejoin, and the join after it refused
    // once (a group coordinator still loading) while the broker answers.
    let storeOutages = 0;
    let subscribes = 0;
    const broker: Broker = Object.create(away.broker);
    broker.subscribe = ((opts: Parameters<Broker['subscribe']>[0]) => {
      if (++subscribes === 3) return Promise.reject(brokerDown());
      return away.broker.subscribe(opts);
    }) as Broker['subscribe'];
    const store = await createLocalStore({ root: join(scratch, 'refused-join-lake') });
    const log: string[] = [];
    const run = await runArchiver(broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      pollRecords: 100,
      rollBytes: 30_000,
      brokerWaitMs: 1000,
      log: (line) => log.push(line),
      beforeCommit: () => {
        if (away.outages() === 0 || away.down() || storeOutages > 0) return;
        storeOutages++;
        throw new LoglabError('SERVICE_DOWN', 'no NameNode answers', {
          retriable: true,
          context: { path: '/loglab/raw' },
        });
      },
    });
    // Before, the refused join counted from the first broker outage: past its bound with the
    // broker answering, it gave up at once ("gave up after 1.8 s of waiting").
    expect([run.brokerResumes, run.resumes, subscribes, away.joins()]).toEqual([2, 1, 4, 3]);
    expect(log.filter((line) => line.includes('gave up'))).toEqual([]);
    expect(log.at(-1)).toMatch(
      /^the broker at embedded answers again after 0\.\d s \(1 tries\): joining the group again$/,
    );
    await expectExactLake(store, byPartition, TOPIC);
    await store.close();
    await memory.close();
  });

  it('stream --archive: finish called while the broker is away waits for the next attempt to read again, and stores every line', async () => {
    const { memory, byPartition } = await keyedTopic(900, 3_600_000);
    // Away at the first empty poll: the archiver has read every record, its files still open.
    const away = goingAwayBroker(memory, {
      after: once((c) => c.kind === 'poll' && c.records === 0 && c.recordPolls > 0),
      probesDown: 2,
    });
    const store = await createLocalStore({ root: join(scratch, 'stream-finish-lake') });
    const { archive, log } = streamArchive(away.broker, store);
    while (!away.down()) await new Promise((resolve) => setTimeout(resolve, 5));
    // Before, finish took the ended attempt's positions for caught up and stopped the archiver
    // in its wait for the broker: the run failed with the outage, the lines in its files unstored.
    const summary = await archive.finish();
    expect(summary.lines).toBe(900);
    expect(away.joins()).toBe(2);
    await expectExactLake(store, byPartition, TOPIC);
    expect(log).toHaveLength(2);
    await store.close();
    await memory.close();
  });

  for (const when of ['after', 'before'] as const) {
    it(`stream --archive: a broker outage at the last roll's commit (${when === 'after' ? 'stored, its answer lost' : 'not stored'}) is waited out, and every line is stored once`, async () => {
      const { memory, byPartition } = await keyedTopic(900, 3_600_000);
      // Nothing rolls while the archiver reads (64 MB, 60 s): the first commit is the one after
      // the first file the stop published.
      const firstCommit = once((c) => c.kind === 'commit');
      const away = goingAwayBroker(memory, { [when]: firstCommit, probesDown: 2 });
      const store = await createLocalStore({ root: join(scratch, `stream-last-commit-${when}`) });
      const { archive, log } = streamArchive(away.broker, store);
      // Before, finish's stop also ended the archiver's wait for the broker: the run failed with
      // the outage.
      const summary = await archive.finish();
      expect([summary.lines, away.outages(), away.joins()]).toEqual([900, 1, 2]);
      await expectExactLake(store, byPartition, TOPIC);
      expect((await memory.groupLag('archiver', [TOPIC])).total).toBe(0);
      expect(log).toEqual([
        expect.stringMatching(/^no Kafka broker answers at 127\.0\.0\.1:9092 .*waiting for it/),
        expect.stringMatching(/^the broker at embedded answers again after/),
      ]);
      await store.close();
      await memory.close();
    });
  }

  it('stream --archive: finish asks again while the broker restarts (a partition without a leader yet)', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
    const lines = [...generateLines(defaultOptions({ lines: 300, spanMs: 3_600_000 }))];
    await memory.produce(
      TOPIC,
      lines.map((value, i) => ({ key: `k${i % 7}`, value })),
    );
    let refused = 0;
    const restarting: Broker = Object.create(memory);
    restarting.describeTopic = async (topic) => {
      if (refused < 3) {
        refused++;
        throw new LoglabError('INTERNAL', 'There is no leader for this topic-partition', {
          retriable: true,
        });
      }
      return memory.describeTopic(topic);
    };
    const store = await createLocalStore({ root: join(scratch, 'stream-leaderless-lake') });
    const archive = startStreamArchive(restarting, TOPIC, { store }, undefined);
    // Before, the first refusal rejected finish, and the archiver went on under a closed store.
    const summary = await archive.finish();
    expect([summary.lines, refused, archive.ended()]).toEqual([300, 3, true]);
    await store.close();
    await memory.close();
  });
});
