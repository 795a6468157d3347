/**
 * The tests of lab 04, written once and run on each store: the local lake in `npm test`
 * (lab.test.ts) and HDFS through WebHDFS in `npm run test:cluster`
 * (test/cluster/lab04-exactly-once.test.ts). The learner's two functions are plugged into
 * loglab's real archiver (`runArchiver`'s `nextOffsets` and `publish` options) on the embedded
 * broker, which is then killed at chosen moments and restarted until it has read the topic.
 */
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { createRandom } from '../../src/generate/random';
import type { Roll } from '../../src/pipeline/archive-roller';
import { auditArchive } from '../../src/pipeline/lake-audit';
import { deleteTopicFiles } from '../../src/pipeline/lake-files';
import { SOURCES_DIR } from '../../src/pipeline/lake-source';
import { type ArchiverRun, runArchiver } from '../../src/pipeline/run-archiver';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { partitionForKey } from '../../src/stream/partitioner';

export interface LabImpl {
  nextOffsets(store: Store, topic: string): Promise<Map<number, number>>;
  publishRoll(store: Store, topic: string, roll: Roll, commit: () => Promise<void>): Promise<void>;
}

export interface SuiteEnv {
  /** Which file and which store, for the titles: `labs/04-exactly-once/solution.ts on …`. */
  readonly title: string;
  readonly store: () => Promise<Store>;
  /** A topic name no one else writes into this store. */
  readonly topic: string;
  /** Event time of the first generated line (a day no one else uses on a shared store). */
  readonly start: number;
}

const PARTITIONS = 3;
const H = 3_600_000;
const ROLL_BYTES = 6_000;

class Crash extends Error {}

/**
 * 600 generated lines over three hours. In the first half every 10th is garbage, so nearly
 * every roll there has a dead-letter file beside its raw one (rolls of several files); the
 * second half is clean (rolls of one file). Then one garbage line at the end of each partition
 * (the last roll of a partition ends in the dead-letter file). Returns each partition's lines.
 */
async function produce(broker: Broker, topic: string, start: number): Promise<string[][]> {
  await broker.createTopics([{ name: topic, partitions: PARTITIONS }]);
  const lines = [...generateLines(defaultOptions({ lines: 600, spanMs: 3 * H, start, seed: 4 }))];
  const messages = lines.map((l, i) => ({
    key: `k${i % 11}`,
    value: i < 300 && i % 10 === 3 ? `garbage line ${i}` : l,
  }));
  for (let p = 0; p < PARTITIONS; p++) {
    let n = 0;
    while (partitionForKey(`end-${n}`, PARTITIONS) !== p) n++;
    messages.push({ key: `end-${n}`, value: `garbage at the end of partition ${p}` });
  }
  await broker.produce(topic, messages);
  const truth: string[][] = Array.from({ length: PARTITIONS }, () => []);
  const reader = await broker.subscribe({ groupId: 'truth', topics: [topic], fromBeginning: true });
  for (;;) {
    const r = await reader.poll({ maxWaitMs: 10, maxRecords: 10_000 });
    if (r.kind !== 'records') break;
    for (const b of r.batches) for (const rec of b.records) truth[b.partition].push(rec.value);
  }
  await reader.close();
  return truth;
}

/**
 * A store that throws a Crash at its `at`-th rename of a roll, before or after doing it. The
 * rename that places the lake's marker of who numbers the topic (once, at the first start) is
 * not counted: the crashes are meant for the rolls.
 */
function renameCrash(inner: Store, at: number, after: boolean): Store {
  let renames = 0;
  return {
    ...inner,
    engine: inner.engine,
    address: inner.address,
    rename: async (from, to) => {
      if (to.startsWith(`${SOURCES_DIR}/`)) return inner.rename(from, to);
      renames++;
      if (renames === at && !after) throw new Crash(`killed before rename ${at}`);
      await inner.rename(from, to);
      if (renames === at && after) throw new Crash(`killed after rename ${at}`);
    },
  };
}

