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
 * After each kill: every visible file of the topic has a final raw file name, and the killed
 * run's group has committed no offset past the lake (a commit ahead of the lake would lose lines).
 *
 * Which group a start joins: an archiver restarted with its group waits for Kafka to drop the
 * killed member (the session timeout, 6 s at least, Kafka's minimum) and resumes from the
 * group's commits, behind the lake. Every fourth start and the last one do that, six in all;
 * the others join a group of their own, read the topic from its start and must skip all
 * the lake holds, recovery's hardest case, and start 6 s sooner. The last start waits until
 * Kafka has dropped the member killed before it, so that it is given every partition at once
 * (it stops at its first empty poll). About 2 minutes on a loaded
 * 2-core machine (126 s; 157 s when every start kept the group), most of it 21 process starts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore } from '../../src/config';
import { createRandom } from '../../src/generate/random';
import { isRawFile, parseRawFileName } from '../../src/storage/lake-layout';
import { runLoglab } from '../cli/run-loglab';
import {
  type ArchiverProcess,
  cleanUp,
  config,
  expectExactLake,
  groupEmptied,
  killHard,
  ownDay,
  ownDirs,
  produceLines,
  sleep,
  startArchiver,
  summaryOf,
  testLines,
  testTopic,
} from './archive-harness';

const KILLS = 20;
const KINDS = ['start', 'anywhere', 'write', 'manifest', 'rename', 'commit'] as const;
type Kind = (typeof KINDS)[number];
const PARTITIONS = 3;
const FLAGS = ['--roll-size', '8192', '--idle-ms', '4000', '--session-timeout-ms', '6000'];

const topic = testTopic('crash');
const day = ownDay();
const groups = [topic];
let current: ArchiverProcess | null = null;

afterAll(async () => {
  killHard(current);
  await cleanUp(topic, [day], groups);
}, 120_000);

/** What `loglab lake ls --engine cluster PATH` lists: type, size and name of each entry. */
async function lakeLs(path: string, missingOk = false): Promise<{ type: string; name: string }[]> {
  const run = await runLoglab(['lake', 'ls', '--engine', 'cluster', path]);
  if (missingOk && run.code !== 0 && run.stderr.includes('no such file or directory')) return [];
  expect(run.code, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [type, , name] = l.trim().split(/ +/);
      return { type, name };
    });
}

/**
 * Per partition, the offset after the last line a reader can see in the lake, from what
 * `loglab lake ls` lists in the test's hours and the dead-letter directory: only files with a
 * final raw file name may be there, nothing named or placed like a `_tmp/` file.
 */
async function lakeNext(): Promise<Map<number, number>> {
  const next = new Map<number, number>();
  const [dayDir, deadDir] = ownDirs([day]);
  const listed: { dir: string; name: string; type: string }[] = [];
  for (const hour of await lakeLs(dayDir, true)) {
    for (const e of await lakeLs(`${dayDir}/${hour.name}`)) listed.push({ dir: hour.name, ...e });
  }
  for (const e of await lakeLs(deadDir, true)) {
    if (e.name.startsWith(`${topic}+`)) listed.push({ dir: deadDir, ...e });
  }
  for (const e of listed) {
    const parsed = parseRawFileName(e.name);
    expect(e.type === 'file' && isRawFile(parsed), `listed after a kill: ${e.dir}/${e.name}`).toBe(
      true,
    );
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
    const lines = testLines(6000, day + 5 * 3_600_000, 3, 25);
    const truth = await produceLines(broker, topic, lines, PARTITIONS);

    const landed: string[] = [];
    /** The group of the `i`-th start: the previous one every fourth start, else a new one. */
    const groupOf = (i: number) => {
      if (i % 4 !== 3) groups.push(`${topic}.${i}`);
      return groups[groups.length - 1];
    };
    for (const [i, kind] of plan.entries()) {
      let p: ArchiverProcess;
      const group = groupOf(i);
      if (kind === 'start') {
        p = startArchiver(topic, FLAGS, group);
        current = p;
        await sleep(random.int(2500));
      } else if (kind === 'anywhere') {
        p = startArchiver(topic, FLAGS, group);
        current = p;
        await p.waitFor((l) => l.startsWith('rolled'));
        await sleep(random.int(1500));
      } else {
        p = startArchiver(topic, [...FLAGS, '--pause-at', `${kind}:${1 + random.int(2)}`], group);
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
      const next = await lakeNext();
      const lag = await broker.groupLag(group, [topic]);
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

    // The last start, with the last group, runs to the end: once Kafka has dropped the killed
    // member, else the last start could be handed part of the partitions only, and stop when
    // idle before the killed member's session times out and the rest come to it.
    const lastGroup = groups[groups.length - 1];
    await groupEmptied(lastGroup);
    const last = startArchiver(topic, FLAGS, lastGroup);
    current = last;
    expect((await last.exited).code, last.stderr()).toBe(0);
    console.log(`archive-crash: last run ${JSON.stringify(summaryOf(last))}`);
    await expectExactLake(store, topic, [day], truth, lines);
    expect((await broker.groupLag(lastGroup, [topic])).total).toBe(0);

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
