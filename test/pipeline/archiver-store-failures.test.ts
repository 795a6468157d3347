/**
 * The archiver when the store fails under it, on the embedded broker and the local store:
 * - a full disk (writes into /dev/full, a real ENOSPC through the local store's own streams)
 *   stops it with one line naming the file and the cause, nothing committed past what is
 *   stored, and a run after space is freed completes the lake without a loss or a repeat;
 * - a store that stops answering for a while is waited out: refused calls are retried, a file
 *   whose upload broke is abandoned and its lines read again, and the lake is exact;
 * - an outage longer than the total wait is one line saying so.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LoglabError } from '../../src/errors';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { getParser } from '../../src/log/parser';
import { isRecord } from '../../src/log/record';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { startStreamArchive } from '../../src/pipeline/stream-archive';
import { isRawFile, parseRawFileName } from '../../src/storage/lake-layout';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { whatEachPartitionHolds } from './lake-truth';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-archiver-failures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const TOPIC = 'weblogs.raw';
const PARTITIONS = 3;
const H = 3_600_000;
const parse = getParser('auto');

/** `count` generated lines over two hours; what each partition holds, in offset order. */
async function produce(broker: Broker, count: number): Promise<string[][]> {
  await broker.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
  const lines = [...generateLines(defaultOptions({ lines: count, spanMs: 2 * H }))];
  for (let i = 0; i < lines.length; i += 500) {
    await broker.produce(
      TOPIC,
      lines.slice(i, i + 500).map((value, j) => ({ key: `k${(i + j) % 7}`, value })),
    );
  }
  return whatEachPartitionHolds(broker, TOPIC, PARTITIONS);
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Per partition, offset → line, as the visible files of the lake hold them. */
async function stored(store: Store, dir = '/loglab/raw', out = new Map<string, string[]>()) {
  if ((await store.stat(dir)) === null) return out;
  for (const e of await store.list(dir)) {
    if (e.name === '_tmp') continue;
    if (e.type === 'directory') {
      await stored(store, e.path, out);
      continue;
    }
    const parsed = parseRawFileName(e.name);
    expect(isRawFile(parsed), e.path).toBe(true);
    if (!isRawFile(parsed)) continue;
    const { partition, firstOffset, lastOffset } = parsed.file;
    const body = (await text(await store.open(e.path))).slice(0, -1).split('\n');
    expect(body.length, e.path).toBeLessThanOrEqual(lastOffset - firstOffset + 1);
    out.set(`${partition}:${firstOffset}:${dir}`, body);
  }
  return out;
}

function hourDir(line: string): string {
  const r = parse(line);
  if (!isRecord(r)) throw new Error(`not a log line: ${line}`);
  const iso = new Date(r.time).toISOString();
  return `/loglab/raw/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/**
 * Each file holds exactly the lines of its partition in its offset range and hour, in offset
 * order; returns per partition the offsets stored, sorted (duplicates kept, so a repeat shows).
 */
async function storedOffsets(store: Store, truth: string[][]): Promise<number[][]> {
  const seen: number[][] = truth.map(() => []);
  for (const [key, lines] of await stored(store)) {
    const [p, first, dir] = key.split(':');
    const src = truth[Number(p)];
    const offsets: number[] = [];
    for (let o = Number(first); offsets.length < lines.length && o < src.length; o++) {
      if (hourDir(src[o]) === dir) offsets.push(o);
    }
    expect(lines, key).toEqual(offsets.map((o) => src[o]));
    seen[Number(p)].push(...offsets);
  }
  return seen.map((s) => s.sort((a, b) => a - b));
}

async function expectExact(store: Store, truth: string[][]): Promise<void> {
  expect(await storedOffsets(store, truth)).toEqual(truth.map((t) => t.map((_, i) => i)));
}

/** A local lake whose `_tmp/` files are opened on /dev/full while `disk.full` is set. */
async function lakeOnDisk(disk: { full: boolean }): Promise<Store> {
  return createLocalStore({
    root: join(scratch, `lake${lakes++}`),
    openFile: (async (path: string, flags: string | number) =>
      disk.full && path.includes(`${join('loglab', 'raw', '_tmp')}`)
        ? open('/dev/full', 'w')
        : open(path, flags)) as typeof open,
  });
}

describe('archiver on a full disk', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'stops with one line naming the file, commits nothing past what is stored, loses nothing on a rerun',
    async () => {
      const broker = createMemoryBroker();
      const truth = await produce(broker, 3000);
      const disk = { full: false };
      const store = await lakeOnDisk(disk);
      let rolls = 0;
      const err = await runArchiver(broker, store, {
        stopWhenIdle: true,
        maxWaitMs: 20,
        pollRecords: 200,
        rollBytes: 20_000,
        log: () => {},
        beforeCommit: () => {
          // The disk fills up after a few rolls.
          if (++rolls === 4) disk.full = true;
        },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LoglabError);
      const message = (err as LoglabError).message;
      expect(message).toMatch(
        /^\/loglab\/raw\/_tmp\/weblogs\.raw\+[0-2]\+\d+\.[0-9a-f]{12}\.tmp: cannot write: no space left on device$/,
      );
      expect((err as LoglabError).code).toBe('IO');
      // What is stored is exact, and the commits are exactly the rolls stored.
      const offsets = await storedOffsets(store, truth);
      const lag = await broker.groupLag('archiver', [TOPIC]);
      for (const p of lag.partitions) {
        const inLake = offsets[p.partition];
        expect(inLake).toEqual(inLake.map((_, i) => i));
        expect(p.committed ?? 0).toBe(inLake.length);
      }
      expect(offsets.flat().length).toBeGreaterThan(0);
      expect(offsets.flat().length).toBeLessThan(3000);

      disk.full = false;
      const rerun = await runArchiver(broker, store, {
        stopWhenIdle: true,
        maxWaitMs: 20,
        log: () => {},
      });
      expect(rerun.lines + offsets.flat().length).toBe(3000);
      await expectExact(store, truth);
      expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(0);
    },
  );
});

const down = (path: string) =>
  new LoglabError(
    'SERVICE_DOWN',
    'WebHDFS at http://h:9870/webhdfs/v1 did not answer (ECONNRESET)',
    {
      retriable: true,
      context: { path },
    },
  );

/**
 * A store that goes away for `outageMs` the `at`-th time a `_tmp/` file is written to (or, with
 * `on` 'end', ended: the upload's last step, in a roll): that upload breaks, and every call fails
 * until the outage is over.
 */
function goingAway(
  inner: Store,
  at: number,
  outageMs: number,
  now: () => number,
  on: 'write' | 'end' = 'write',
): Store {
  let writes = 0;
  let until = 0;
  const guard =
    <A extends unknown[], R>(call: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (now() < until) throw down(String(args[0]));
      return call(...args);
    };
  return {
    ...inner,
    engine: inner.engine,
    address: inner.address,
    mkdirs: guard(inner.mkdirs),
    append: guard(inner.append),
    rename: guard(inner.rename),
    list: guard(inner.list),
    stat: guard(inner.stat),
    open: guard(inner.open),
    delete: guard(inner.delete),
    create: guard(async (path, opts) => {
      const out: Writable = await inner.create(path, opts);
      if (!path.endsWith('.tmp')) return out;
      if (on === 'end') {
        const end = out.end.bind(out);
        out.end = ((...args: unknown[]) => {
          if (++writes === at) {
            until = now() + outageMs;
            out.destroy(down(path));
            return out;
          }
          return (end as (...a: unknown[]) => Writable)(...args);
        }) as typeof out.end;
        return out;
      }
      const write = out.write.bind(out);
      out.write = ((chunk: string) => {
        if (++writes === at) {
          until = now() + outageMs;
          out.destroy(down(path));
          return false;
        }
        return write(chunk);
      }) as typeof out.write;
      return out;
    }),
  };
}

describe('archiver through a store outage', () => {
  it('retries, abandons the broken file, reads its lines again, and says so', async () => {
    const broker = createMemoryBroker();
    const truth = await produce(broker, 3000);
    const store = await createLocalStore({ root: join(scratch, `lake${lakes++}`) });
    const log: string[] = [];
    const run = await runArchiver(broker, goingAway(store, 6, 300, Date.now), {
      stopWhenIdle: true,
      maxWaitMs: 20,
      pollRecords: 100,
      rollBytes: 30_000,
      retry: { initialDelayMs: 20, maxDelayMs: 50, totalWaitMs: 5_000 },
      log: (line) => log.push(line),
    });
    expect(run.resumes).toBe(1);
    await expectExact(store, truth);
    expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(0);
    expect(log[0]).toMatch(
      /^WebHDFS at http:\/\/h:9870\/webhdfs\/v1 did not answer \(ECONNRESET\): abandoning the files being written; their lines will be read again$/,
    );
    expect(log.some((l) => /^resumed after \d+\.\d s: recovering from the lake$/.test(l))).toBe(
      true,
    );
  });

  it('stream --archive: an upload of the last roll broken by an outage is read again by the next attempt before it is stopped', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: TOPIC, partitions: PARTITIONS }]);
    // Ten minutes of one hour: no hour closes while the archiver reads.
    const lines = [...generateLines(defaultOptions({ lines: 900, spanMs: 600_000 }))];
    await broker.produce(
      TOPIC,
      lines.map((value, i) => ({ key: `k${i % 7}`, value })),
    );
    const truth = await whatEachPartitionHolds(broker, TOPIC, PARTITIONS);
    const store = await createLocalStore({ root: join(scratch, `lake${lakes++}`) });
    const log: string[] = [];
    // Nor does a size or an interval (64 MB, 60 s): the first file ended is in the roll
    // that finish's stop makes. The broken upload's lines were never stored: the next attempt
    // must read them again, not stop at once because the stop was already asked.
    const archive = startStreamArchive(
      broker,
      TOPIC,
      { store: goingAway(store, 1, 300, Date.now, 'end'), log: (line) => log.push(line) },
      undefined,
    );
    const summary = await archive.finish();
    expect(summary.lines).toBe(900);
    await expectExact(store, truth);
    expect((await broker.groupLag('archiver', [TOPIC])).total).toBe(0);
    expect(
      log.filter((l) =>
        l.endsWith(': abandoning the files being written; their lines will be read again'),
      ),
    ).toHaveLength(1);
    expect(log.at(-1)).toMatch(/^resumed after \d+\.\d s: recovering from the lake$/);
  });

  it('gives up with one line when the store stays away longer than the total wait', async () => {
    const broker = createMemoryBroker();
    await produce(broker, 1000);
    const store = await createLocalStore({ root: join(scratch, `lake${lakes++}`) });
    const log: string[] = [];
    const err = await runArchiver(broker, goingAway(store, 1, 60_000, Date.now), {
      stopWhenIdle: true,
      maxWaitMs: 20,
      retry: { initialDelayMs: 20, maxDelayMs: 50, totalWaitMs: 300 },
      log: (line) => log.push(line),
    }).catch((e: unknown) => e);
    expect((err as LoglabError).message).toMatch(
      /^\/loglab\/raw\/_tmp: gave up after 0 s of retrying: WebHDFS at http:\/\/h:9870\/webhdfs\/v1 did not answer \(ECONNRESET\)$/,
    );
    expect((await broker.groupLag('archiver', [TOPIC])).partitions.map((p) => p.committed)).toEqual(
      [null, null, null],
    );
  });
});
