/**
 * The Store port's contract (src/storage/store.ts) as one suite, run on every adapter: the
 * local one in `npm test` (local-store.test.ts), the WebHDFS one against a real HDFS in the
 * cluster tests (test/cluster/webhdfs-store.test.ts). Every case works under its own directory,
 * so a suite can share a cluster with others and clean up after itself.
 */
import { randomBytes } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Writes with write()/end() (no pipe), then waits until the store says the bytes are stored. */
export async function writeAll(stream: Writable, ...chunks: (string | Buffer)[]): Promise<void> {
  for (const c of chunks) stream.write(c);
  stream.end();
  await finished(stream);
}

export interface ContractTarget {
  /** Makes the store under test; called once for the suite. */
  open(): Promise<Store>;
  /** The lake directory every case works under, e.g. /loglab-test/1234. */
  base: string;
  /** Removes what the suite wrote; the store is closed after it. */
  cleanup?(store: Store): Promise<void>;
}

export function storeContract(name: string, target: ContractTarget): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let n = 0;
    /** A fresh directory for one case (not made). */
    const dir = () => `${target.base}/c${++n}`;
    const text = async (path: string) => (await readAll(await store.open(path))).toString('utf8');

    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(async () => {
      if (store === undefined) return;
      await target.cleanup?.(store);
      await store.close();
    });

    it('creates a file with write()/end(), making its parents, and reads it back', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/a/b/f.log`), 'line 1\n', 'line 2 é\n');
      expect(await text(`${d}/a/b/f.log`)).toBe('line 1\nline 2 é\n');
      expect(await store.stat(`${d}/a/b/f.log`)).toMatchObject({
        path: `${d}/a/b/f.log`,
        name: 'f.log',
        type: 'file',
        size: 17,
      });
      expect(await store.stat(`${d}/a/b`)).toMatchObject({ type: 'directory', size: 0 });
    });

    it('stores bytes exactly, through pipeline, for a file of several MiB', async () => {
      const d = dir();
      const data = randomBytes(3 * 1024 * 1024 + 7);
      const parts = [0, 1, 2, 3].map((i) =>
        data.subarray(i * 1048576, (i + 1) * 1048576 + (i === 3 ? 7 : 0)),
      );
      await pipeline(Readable.from(parts), await store.create(`${d}/big.bin`));
      expect((await store.stat(`${d}/big.bin`))?.size).toBe(data.length);
      expect((await readAll(await store.open(`${d}/big.bin`))).equals(data)).toBe(true);
    });

    it('creates an empty file', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/empty.log`));
      expect(await store.stat(`${d}/empty.log`)).toMatchObject({ type: 'file', size: 0 });
      expect(await text(`${d}/empty.log`)).toBe('');
    });

    it('refuses to create over an existing file unless told to overwrite', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/f.log`), 'first\n');
      await expect(
        (async () => writeAll(await store.create(`${d}/f.log`), 'second\n'))(),
      ).rejects.toMatchObject({ code: 'ALREADY_EXISTS', context: { path: `${d}/f.log` } });
      expect(await text(`${d}/f.log`)).toBe('first\n');
      await writeAll(await store.create(`${d}/f.log`, { overwrite: true }), 'third\n');
      expect(await text(`${d}/f.log`)).toBe('third\n');
      await expect(store.create(d, { overwrite: true })).rejects.toMatchObject({
        code: 'ALREADY_EXISTS',
        context: { path: d },
      });
    });

    it('appends to a file, and refuses to append to a missing one', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/f.log`), 'a\n');
      await writeAll(await store.append(`${d}/f.log`), 'b\n', 'c\n');
      expect(await text(`${d}/f.log`)).toBe('a\nb\nc\n');
      await expect(
        (async () => writeAll(await store.append(`${d}/nope.log`), 'x\n'))(),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', context: { path: `${d}/nope.log` } });
      expect(await store.stat(`${d}/nope.log`)).toBeNull();
    });

    it('renames a file into a new directory; the source is gone', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/_tmp/t+0+5.tmp`), 'x\n');
      await store.rename(`${d}/_tmp/t+0+5.tmp`, `${d}/date=2026-12-05/hour=23/t+0+5+9.log`);
      expect(await store.stat(`${d}/_tmp/t+0+5.tmp`)).toBeNull();
      expect(await text(`${d}/date=2026-12-05/hour=23/t+0+5+9.log`)).toBe('x\n');
    });

    it('fails to rename a missing source (NOT_FOUND)', async () => {
      const d = dir();
      await store.mkdirs(d);
      await expect(store.rename(`${d}/nope`, `${d}/other`)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        context: { path: `${d}/nope` },
      });
      expect(await store.stat(`${d}/other`)).toBeNull();
    });

    it('never replaces a target: an existing file or directory is ALREADY_EXISTS', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/a`), 'a\n');
      await writeAll(await store.create(`${d}/b`), 'b\n');
      await store.mkdirs(`${d}/dir`);
      await expect(store.rename(`${d}/a`, `${d}/b`)).rejects.toMatchObject({
        code: 'ALREADY_EXISTS',
        context: { path: `${d}/b` },
      });
      // HDFS itself would move `a` into `dir`.
      await expect(store.rename(`${d}/a`, `${d}/dir`)).rejects.toMatchObject({
        code: 'ALREADY_EXISTS',
        context: { path: `${d}/dir` },
      });
      expect([await text(`${d}/a`), await text(`${d}/b`)]).toEqual(['a\n', 'b\n']);
      expect(await store.list(`${d}/dir`)).toEqual([]);
    });

    it('renames a directory with its files', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/x/f`), 'f\n');
      await store.rename(`${d}/x`, `${d}/y`);
      expect(await store.stat(`${d}/x`)).toBeNull();
      expect(await text(`${d}/y/f`)).toBe('f\n');
    });

    it('lists a directory sorted by name, with types, sizes and times', async () => {
      const d = dir();
      const before = Date.now();
      await writeAll(await store.create(`${d}/b.log`), '12345');
      await writeAll(await store.create(`${d}/a+1.log`), '1');
      await store.mkdirs(`${d}/_tmp`);
      const list = await store.list(d);
      expect(list.map((e) => [e.path, e.name, e.type, e.size])).toEqual([
        [`${d}/_tmp`, '_tmp', 'directory', 0],
        [`${d}/a+1.log`, 'a+1.log', 'file', 1],
        [`${d}/b.log`, 'b.log', 'file', 5],
      ]);
      for (const e of list) {
        // The store's clock may be another machine's: within a minute of ours.
        expect(Math.abs(e.mtime - before)).toBeLessThan(60_000);
      }
      expect((await store.list(`${d}/b.log`)).map((e) => [e.path, e.type, e.size])).toEqual([
        [`${d}/b.log`, 'file', 5],
      ]);
      expect(await store.list(`${d}/_tmp`)).toEqual([]);
      await expect(store.list(`${d}/nope`)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        context: { path: `${d}/nope` },
      });
    });

    it('answers stat of a missing path with null, also under a missing directory', async () => {
      const d = dir();
      expect(await store.stat(`${d}/nope`)).toBeNull();
      expect(await store.stat(`${d}/no/such/thing`)).toBeNull();
    });

    it('makes directories idempotently', async () => {
      const d = dir();
      await store.mkdirs(`${d}/p/q`);
      await store.mkdirs(`${d}/p/q`);
      expect(await store.stat(`${d}/p/q`)).toMatchObject({ type: 'directory', name: 'q' });
      await writeAll(await store.create(`${d}/f`), 'f\n');
      await expect(store.mkdirs(`${d}/f`)).rejects.toMatchObject({
        code: 'ALREADY_EXISTS',
        context: { path: `${d}/f` },
      });
      // Under a file nothing can exist.
      expect(await store.stat(`${d}/f/x`)).toBeNull();
    });

    it('fails to open a missing file (NOT_FOUND) or a directory (IO)', async () => {
      const d = dir();
      await store.mkdirs(d);
      await expect(store.open(`${d}/nope`)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        context: { path: `${d}/nope` },
      });
      await expect(store.open(d)).rejects.toMatchObject({ code: 'IO', context: { path: d } });
    });

    it('deletes files and trees; a missing path is NOT_FOUND unless missingOk', async () => {
      const d = dir();
      await writeAll(await store.create(`${d}/t/f`), 'f\n');
      await writeAll(await store.create(`${d}/g`), 'g\n');
      expect(await store.delete(`${d}/g`)).toBe('deleted');
      expect(await store.stat(`${d}/g`)).toBeNull();
      await expect(store.delete(`${d}/g`)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        context: { path: `${d}/g` },
      });
      expect(await store.delete(`${d}/g`, { missingOk: true })).toBe('missing');
      await expect(store.delete(`${d}/t`)).rejects.toMatchObject({
        code: 'IO',
        context: { path: `${d}/t` },
      });
      expect(await text(`${d}/t/f`)).toBe('f\n');
      expect(await store.delete(`${d}/t`, { recursive: true })).toBe('deleted');
      expect(await store.stat(`${d}/t`)).toBeNull();
      await store.mkdirs(`${d}/e`);
      expect(await store.delete(`${d}/e`)).toBe('deleted');
    });

    it('refuses to delete the root', async () => {
      await expect(store.delete('/', { recursive: true })).rejects.toMatchObject({
        code: 'BAD_INPUT',
      });
    });

    it.each([
      ['relative', 'loglab/raw'],
      ['dot-dot', '/loglab/../../etc/passwd'],
      ['NUL', '/loglab/a\0b'],
      ['backslash', '/loglab\\..\\x'],
      ['query', '/loglab/x?op=DELETE&recursive=true'],
      ['empty segment', '//etc'],
    ])('refuses a %s path before any I/O (BAD_INPUT)', async (_, bad) => {
      const ops: (() => Promise<unknown>)[] = [
        () => store.mkdirs(bad),
        () => store.create(bad),
        () => store.append(bad),
        () => store.rename(bad, `${target.base}/x`),
        () => store.rename(`${target.base}/x`, bad),
        () => store.list(bad),
        () => store.stat(bad),
        () => store.open(bad),
        () => store.delete(bad, { recursive: true, missingOk: true }),
      ];
      for (const op of ops) await expect(op()).rejects.toMatchObject({ code: 'BAD_INPUT' });
    });
  });
}
