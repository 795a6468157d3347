/**
 * The archiver process SIGKILLed at 20 moments of one run on real Kafka and real HDFS, started
 * again after each: in the end the lake holds every line once, and at no point does a reader
 * of the lake see a half-written file.
 *
 * The moments are drawn from a seeded random source (the seed is printed; LOGLAB_TEST_SEED
 * replays a run). Each kill is one of:
 *   start     a random time after the process starts: loading, recovering, joining the group
 *   anywhere  a random time after its first roll: mostly while files are being written
 *   write, manifest, rename, commit   the N-th time the process reaches that phase of a roll
 *             (fixtures/archiver-process.ts); it waits there and is killed
 * so every phase is hit whatever the machine's speed. The roll size is small (8 KB, about 40
 * lines) and one line in 25 does not parse, so most rolls are two files with a manifest.
 *
 * After each kill: every visible file of the topic has a final raw file name, and the group's
 * committed offsets are never past the lake (a commit ahead of the lake would lose lines).
 * The restarted archiver keeps its group, so each start waits for Kafka to drop the killed member
 * (the fixture's session timeout, 6 s, Kafka's minimum): most of this test's time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore } from '../../src/config';
import { createRandom } from '../../src/generate/random';
import { isRawFile, parseRawFileName } from '../../src/storage/lake-layout';
import type { Store } from '../../src/storage/store';
import { runLoglab } from '../cli/run-loglab';
import {
  type ArchiverProcess,
  cleanUp,
  config,
  expectExactLake,
  killHard,
  ownDay,
  ownDirs,
  produceLines,
  sleep,
  startArchiver,
  summaryOf,
  testLines,
  testTopic,
  visibleFiles,
} from './archive-harness';

const KILLS = 20;
const KINDS = ['start', 'anywhere', 'write', 'manifest', 'rename', 'commit'] as const;
type Kind = (typeof KINDS)[number];
const PARTITIONS = 3;
const FLAGS = ['--roll-size', '8192', '--idle-ms', '4000', '--session-timeout-ms', '6000'];

const topic = testTopic('crash');
const day = ownDay();
let current: ArchiverProcess | null = null;

afterAll(async () => {
  killHard(current);
  await cleanUp(topic, [day]);
}, 120_000);

/** Per partition, the offset after the last line a reader can see in the lake. */
async function lakeNext(store: Store): Promise<Map<number, number>> {
  const next = new Map<number, number>();
  for (const f of await visibleFiles(store, topic, ownDirs([day]))) {
    const parsed = parseRawFileName(f.path.slice(f.path.lastIndexOf('/') + 1));
    expect(isRawFile(parsed), `visible after a kill: ${f.path}`).toBe(true);
    if (!isRawFile(parsed)) continue;
    const { partition, lastOffset } = parsed.file;
    next.set(partition, Math.max(next.get(partition) ?? 0, lastOffset + 1));
  }
  return next;
}

describe('archiver SIGKILLed and restarted', () => {
  it(`loses and repeats no line over ${KILLS} kills, and never shows a half-written file`, async () => {
    const seed = Number(process.env.LOGLAB_TEST_SEED || Date.now() % 1_000_000);
    console.log(`archive-crash: seed ${seed} (LOGLAB_TEST_SEED=${seed} replays the kill plan)`);
    const random = createRandom(seed);
    // Every kind once, in random order, then random kinds.
    const plan: Kind[] = [...KINDS];
    for (let i = plan.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [plan[i], plan[j]] = [plan[j], plan[i]];
    }
    while (plan.length < KILLS) plan.push(KINDS[random.int(KINDS.length)]);

    const broker = createBroker('cluster', config);
    const store = await createStore('cluster', config);
    const lines = testLines(3000, day + 5 * 3_600_000, 3, 25);
    const truth = await produceLines(broker, topic, lines, PARTITIONS);

    const landed: string[] = [];
    for (const kind of plan) {
      let p: ArchiverProcess;
      if (kind === 'start') {
        p = startArchiver(topic, FLAGS);
        current = p;
        await sleep(random.int(2500));
      } else if (kind === 'anywhere') {
        p = startArchiver(topic, FLAGS);
        current = p;
        await p.waitFor((l) => l.startsWith('rolled'));
        await sleep(random.int(1500));
      } else {
        p = startArchiver(topic, [...FLAGS, '--pause-at', `${kind}:${1 + random.int(2)}`]);
        current = p;
        await p.waitFor((l) => l.startsWith('paused'));
      }
      const finishedFirst = p.child.exitCode !== null;
      p.child.kill('SIGKILL');
      const exit = await p.exited;
      const paused = p.stdout.find((l) => l.startsWith('paused'));
      landed.push(finishedFirst ? `${kind}: finished first` : paused ? paused : `${kind}`);
      expect(finishedFirst, `the run ended before kill ${landed.length}: add lines`).toBe(false);
      expect(exit.signal).toBe('SIGKILL');
      // What a reader sees now: complete files only, and no commit ahead of them.
      const next = await lakeNext(store);
      const lag = await broker.groupLag(topic, [topic]);
      for (const part of lag.partitions) {
        if (part.committed === null) continue;
        expect(
          part.committed,
          `partition ${part.partition} committed past the lake`,
        ).toBeLessThanOrEqual(next.get(part.partition) ?? 0);
      }
    }
    console.log(`archive-crash: kills landed at\n  ${landed.join('\n  ')}`);
    for (const kind of ['write', 'manifest', 'rename', 'commit']) {
      expect(landed.some((l) => l.startsWith(`paused ${kind}`))).toBe(true);
    }

    // The last start runs to the end.
    const last = startArchiver(topic, FLAGS);
    current = last;
    expect((await last.exited).code, last.stderr()).toBe(0);
    console.log(`archive-crash: last run ${JSON.stringify(summaryOf(last))}`);
    await expectExactLake(store, topic, [day], truth, lines);
    expect((await broker.groupLag(topic, [topic])).total).toBe(0);

    // `loglab lake ls` shows no _tmp in the raw root, and only final names in the test's hours.
    const root = await runLoglab(['lake', 'ls', '--engine', 'cluster', '/loglab/raw']);
    expect(root.code).toBe(0);
    expect(root.stdout).not.toContain('_tmp');
    const dayDir = ownDirs([day])[0];
    const hours = await runLoglab(['lake', 'ls', '--engine', 'cluster', dayDir]);
    for (const line of hours.stdout.trim().split('\n')) {
      const hour = line.split(' ').pop() as string;
      const ls = await runLoglab(['lake', 'ls', '--engine', 'cluster', `${dayDir}/${hour}`]);
      expect(ls.code).toBe(0);
      for (const entry of ls.stdout.trim().split('\n')) {
        expect(entry).toMatch(/^file +\d+ loglab\.test\.archive-crash\.\d+\+\d\+\d+\+\d+\.log$/);
      }
    }
    await broker.close();
    await store.close();
  }, 600_000);
});
