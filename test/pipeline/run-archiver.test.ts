/**
 * The archiver on the embedded broker and the local store: what the lake holds equals what was
 * produced, line for line, even when the archiver is killed at random moments and restarted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { createRandom } from '../../src/generate/random';
import { type ArchiverRun, runArchiver } from '../../src/pipeline/run-archiver';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { expectExactLake } from './lake-truth';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-archiver-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newStore = () => createLocalStore({ root: join(scratch, `lake${lakes++}`) });

const TOPIC = 'weblogs.raw';
const PARTITIONS = 3;
const H = 3_600_000;

/** `count` generated lines over three hours, every 37th one garbage; produced in batches. */
async function produce(broker: Broker, count: number): Promise<string[][]> {
  await broker.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
  const lines = [
    ...generateLines(defaultOptions({ lines: count, spanMs: 3 * H, start: Date.UTC(2026, 0, 1) })),
  ].map((l, i) => (i % 37 === 5 ? `garbage line ${i}` : l));
  const byPartition: string[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let i = 0; i < lines.length; i += 250) {
    const batch = lines.slice(i, i + 250).map((value, j) => ({ key: `k${(i + j) % 11}`, value }));
    const ack = await broker.produce(TOPIC, batch);
    expect(ack.count).toBe(batch.length);
  }
  // Read back what each partition holds, in offset order, as the truth to compare with.
  const reader = await broker.subscribe({ groupId: 'truth', topics: [TOPIC], fromBeginning: true });
  for (;;) {
    const r = await reader.poll({ maxWaitMs: 20 });
    if (r.kind !== 'records') break;
    for (const b of r.batches)
      for (const rec of b.records) byPartition[b.partition].push(rec.value);
  }
  await reader.close();
  expect(byPartition.flat().length).toBe(count);
  return byPartition;
}

class Crash extends Error {}

/** A store that dies at its `at`-th mutating call, before or after doing it. */
function crashingStore(inner: Store, at: number, after: boolean): Store {
  let calls = 0;
  const step = async <T>(op: () => Promise<T>): Promise<T> => {
    // The call's own number: calls made beside it while it runs must not move it.
    const call = ++calls;
    if (call === at && !after) throw new Crash(`crash before call ${at}`);
    const result = await op();
    if (call === at && after) {
      // A killed process holds no open file: close the one just created.
      (result as { destroy?: () => void } | undefined)?.destroy?.();
      throw new Crash(`crash after call ${at}`);
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
    list: (p) => inner.list(p),
    stat: (p) => inner.stat(p),
    open: (p) => inner.open(p),
    close: () => inner.close(),
  };
}

describe('archiver', () => {
  it('stores every line once, in order, in the file of its partition and event hour', async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 3000);
    const run = await runArchiver(broker, store, { stopWhenIdle: true, maxWaitMs: 20 });
    expect(run.lines).toBe(3000);
    expect(run.skipped).toBe(0);
    expect(run.stoppedBy).toBe('idle');
    const files = await expectExactLake(store, produced);
    // Three hours of lines on three partitions, one roll each at the end: 9 raw files + 3 dead.
    expect(files.filter((f) => f.dir.startsWith('/loglab/raw/')).length).toBe(9);
    expect(files.filter((f) => f.dir === '/loglab/deadletter').length).toBe(3);
    expect(new Set(files.map((f) => f.dir)).size).toBe(4);
    // Everything committed: the group has nothing left to read.
    expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(0);
    await broker.close();
  });

  it('rolls files at the roll size: many files, each at least the size unless cut by its roll', async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 2000);
    const run = await runArchiver(broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      rollBytes: 8_000,
    });
    const files = await expectExactLake(store, produced);
    expect(run.files).toBe(files.length);
    const sizes = files.map((f) => f.lines.join('\n').length + 1);
    expect(Math.max(...sizes)).toBeLessThan(8_000 + 1_000);
    expect(sizes.filter((s) => s >= 8_000).length).toBeGreaterThan(30);
    await broker.close();
  });

  it('rolls an hour once the watermark passes it, before the end of the stream', async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 3000);
    const committed: number[] = [];
    await runArchiver(broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 20,
      pollRecords: 100,
      beforeCommit: (roll) => {
        committed.push(roll.partition);
      },
    });
    await expectExactLake(store, produced);
    // Each partition rolls when an hour closes (twice) and once at the end.
    expect(committed.length).toBeGreaterThanOrEqual(3 * PARTITIONS);
    await broker.close();
  });

  it('recovers from the lake, not from committed offsets: a commit behind the lake repeats nothing', async () => {
    const broker = createMemoryBroker();
    const store = await newStore();
    const produced = await produce(broker, 1500);
    let stored = 0;
    // The first roll is renamed into place, then the archiver dies before committing it.
    await expect(
      runArchiver(broker, store, {
        stopWhenIdle: true,
        maxWaitMs: 20,
        rollBytes: 20_000,
        beforeCommit: (roll) => {
          stored = roll.files.reduce((n, f) => n + f.file.lines, 0);
          throw new Crash('killed between rename and commit');
        },
      }),
    ).rejects.toThrow('killed between rename and commit');
    expect(stored).toBeGreaterThan(0);
    expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(1500);
    const run = await runArchiver(broker, store, { stopWhenIdle: true, maxWaitMs: 20 });
    expect(run.skipped).toBe(stored);
    expect(run.lines).toBe(1500 - stored);
    expect(run.gaps).toEqual([]);
    await expectExactLake(store, produced);
    await broker.close();
  });

  it('loses and repeats no line when killed at random moments and restarted', async () => {
    const random = createRandom(9);
    let crashes = 0;
    let claimsLeft = 0;
    for (let trial = 0; trial < 12; trial++) {
      const broker = createMemoryBroker();
      const store = await newStore();
      const produced = await produce(broker, 1200);
      let run: ArchiverRun | null = null;
      for (let attempt = 0; run === null; attempt++) {
        expect(attempt).toBeLessThan(200);
        const mode = random.int(3);
        const at = 1 + random.int(40);
        const s = mode === 2 ? store : crashingStore(store, at, mode === 1);
        // A claim left by the last crash is a roll decided but not finished: the restart rolls it forward.
        if ((await store.stat('/loglab/raw/_tmp')) !== null) {
          const left = await store.list('/loglab/raw/_tmp');
          claimsLeft += left.filter((e) => e.name.endsWith('.roll')).length;
        }
        try {
          run = await runArchiver(broker, s, {
            stopWhenIdle: true,
            maxWaitMs: 10,
            pollRecords: 150,
            rollBytes: 12_000,
            allowedLatenessMs: 0,
            beforeCommit:
              mode === 2 && random.next() < 0.5
                ? () => {
                    throw new Crash('killed before commit');
                  }
                : undefined,
          });
        } catch (err) {
          if (!(err instanceof Crash)) throw err;
          crashes++;
        }
      }
      await expectExactLake(store, produced);
      await broker.close();
    }
    expect(crashes).toBeGreaterThan(30);
    expect(claimsLeft).toBeGreaterThan(0);
  });
});
