/**
 * The archiver's options on the embedded broker and the local store: gzip files that hold the
 * same lines back exactly and that recovery reads offsets from, --max, --idle-exit and the
 * progress counts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { SOURCES_DIR } from '../../src/pipeline/lake-source';
import { type ArchiverProgress, runArchiver } from '../../src/pipeline/run-archiver';
import { isRawFile, parseRawFileName } from '../../src/storage/lake-layout';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-archiver-options-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newLake = async () => {
  const root = join(scratch, `lake${lakes++}`);
  return { root, store: await createLocalStore({ root }) };
};

const TOPIC = 'weblogs.raw';
const PARTITIONS = 3;
const H = 3_600_000;
const FAST = { maxWaitMs: 20 } as const;

/** `count` generated lines over two hours, every 41st one garbage, keyed over 11 keys. */
async function produce(broker: Broker, count: number, from = 0): Promise<string[]> {
  await broker.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
  const lines = [
    ...generateLines(defaultOptions({ lines: count, spanMs: 2 * H, start: Date.UTC(2026, 0, 1) })),
  ].map((l, i) => (i % 41 === 3 ? `garbage line ${from + i}` : l));
  const ack = await broker.produce(
    TOPIC,
    lines.map((value, i) => ({ key: `k${(from + i) % 11}`, value })),
  );
  expect(ack.count).toBe(count);
  return lines;
}

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface Stored {
  readonly path: string;
  readonly name: string;
  readonly partition: number;
  readonly first: number;
  readonly lines: string[];
}

/** Every file of the lake, gunzipped when its name says so; the raw lines of dead letters. */
async function lakeFiles(store: Store, dir = '/loglab', out: Stored[] = []): Promise<Stored[]> {
  if ((await store.stat(dir)) === null) return out;
  for (const e of await store.list(dir)) {
    if (e.type === 'directory') {
      // Who numbers each topic (lake-source.ts), not lines.
      if (e.path !== SOURCES_DIR) await lakeFiles(store, e.path, out);
      continue;
    }
    const parsed = parseRawFileName(e.name);
    if (!isRawFile(parsed)) throw new Error(`not a raw file: ${e.path}`);
    const raw = await bytes(await store.open(e.path));
    const text = (parsed.file.compression === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    expect(text.endsWith('\n'), e.path).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    out.push({
      path: e.path,
      name: e.name,
      partition: parsed.file.partition,
      first: parsed.file.firstOffset,
      lines: dir === '/loglab/deadletter' ? lines.map((l) => JSON.parse(l).line as string) : lines,
    });
  }
  return out;
}

/** Every line in the lake, sorted: compared with what was produced, sorted. */
async function lakeLines(store: Store): Promise<string[]> {
  return (await lakeFiles(store)).flatMap((f) => f.lines).sort();
}

describe('archiver options', () => {
  it('--compress gzip: every closed file is .log.gz and holds exactly the lines produced', async () => {
    const broker = createMemoryBroker();
    const { root, store } = await newLake();
    const produced = await produce(broker, 2000);
    const run = await runArchiver(broker, store, {
      ...FAST,
      stopWhenIdle: true,
      compression: 'gzip',
      rollBytes: 30_000,
    });
    expect(run.lines).toBe(2000);
    const files = await lakeFiles(store);
    expect(files.length).toBe(run.files);
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => !f.name.endsWith('.log.gz'))).toEqual([]);
    expect(await lakeLines(store)).toEqual([...produced].sort());
    // Stored compressed: the gzip magic, and fewer bytes than the text.
    const one = files.reduce((a, b) => (b.lines.length > a.lines.length ? b : a));
    const onDisk = readFileSync(join(root, one.path));
    expect([...onDisk.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(onDisk.length).toBeLessThan(one.lines.join('\n').length / 2);
    await broker.close();
  });

  it('recovery reads the offsets of .gz names: a restart after rename, before commit, repeats nothing', async () => {
    const broker = createMemoryBroker();
    const { store } = await newLake();
    const produced = await produce(broker, 1500);
    let stored = 0;
    await expect(
      runArchiver(broker, store, {
        ...FAST,
        stopWhenIdle: true,
        compression: 'gzip',
        rollBytes: 20_000,
        beforeCommit: (roll) => {
          stored = roll.files.reduce((n, f) => n + f.file.lines, 0);
          throw new Error('killed between rename and commit');
        },
      }),
    ).rejects.toThrow('killed between rename and commit');
    expect(stored).toBeGreaterThan(0);
    // Nothing committed: the group reads everything again, and skips what the .gz files hold.
    const run = await runArchiver(broker, store, { ...FAST, stopWhenIdle: true });
    expect(run.skipped).toBe(stored);
    expect(run.lines).toBe(1500 - stored);
    expect(run.gaps).toEqual([]);
    expect(await lakeLines(store)).toEqual([...produced].sort());
    const names = (await lakeFiles(store)).map((f) => f.name);
    expect(names.filter((n) => n.endsWith('.log.gz')).length).toBeGreaterThan(0);
    expect(names.filter((n) => n.endsWith('.log')).length).toBeGreaterThan(0);
    await broker.close();
  });

  it('--max N archives exactly N lines, rolls them, commits them; the next run goes on from there', async () => {
    const broker = createMemoryBroker();
    const { store } = await newLake();
    const produced = await produce(broker, 1000);
    const first = await runArchiver(broker, store, { ...FAST, maxLines: 400, pollRecords: 150 });
    expect(first).toMatchObject({ lines: 400, skipped: 0, stoppedBy: 'max' });
    expect((await lakeFiles(store)).flatMap((f) => f.lines).length).toBe(400);
    expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(600);
    const rest = await runArchiver(broker, store, { ...FAST, stopWhenIdle: true });
    expect(rest).toMatchObject({ lines: 600, skipped: 0, gaps: [] });
    expect(await lakeLines(store)).toEqual([...produced].sort());
    await broker.close();
  });

  it('--idle-exit: stays while records keep coming, stops once none came for that long', async () => {
    const broker = createMemoryBroker();
    const { store } = await newLake();
    const produced = await produce(broker, 100);
    const started = Date.now();
    const running = runArchiver(broker, store, { ...FAST, idleExitMs: 1500 });
    // Six more batches, 400 ms apart: longer than 1.5 s in all, never 1.5 s without a record.
    for (let i = 1; i <= 6; i++) {
      await new Promise((r) => setTimeout(r, 400));
      produced.push(...(await produce(broker, 100, i * 100)));
    }
    const lastProduced = Date.now();
    const run = await running;
    expect(run).toMatchObject({ lines: 700, stoppedBy: 'idle' });
    expect(Date.now() - lastProduced).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3800);
    expect(await lakeLines(store)).toEqual([...produced].sort());
    await broker.close();
  });

  it('reports progress after each batch, ending at the run totals', async () => {
    const broker = createMemoryBroker();
    const { store } = await newLake();
    await produce(broker, 1000);
    const seen: ArchiverProgress[] = [];
    const run = await runArchiver(broker, store, {
      ...FAST,
      stopWhenIdle: true,
      pollRecords: 250,
      rollBytes: 20_000,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.lines)).toEqual([250, 500, 750, 1000]);
    expect(seen.at(-1)?.files).toBeLessThanOrEqual(run.files);
    expect(seen.at(-1)?.files).toBeGreaterThan(0);
    await broker.close();
  });
});
