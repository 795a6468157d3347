/**
 * HDFS stopped and started again (`npm run cluster -- down/up --services hdfs`) while the
 * archiver process writes into it: the archiver waits, says on stderr that it is retrying and
 * that it resumed, and the lake ends exactly equal to what Kafka holds.
 *
 * Restarting HDFS stops it for everyone using the cluster, for ~20–30 s: this is the only test
 * that does it, and it leaves HDFS up whatever happens. About a minute, most of it HDFS's start.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore } from '../../src/config';
import {
  type ArchiverProcess,
  cleanUp,
  config,
  expectExactLake,
  killHard,
  ownDay,
  produceLines,
  startArchiver,
  summaryOf,
  testLines,
  testTopic,
} from './archive-harness';
import { clusterService } from './restart';

const topic = testTopic('hdfs-restart');
const day = ownDay();
let archiver: ArchiverProcess | null = null;

const hdfs = (command: 'up' | 'down') => clusterService(command, 'hdfs');

afterAll(async () => {
  killHard(archiver);
  // Whatever happened above, HDFS is up for whoever comes next.
  await hdfs('up');
  await cleanUp(topic, [day]);
}, 240_000);

describe('HDFS restarted under the archiver', () => {
  it('the archiver waits, says so, resumes, and the lake is exact', async () => {
    const broker = createBroker('cluster', config);
    const lines = testLines(40_000, day + 10 * 3_600_000, 2);
    const truth = await produceLines(broker, topic, lines, 3);

    archiver = startArchiver(topic, ['--roll-size', String(256 * 1024), '--idle-ms', '5000']);
    expect(await archiver.waitFor((l) => l.startsWith('rolled'))).not.toBeNull();
    const started = Date.now();
    await hdfs('down');
    const rolledBefore = archiver.stdout.filter((l) => l.startsWith('rolled')).length;
    await hdfs('up');
    console.log(
      `archive-hdfs-restart: HDFS was away ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const exit = await archiver.exited;
    const stderr = archiver.stderr();
    console.log(`archive-hdfs-restart: the archiver said\n${stderr}`);
    expect(exit.code, stderr).toBe(0);
    // It was writing when HDFS went, and finished the work after it came back.
    expect(archiver.stdout.filter((l) => l.startsWith('rolled')).length).toBeGreaterThan(
      rolledBefore,
    );
    expect(stderr).toMatch(/^archiver: .*; retrying for up to 120\.0 s$/m);
    expect(stderr).toMatch(
      /^archiver: (the store at http:\/\/127\.0\.0\.1:9870\/webhdfs\/v1 answers again after \d+\.\d s \(\d+ tries\)|resumed after \d+\.\d s: recovering from the lake)$/m,
    );
    expect(stderr.split('\n').every((l) => l === '' || l.startsWith('archiver: '))).toBe(true);
    const run = summaryOf(archiver);
    console.log(`archive-hdfs-restart: ${JSON.stringify(run)}`);

    const store = await createStore('cluster', config);
    await expectExactLake(store, topic, [day], truth, lines);
    expect((await broker.groupLag(topic, [topic])).total).toBe(0);
    await store.close();
    await broker.close();
  }, 300_000);
});
