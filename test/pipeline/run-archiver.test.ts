/**
 * The archiver on the embedded broker and the local store: what the lake holds equals what was
 * produced, line for line, even when the archiver is killed at random moments and restarted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { createRandom } from '../../src/generate/random';
import { getParser } from '../../src/log/parser';
import { isRecord } from '../../src/log/record';
import { type ArchiverRun, runArchiver } from '../../src/pipeline/run-archiver';
import { isRawFile, parseRawFileName } from '../../src/storage/lake-layout';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-archiver-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newStore = () => createLocalStore({ root: join(scratch, `lake${lakes++}`) });

const TOPIC = 'weblogs.raw';
const PARTITIONS = 3;
const H = 3_600_000;
const parse = getParser('auto');

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

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface LakeFile {
  readonly path: string;
  readonly dir: string;
  readonly partition: number;
  readonly first: number;
  readonly last: number;
  readonly lines: string[];
}

/** Every file under `dir` through the store's listing (what a reader of the lake sees). */
async function walk(store: Store, dir: string, out: LakeFile[] = []): Promise<LakeFile[]> {
  if ((await store.stat(dir)) === null) return out;
  for (const e of await store.list(dir)) {
    if (e.type === 'directory') {
      await walk(store, e.path, out);
      continue;
    }
    const parsed = parseRawFileName(e.name);
    expect(isRawFile(parsed), e.path).toBe(true);
    if (!isRawFile(parsed)) continue;
    const body = await text(await store.open(e.path));
    expect(body.endsWith('\n')).toBe(true);
    out.push({
      path: e.path,
      dir,
      partition: parsed.file.partition,
      first: parsed.file.firstOffset,
      last: parsed.file.lastOffset,
      lines: body.slice(0, -1).split('\n'),
    });
  }
  return out;
}

function hourDir(line: string): string | null {
  const r = parse(line);
  if (!isRecord(r)) return null;
  const iso = new Date(r.time).toISOString();
  return `/loglab/raw/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/**
 * The lake holds every produced line exactly once: each file holds exactly the lines of its
 * partition, in offset order, whose offsets are in its name's range and whose hour is its
 * directory (dead letters: the unparseable ones, with the line kept); and the files of a
 * partition together hold each of its offsets once.
 */
async function expectExactLake(store: Store, produced: string[][]): Promise<LakeFile[]> {
  const files = await walk(store, '/loglab');
  const seen: number[][] = produced.map(() => []);
  for (const f of files) {
    const src = produced[f.partition];
    const offsets: number[] = [];
    for (let o = f.first; o <= f.last; o++) {
      const dir = hourDir(src[o]);
      if (f.dir === '/loglab/deadletter' ? dir === null : dir === f.dir) offsets.push(o);
    }
    const lines =
      f.dir === '/loglab/deadletter' ? f.lines.map((l) => JSON.parse(l).line as string) : f.lines;
    expect(lines, f.path).toEqual(offsets.map((o) => src[o]));
    seen[f.partition].push(...offsets);
  }
  for (let p = 0; p < produced.length; p++) {
    expect(seen[p].sort((a, b) => a - b)).toEqual(produced[p].map((_, i) => i));
  }
  const all = files.flatMap((f) =>
    f.dir === '/loglab/deadletter' ? f.lines.map((l) => JSON.parse(l).line) : f.lines,
  );
  expect(all.sort()).toEqual(produced.flat().sort());
  expect(files.some((f) => f.path.includes('_tmp'))).toBe(false);
  const tmp = await store.stat('/loglab/raw/_tmp');
  if (tmp !== null) expect(await store.list('/loglab/raw/_tmp')).toEqual([]);
  return files;
}

class Crash extends Error {}

/** A store that dies at its `at`-th mutating call, before or after doing it. */
function crashingStore(inner: Store, at: number, after: boolean): Store {
  let calls = 0;
  const step = async <T>(op: () => Promise<T>): Promise<T> => {
    calls++;
    if (calls === at && !after) throw new Crash(`crash before call ${at}`);
    const result = await op();
    if (calls === at && after) {
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
    let rolledForward = 0;
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
      rolledForward += run.recovery.rolledForward;
      await expectExactLake(store, produced);
      await broker.close();
    }
    expect(crashes).toBeGreaterThan(30);
    expect(rolledForward).toBeGreaterThan(0);
  });
});
