/**
 * HDFS refuses a write: a space quota (WebHDFS SETQUOTA, which Hadoop 3.5 serves) on the test's
 * own day directory lets a few files in, then refuses the rename of the next one. The archiver
 * process stops with one line that names the file and HDFS's reason, has committed no offset
 * past what the lake holds, and run again once the quota is lifted it completes the lake without
 * a loss or a repeat. About 30 s.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore } from '../../src/config';
import { parseManifest, readText } from '../../src/pipeline/lake-recovery';
import { isRawFile, parseRawFileName, TMP_DIR } from '../../src/storage/lake-layout';
import {
  type ArchiverProcess,
  cleanUp,
  config,
  expectExactLake,
  killHard,
  ownDay,
  ownDirs,
  produceLines,
  readLake,
  startArchiver,
  summaryOf,
  testLines,
  testTopic,
} from './archive-harness';

const topic = testTopic('quota');
const day = ownDay();
const dayDir = ownDirs([day])[0];
let archiver: ArchiverProcess | null = null;
const QUOTA = 1024 * 1024;
const FLAGS = ['--roll-size', String(128 * 1024), '--idle-ms', '4000'];

/** Sets (bytes) or clears (-1) the space quota of `dir` through WebHDFS. */
async function spaceQuota(dir: string, bytes: number): Promise<void> {
  const url = `${config.hdfs.url}/webhdfs/v1${dir}?op=SETQUOTA&namespacequota=-1&storagespacequota=${bytes}&user.name=${config.hdfs.user}`;
  const res = await fetch(url, { method: 'PUT' });
  expect(res.status, await res.text()).toBe(200);
}

afterAll(async () => {
  killHard(archiver);
  await spaceQuota(dayDir, -1).catch(() => undefined);
  await cleanUp(topic, [day]);
}, 120_000);

describe('HDFS refuses a write', () => {
  it('the archiver stops with one line naming the file, commits nothing past the lake, and a rerun loses nothing', async () => {
    const broker = createBroker('cluster', config);
    const store = await createStore('cluster', config);
    const lines = testLines(20_000, day + 3 * 3_600_000, 1);
    const truth = await produceLines(broker, topic, lines, 2);
    await store.mkdirs(dayDir);
    await spaceQuota(dayDir, QUOTA);

    archiver = startArchiver(topic, FLAGS);
    const exit = await archiver.exited;
    const stderr = archiver.stderr();
    console.log(`archive-quota: the archiver said: ${stderr}`);
    expect(exit.code).toBe(1);
    const escaped = topic.replaceAll('.', '\\.');
    expect(stderr).toMatch(
      new RegExp(
        `^archiver-process: /loglab/raw/_tmp/${escaped}\\+[01]\\+\\d+\\.[0-9a-f]{12}\\.tmp: WebHDFS: The DiskSpace quota of ${dayDir} is exceeded: quota = ${QUOTA} B = 1 MB but diskspace consumed = \\d+ B = [\\d.]+ [KM]B\\n$`,
      ),
    );

    // What is visible is exact as far as it goes, and no commit is past it.
    const stored = await readLake(store, topic, ownDirs([day]));
    expect(stored.length).toBeGreaterThan(2);
    const inLake = new Map<number, number>();
    for (const f of stored) {
      const parsed = parseRawFileName(f.path.slice(f.path.lastIndexOf('/') + 1));
      if (!isRawFile(parsed)) continue;
      expect(f.lines).toEqual(truth[f.partition].slice(f.first, f.last + 1));
      inLake.set(f.partition, Math.max(inLake.get(f.partition) ?? 0, f.last + 1));
    }
    for (const p of (await broker.groupLag(topic, [topic])).partitions) {
      expect(p.committed ?? 0).toBeLessThanOrEqual(inLake.get(p.partition) ?? 0);
    }
    const storedLines = stored.reduce((n, f) => n + f.lines.length, 0);
    expect(storedLines).toBeLessThan(lines.length);
    // The refused roll had been claimed (roll-claim.ts): the rerun's recovery publishes its
    // complete files, which the rerun then does not read again.
    let claimedLines = 0;
    for (const e of await store.list(TMP_DIR)) {
      if (!e.name.startsWith(`${topic}+`) || !e.name.endsWith('.roll')) continue;
      const manifest = parseManifest(await readText(await store.open(e.path)));
      for (const [from] of manifest?.renames ?? []) {
        if ((await store.stat(from)) === null) continue;
        claimedLines += (await readText(await store.open(from))).split('\n').length - 1;
      }
    }

    // Space freed: the rerun completes the lake.
    await spaceQuota(dayDir, -1);
    archiver = startArchiver(topic, FLAGS);
    expect((await archiver.exited).code, archiver.stderr()).toBe(0);
    expect(summaryOf(archiver).lines).toBe(lines.length - storedLines - claimedLines);
    await expectExactLake(store, topic, [day], truth, lines);
    expect((await broker.groupLag(topic, [topic])).total).toBe(0);
    await store.close();
    await broker.close();
  }, 300_000);
});