/** A store that throws a Crash at its `at`-th mutating call (create, rename, delete, …). */
function callCrash(inner: Store, at: number, after: boolean): Store {
  let calls = 0;
  const step = async <T>(op: () => Promise<T>): Promise<T> => {
    // The call's own number: calls made beside it while it runs must not move it.
    const call = ++calls;
    if (call === at && !after) throw new Crash(`killed before call ${at}`);
    const result = await op();
    if (call === at && after) {
      // A killed process holds no open file: close the one just created.
      (result as { destroy?: () => void } | undefined)?.destroy?.();
      throw new Crash(`killed after call ${at}`);
    }
    return result;
  };
  return {
    ...inner,
    engine: inner.engine,
    address: inner.address,
    mkdirs: (p) => step(() => inner.mkdirs(p)),
    create: (p, o) => step(() => inner.create(p, o)),
    append: (p) => step(() => inner.append(p)),
    rename: (a, b) => step(() => inner.rename(a, b)),
    delete: (p, o) => step(() => inner.delete(p, o)),
  };
}

export function exactlyOnceSuite(env: SuiteEnv, impl: LabImpl): void {
  const { topic, start } = env;

  /** One archiver run with the learner's steps; a Crash is the run dying, anything else fails. */
  async function run(
    broker: Broker,
    store: Store,
    extra: { beforeCommit?: (roll: Roll) => void } = {},
  ): Promise<ArchiverRun | 'crashed'> {
    try {
      return await runArchiver(broker, store, {
        topic,
        groupId: 'archiver',
        rollBytes: ROLL_BYTES,
        stopWhenIdle: true,
        maxWaitMs: 5,
        nextOffsets: impl.nextOffsets,
        publish: impl.publishRoll,
        ...extra,
      });
    } catch (err) {
      if (err instanceof Crash) return 'crashed';
      throw err;
    }
  }

  /** Restarts without crashing until a run ends, then checks the lake line for line. */
  async function finishAndAudit(broker: Broker, store: Store, produced: string[][]) {
    const last = await run(broker, store);
    expect(last).not.toBe('crashed');
    const audit = await auditArchive(store, topic, produced);
    expect({ lost: audit.lost, repeated: audit.repeated, tmpFiles: audit.tmpFiles }).toEqual({
      lost: 0,
      repeated: 0,
      tmpFiles: 0,
    });
    expect(audit.stored).toBe(600 + PARTITIONS);
  }

  async function withLake(
    test: (broker: Broker, store: Store, produced: string[][]) => Promise<void>,
  ) {
    const store = await env.store();
    const broker = createMemoryBroker();
    try {
      await deleteTopicFiles(store, topic);
      await test(broker, store, await produce(broker, topic, start));
    } finally {
      await deleteTopicFiles(store, topic);
      await broker.close();
      await store.close();
    }
  }

  describe(`${env.title}: nextOffsets`, () => {
    it('reads max(lastOffset) + 1 per partition from raw and dead-letter names only', async () => {
      const store = await env.store();
      const day = new Date(start).toISOString().slice(0, 10);
      const written: string[] = [];
      const put = async (path: string) => {
        const out = await store.create(path, { overwrite: true });
        out.end('x\n');
        await finished(out);
        written.push(path);
      };
      try {
        expect([...(await impl.nextOffsets(store, topic))]).toEqual([]);
        await put(`/loglab/raw/date=${day}/hour=10/${topic}+0+0+99.log`);
        await put(`/loglab/raw/date=${day}/hour=11/${topic}+0+100+149.log`);
        await put(`/loglab/raw/date=${day}/hour=11/${topic}+1+0+7.log`);
        // The dead letters of partition 1 end after its raw lines.
        await put(`/loglab/deadletter/${topic}+1+3+8.log`);
        await put(`/loglab/raw/date=${day}/hour=12/${topic}+2+5+9.log.gz`);
        // None of these may move an offset: another topic, not a raw file, under _tmp.
        await put(`/loglab/raw/date=${day}/hour=12/${topic}.other+0+0+5000.log`);
        await put(`/loglab/raw/date=${day}/hour=12/${topic}+0+0+900.log.crc`);
        await put(`/loglab/raw/_tmp/${topic}+2+0+999.log`);
        const next = await impl.nextOffsets(store, topic);
        expect([...next].sort((a, b) => a[0] - b[0])).toEqual([
          [0, 150],
          [1, 9],
          [2, 10],
        ]);
      } finally {
        for (const p of written) await store.delete(p, { missingOk: true });
        await deleteTopicFiles(store, topic);
        await store.close();
      }
    });
  });

  describe(`${env.title}: publishRoll`, () => {
    /** The store's mutating calls and the commit, in the order they happened. */
    function recorder(inner: Store, log: string[]): Store {
      return {
        ...inner,
        engine: inner.engine,
        address: inner.address,
        create: (p, o) => {
          log.push(`create ${p}`);
          return inner.create(p, o);
        },
        rename: (a, b) => {
          log.push(`rename ${a} → ${b}`);
          return inner.rename(a, b);
        },
        delete: (p, o) => {
          log.push(`delete ${p}`);
          return inner.delete(p, o);
        },
      };
    }

    it('renames every file into place, with a manifest around several, then commits', async () => {
      const inner = await env.store();
      const day = new Date(start).toISOString().slice(0, 10);
      const tmp = (first: number) => `/loglab/raw/_tmp/${topic}+4+${first}.tmp`;
      const final = (hour: string, first: number, last: number) =>
        `/loglab/raw/date=${day}/hour=${hour}/${topic}+4+${first}+${last}.log`;
      const file = (hour: string, first: number, last: number) => ({
        file: { partition: 4, firstOffset: first, lastOffset: last } as never,
        tmpPath: tmp(first),
        finalPath: final(hour, first, last),
      });
      try {
        for (const first of [0, 10, 11]) {
          const out = await inner.create(tmp(first), { overwrite: true });
          out.end('x\n');
          await finished(out);
        }
        const log: string[] = [];
        const store = recorder(inner, log);
        const commit = async () => {
          log.push('commit');
        };
        await impl.publishRoll(
          store,
          topic,
          { partition: 4, files: [file('10', 0, 9)], nextOffset: 10 },
          commit,
        );
        expect(log).toEqual([`rename ${tmp(0)} → ${final('10', 0, 9)}`, 'commit']);
        log.length = 0;
        await impl.publishRoll(
          store,
          topic,
          { partition: 4, files: [file('10', 10, 12), file('11', 11, 11)], nextOffset: 13 },
          commit,
        );
        const manifest = `/loglab/raw/_tmp/${topic}+4+10.roll`;
        expect(log).toEqual([
          `create ${manifest}`,
          `rename ${tmp(10)} → ${final('10', 10, 12)}`,
          `rename ${tmp(11)} → ${final('11', 11, 11)}`,
          `delete ${manifest}`,
          'commit',
        ]);
        expect(await inner.stat(manifest)).toBe(null);
      } finally {
        await deleteTopicFiles(inner, topic);
        await inner.close();
      }
    });
  });

  describe(`${env.title}: the archiver killed and restarted`, () => {
    it('killed between the renames and the commit of every roll: nothing lost or repeated', async () => {
      await withLake(async (broker, store, produced) => {
        let crashes = 0;
        // Each run commits its first roll and dies after renaming its second.
        for (let runs = 0; runs < 200; runs++) {
          let rolls = 0;
          const r = await run(broker, store, {
            beforeCommit: () => {
              if (++rolls === 2) throw new Crash('killed before the commit');
            },
          });
          if (r !== 'crashed') break;
          crashes++;
        }
        expect(crashes).toBeGreaterThan(10);
        await finishAndAudit(broker, store, produced);
      });
    });

    it('killed just before or just after a rename inside a roll: nothing lost or repeated', async () => {
      await withLake(async (broker, store, produced) => {
        for (const [at, after] of [
          [1, false],
          [1, true],
          [4, true],
          [2, false],
          [7, true],
        ] as const) {
          expect(await run(broker, renameCrash(store, at, after))).toBe('crashed');
        }
        // Then every run dies just before its second rename, through the rolls of one file.
        let crashes = 0;
        for (let runs = 0; runs < 200; runs++) {
          if ((await run(broker, renameCrash(store, 2, false))) !== 'crashed') break;
          crashes++;
        }
        expect(crashes).toBeGreaterThan(10);
        await finishAndAudit(broker, store, produced);
      });
    });

    it('killed at 25 random moments of one run: nothing lost or repeated', async () => {
      await withLake(async (broker, store, produced) => {
        const random = createRandom(404);
        let crashes = 0;
        for (let i = 0; i < 25; i++) {
          const r = await run(broker, callCrash(store, 1 + random.int(12), random.chance(0.5)));
          if (r === 'crashed') crashes++;
        }
        expect(crashes).toBeGreaterThan(15);
        await finishAndAudit(broker, store, produced);
      });
    });
  });
}
