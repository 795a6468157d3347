/**
 * Several archivers in one group on the embedded broker, which rebalances at once when a member
 * joins or leaves: members join and leave while others are in the middle of rolls, and the lake
 * still ends with every produced line exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { createRandom, type Random } from '../../src/generate/random';
import { getParser } from '../../src/log/parser';
import { ArchiveRoller } from '../../src/pipeline/archive-roller';
import { LakeWriter } from '../../src/pipeline/lake-writer';
import {
  type ArchiverProgress,
  type ArchiverRun,
  runArchiver,
} from '../../src/pipeline/run-archiver';
import { startStreamArchive } from '../../src/pipeline/stream-archive';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import type {
  AssignmentChange,
  Broker,
  Consumer,
  PollOptions,
  RawPollResult,
} from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { expectExactLake, whatEachPartitionHolds } from './lake-truth';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-rebalance-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newStore = () => createLocalStore({ root: join(scratch, `lake${lakes++}`) });

const TOPIC = 'weblogs.raw';
const PARTITIONS = 4;
const H = 3_600_000;

/** `count` lines over three hours, every 41st one garbage, on 4 partitions; what each holds. */
async function produce(broker: Broker, count: number): Promise<string[][]> {
  await broker.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
  const lines = [
    ...generateLines(defaultOptions({ lines: count, spanMs: 3 * H, start: Date.UTC(2026, 0, 1) })),
  ].map((l, i) => (i % 41 === 7 ? `garbage line ${i}` : l));
  for (let i = 0; i < lines.length; i += 200) {
    await broker.produce(
      TOPIC,
      lines.slice(i, i + 200).map((value, j) => ({ key: `k${(i + j) % 13}`, value })),
    );
  }
  const byPartition = await whatEachPartitionHolds(broker, TOPIC, PARTITIONS);
  expect(byPartition.flat().length).toBe(count);
  return byPartition;
}

/** A store whose writes take a little while, so that rebalances land in the middle of rolls. */
function slowStore(inner: Store, random: Random): Store {
  const pause = () => new Promise((resolve) => setTimeout(resolve, random.int(3)));
  const slow =
    <A extends unknown[], T>(op: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      await pause();
      return op(...args);
    };
  return {
    ...inner,
    engine: inner.engine,
    address: inner.address,
    create: slow(inner.create.bind(inner)),
    rename: slow(inner.rename.bind(inner)),
    delete: slow(inner.delete.bind(inner)),
    list: slow(inner.list.bind(inner)),
  };
}

const read = (p: ArchiverProgress) => [...p.positions.values()].reduce((n, o) => n + o, 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The broker with each member's `pollRaw` going through `poll`, which gets the member's own
 * `pollRaw` and the poll's options: a test's stand-in for what Kafka does around a poll.
 */
function aroundPolls(
  broker: Broker,
  poll: (inner: Consumer['pollRaw'], options: PollOptions | undefined) => Promise<RawPollResult>,
): Broker {
  return {
    ...broker,
    engine: broker.engine,
    address: broker.address,
    subscribe: async (options) => {
      const consumer = await broker.subscribe(options);
      return { ...consumer, pollRaw: (o) => poll((x) => consumer.pollRaw(x), o) };
    },
  };
}

/**
 * Waits until a member's progress reports `count` records read; fails, saying how far it got,
 * when its count has not moved for 15 s (the whole test takes 2 s on a quiet machine).
 */
async function untilRead(read: () => number, count: number, who: string): Promise<void> {
  let last = read();
  let movedAt = Date.now();
  while (read() < count) {
    if (read() !== last) {
      last = read();
      movedAt = Date.now();
    } else if (Date.now() - movedAt > 15_000) {
      throw new Error(`${who} stopped reading at ${last} of ${count} records for 15 s`);
    }
    await sleep(10);
  }
}

/** Waits until the group has committed everything (every roll published and committed). */
async function drained(broker: Broker, group: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if ((await broker.groupLag(group, [TOPIC])).total === 0) return;
    await sleep(10);
  }
  throw new Error('the group never caught up');
}

/**
 * The bound for the tests of members coming and going: most of their time is timers (the slow
 * store's pauses of 0-2 ms on each call, 5 ms empty polls, 10 ms waits), which a loaded machine
 * stretches far more than it does work: the first of them takes 1.9 s on a quiet machine, and
 * one run in a full test suite passed the default 30 s. Looped about 400 times at loads of 6 to
 * 37, it took over 10 s twice at a load of 20 (one of them still under way at 13 s when the loop
 * was stopped, so not known to finish), and at most 4.6 s otherwise. A member that stops
 * reading fails the first test with what it had read (`untilRead`).
 */
const MEMBERSHIP_TEST_MS = 120_000;

const settings = {
  maxWaitMs: 5,
  pollRecords: 40,
  rollBytes: 4_000,
  rollIntervalMs: 20,
  allowedLatenessMs: 0,
};

describe('archivers sharing a group', () => {
  it('the embedded broker tells each member which partitions it gained and lost', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: TOPIC, partitions: 4 }]);
    const heard: AssignmentChange[][] = [[], []];
    const names = (c: AssignmentChange) => ({
      assigned: c.assigned.map((tp) => tp.partition),
      revoked: c.revoked.map((tp) => tp.partition),
    });
    const a = await broker.subscribe({
      groupId: 'g',
      topics: [TOPIC],
      onAssignment: (c) => heard[0].push(c),
    });
    const b = await broker.subscribe({
      groupId: 'g',
      topics: [TOPIC],
      onAssignment: (c) => heard[1].push(c),
    });
    await b.close();
    expect(heard[0].map(names)).toEqual([
      { assigned: [0, 1, 2, 3], revoked: [] },
      { assigned: [], revoked: [1, 3] },
      { assigned: [1, 3], revoked: [] },
    ]);
    expect(heard[1].map(names)).toEqual([{ assigned: [1, 3], revoked: [] }]);
    await a.close();
    await broker.close();
  });

  it(
    'one joins mid-run and one leaves mid-run: every line once',
    async () => {
      const broker = createMemoryBroker();
      const store = await newStore();
      const produced = await produce(broker, 2500);
      const random = createRandom(3);
      const stopA = new AbortController();
      const stopB = new AbortController();
      let b: Promise<ArchiverRun> | null = null;
      let readByB = 0;
      // Rolls by size only: when B joins and when A leaves, A holds open files of what it loses.
      const bySize = { ...settings, rollIntervalMs: 60_000, rollBytes: 6_000 };
      const a = runArchiver(broker, slowStore(store, random), {
        ...bySize,
        signal: stopA.signal,
        onProgress(p) {
          if (b === null && read(p) >= 800) {
            b = runArchiver(broker, slowStore(store, random), {
              ...bySize,
              signal: stopB.signal,
              onProgress(q) {
                readByB = read(q);
                if (readByB >= 300) stopA.abort();
              },
            });
          }
        },
      });
      const runA = await a;
      expect(b).not.toBeNull();
      // B has read every partition to its end once A has gone; its open files roll as it stops.
      await untilRead(() => readByB, 2500, 'B');
      stopB.abort();
      const runB = await (b as unknown as Promise<ArchiverRun>);
      await expectExactLake(store, produced);
      expect(runA.lines).toBeGreaterThan(0);
      expect(runB.lines).toBeGreaterThan(0);
      expect(runA.lines + runB.lines).toBe(2500);
      expect(runB.gaps).toEqual([]);
      await broker.close();
    },
    MEMBERSHIP_TEST_MS,
  );

  it("a partition handed over with every line stored and committed is at its end in the new owner's progress", async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 600);
    const first = await runArchiver(broker, store, { ...settings, stopWhenIdle: true });
    expect(first.lines).toBe(600);
    // The next member of the group is given every partition and has nothing left to read.
    let last: ArchiverProgress | null = null;
    const next = await runArchiver(broker, store, {
      ...settings,
      stopWhenIdle: true,
      onProgress(p) {
        last = { ...p, positions: new Map(p.positions) };
      },
    });
    expect(next.lines).toBe(0);
    const seen = last as ArchiverProgress | null;
    expect(seen?.assigned).toEqual([0, 1, 2, 3]);
    expect([...(seen?.positions ?? [])].sort((x, y) => x[0] - y[0])).toEqual(
      produced.map((lines, p) => [p, lines.length]),
    );
    await broker.close();
  });

  it(
    'members joining and leaving at random moments, in the middle of rolls: every line once',
    async () => {
      const random = createRandom(17);
      for (let trial = 0; trial < 4; trial++) {
        const broker = createMemoryBroker();
        const store = await newStore();
        const produced = await produce(broker, 2000);
        const runs: Promise<ArchiverRun>[] = [];
        const stops: AbortController[] = [];
        const start = () => {
          const stop = new AbortController();
          stops.push(stop);
          runs.push(
            runArchiver(broker, slowStore(store, random), { ...settings, signal: stop.signal }),
          );
        };
        start();
        // Five changes of membership, a few milliseconds apart: joins, and leaves of running members.
        for (let change = 0; change < 5; change++) {
          await sleep(5 + random.int(40));
          const running = stops.filter((s) => !s.signal.aborted);
          if (running.length > 1 && random.next() < 0.5)
            running[random.int(running.length)].abort();
          else start();
        }
        await drained(broker, 'archiver');
        for (const s of stops) s.abort();
        const done = await Promise.all(runs);
        await expectExactLake(store, produced);
        expect(done.reduce((n, r) => n + r.lines, 0)).toBe(2000);
        for (const r of done) expect(r.gaps).toEqual([]);
        await broker.close();
      }
    },
    MEMBERSHIP_TEST_MS,
  );
  /**
   * One partition of 600 lines, and a store on which an old owner that has not heard it lost
   * partition 0 publishes offsets 0..149 just after this member recovered the partition (from an
   * empty lake) and started its own files: this member's first roll is stale.
   */
  async function staleAtFirstFile() {
    const broker = createMemoryBroker();
    const inner = await newStore();
    await broker.createTopics([{ name: TOPIC, partitions: 1 }]);
    const lines = [
      ...generateLines(defaultOptions({ lines: 600, spanMs: H, start: Date.UTC(2026, 0, 1) })),
    ];
    await broker.produce(
      TOPIC,
      lines.map((value) => ({ key: 'k', value })),
    );
    let published = false;
    const store: Store = {
      ...inner,
      engine: inner.engine,
      address: inner.address,
      create: async (path, options) => {
        // At the member's first file (not the marker of who numbers the topic, made before).
        if (!published && path.startsWith('/loglab/raw/')) {
          published = true;
          const roller = new ArchiveRoller(
            {
              topic: TOPIC,
              rollBytes: 1e9,
              rollIntervalMs: 1e9,
              allowedLatenessMs: H,
              writer: 'old',
            },
            getParser('auto'),
          );
          const old = new LakeWriter(inner, roller, TOPIC, () => {}, { writer: 'old' });
          for (let o = 0; o < 150; o++) old.add(0, o, lines[o], 0);
          expect(await old.rollPartition(0)).toBe('published');
        }
        return inner.create(path, options);
      },
    };
    return { broker, inner, lines, store };
  }

  it('a member whose roll was stale after it read past the lake rejoins and reads those records again', async () => {
    const { broker, inner, lines, store } = await staleAtFirstFile();
    const run = await runArchiver(broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      rollBytes: 1e9,
      rollIntervalMs: 1e9,
    });
    expect(run).toMatchObject({ staleRolls: 1, rejoins: 1, lines: 450, gaps: [] });
    await expectExactLake(inner, [lines]);
    await broker.close();
  });

  it("stream --archive: a last roll found stale at finish's stop sends the member back to read those records, then it stops", async () => {
    // This member's first roll is the one finish's stop makes (64 MB, 60 s).
    const { broker, inner, lines, store } = await staleAtFirstFile();
    const archive = startStreamArchive(broker, TOPIC, { store }, undefined);
    // Before, the stop rolled, found the roll stale and ended: offsets 150..599 in no file.
    const summary = await archive.finish();
    expect(summary).toMatchObject({ lines: 450, gaps: [] });
    await expectExactLake(inner, [lines]);
    expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(0);
    await broker.close();
  });

  it('a member that stops when idle first reads the partitions another member left it during an empty poll', async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 1200);
    // The other member joins first and never reads: it holds half the partitions until it goes.
    const other = await broker.subscribe({ groupId: 'archiver', topics: [TOPIC] });
    let left = false;
    // It leaves while the archiver's poll waits, and that poll still comes back empty: on Kafka
    // the partitions it gained are fetched only after the rebalance the poll ended across.
    const leaving = aroundPolls(broker, async (pollRaw, poll) => {
      const result = await pollRaw(poll);
      if (result.kind === 'idle' && !left) {
        left = true;
        await other.close();
      }
      return result;
    });
    const run = await runArchiver(leaving, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      rollIntervalMs: 1e9,
    });
    expect(left).toBe(true);
    expect(run).toMatchObject({ lines: 1200, gaps: [], stoppedBy: 'idle' });
    await expectExactLake(store, produced);
    expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(0);
    await broker.close();
  });

  it('a member that stops when idle does not stop at an empty poll cut short (a rejoin woke it)', async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 600);
    let early = 0;
    // Its first poll comes back empty at once, as a kafkajs member's does when the group's
    // rejoin drops what it had fetched: the records are fetched again after it.
    const rejoining = aroundPolls(broker, async (pollRaw, poll) =>
      early++ === 0 ? { kind: 'idle' } : pollRaw(poll),
    );
    const run = await runArchiver(rejoining, store, { stopWhenIdle: true, maxWaitMs: 200 });
    expect(run).toMatchObject({ lines: 600, gaps: [], stoppedBy: 'idle' });
    await expectExactLake(store, produced);
    await broker.close();
  });

  it('an empty poll cut short is told apart however long the roll after it takes', async () => {
    const broker = createMemoryBroker();
    const inner = await newStore();
    const produced = await produce(broker, 600);
    let polls = 0;
    // The second poll comes back empty after 110 ms, under half its wait; a roll is due after
    // it (100 ms), and its renames take 150 ms each: more than half the wait in all.
    const rejoining = aroundPolls(broker, async (pollRaw, poll) => {
      if (++polls !== 2) return pollRaw(poll);
      await sleep(110);
      return { kind: 'idle' };
    });
    const store: Store = {
      ...inner,
      engine: inner.engine,
      address: inner.address,
      rename: async (from, to) => {
        await sleep(150);
        return inner.rename(from, to);
      },
    };
    const run = await runArchiver(rejoining, store, {
      stopWhenIdle: true,
      maxWaitMs: 400,
      pollRecords: 100,
      rollIntervalMs: 100,
    });
    expect(run).toMatchObject({ lines: 600, gaps: [], stoppedBy: 'idle' });
    await expectExactLake(inner, produced);
    await broker.close();
  });

  it('--idle-exit counts again from partitions given late: their records, fetched after the rebalance, are read', async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 1200);
    const other = await broker.subscribe({ groupId: 'archiver', topics: [TOPIC] });
    let lastRecords = Date.now();
    let leftAt: number | null = null;
    // The other member leaves near the end of the idle window; for 300 ms after, the partitions
    // it left bring nothing yet (Kafka fetches them only after the rebalance).
    const leaving = aroundPolls(broker, async (pollRaw, poll) => {
      if (leftAt !== null && Date.now() - leftAt < 300) {
        await sleep(20);
        return { kind: 'idle' };
      }
      const result = await pollRaw(poll);
      if (result.kind === 'records') lastRecords = Date.now();
      else if (leftAt === null && Date.now() - lastRecords >= 800) {
        leftAt = Date.now();
        await other.close();
      }
      return result;
    });
    const run = await runArchiver(leaving, store, {
      idleExitMs: 1000,
      maxWaitMs: 20,
      rollIntervalMs: 1e9,
    });
    expect(leftAt).not.toBeNull();
    expect(run).toMatchObject({ lines: 1200, gaps: [], stoppedBy: 'idle' });
    await expectExactLake(store, produced);
    await broker.close();
  });
});
