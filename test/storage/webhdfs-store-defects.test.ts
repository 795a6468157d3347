/**
 * Each defect of the `webhdfs` package that the WebHDFS adapter wraps: first the package's own
 * behaviour on the triggering answer (so the test fails if a new version changes it), then the
 * adapter keeping the Store contract on the same answer. The server is a fake (fake-webhdfs.ts);
 * the same adapter passes the whole contract on a real HDFS in test/cluster/.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import webhdfs from 'webhdfs';
import type { Store } from '../../src/storage/store';
import { createWebHdfsStore } from '../../src/storage/webhdfs-store';
import { type FakeWebHdfs, startFakeWebHdfs } from './fake-webhdfs';
import { readAll, writeAll } from './store-contract';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let fake: FakeWebHdfs;
let store: Store;
let raw: ReturnType<typeof webhdfs.createClient>;

beforeAll(async () => {
  fake = await startFakeWebHdfs();
  store = createWebHdfsStore({ url: fake.url, requestTimeoutMs: 5_000 });
  const port = Number(new URL(fake.url).port);
  raw = webhdfs.createClient({ host: '127.0.0.1', port, path: '/webhdfs/v1', user: 'loglab' });
});
afterAll(async () => {
  await store?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.files.clear();
  fake.dirs.clear();
  fake.dirs.add('/');
  fake.log.length = 0;
  Object.assign(fake.knobs, {
    renameFalse: false,
    uploadStatus: null,
    createStatus: null,
    readLimit: null,
    remoteException: null,
  });
});

const callback = <T>(start: (cb: (err?: Error | null, value?: T) => void) => unknown) =>
  new Promise<T | undefined>((resolve, reject) =>
    start((err, value) => (err ? reject(err) : resolve(value))),
  );

describe('webhdfs package defect: createWriteStream follows the redirect only when piped', () => {
  it('the package, written with write()/end(), dies on the 307 with an uncaught TypeError', async () => {
    const port = new URL(fake.url).port;
    const script = `const c = require('webhdfs').createClient({ host: '127.0.0.1', port: ${port}, path: '/webhdfs/v1' });
      const s = c.createWriteStream('/x.log'); s.write('abc\\n'); s.end();
      setTimeout(() => process.exit(0), 3000);`;
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-e', script],
        { cwd: ROOT, timeout: 10_000 },
        (err, _o, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("TypeError: Cannot read properties of null (reading 'pipe')");
    expect(fake.files.has('/x.log')).toBe(false);
  });

  it('the adapter, written with write()/end() at once, stores every byte through the DataNode', async () => {
    const out = await store.create('/loglab/raw/a.log');
    out.write('line 1\n');
    out.write(Buffer.from('line 2\n'));
    out.end('line 3\n');
    await finished(out);
    expect(fake.files.get('/loglab/raw/a.log')?.toString()).toBe('line 1\nline 2\nline 3\n');
    expect(fake.log).toEqual([
      'nn GET GETFILESTATUS /loglab/raw/a.log',
      'nn PUT CREATE /loglab/raw/a.log',
      'dn PUT CREATE /loglab/raw/a.log',
      'nn GET GETFILESTATUS /loglab/raw/a.log',
    ]);
    await writeAll(await store.append('/loglab/raw/a.log'), 'line 4\n');
    expect(fake.files.get('/loglab/raw/a.log')?.toString()).toBe(
      'line 1\nline 2\nline 3\nline 4\n',
    );
  });
});

describe('webhdfs package defect: rename and unlink ignore {"boolean": false}', () => {
  it('the package resolves a rename and a delete of a missing path', async () => {
    await expect(callback((cb) => raw.rename('/nope', '/there', cb))).resolves.toBeUndefined();
    await expect(callback((cb) => raw.unlink('/nope', false, cb))).resolves.toBeUndefined();
    expect(fake.log).toEqual(['nn PUT RENAME /nope', 'nn DELETE DELETE /nope']);
  });

  it('the adapter turns a false rename into NOT_FOUND, ALREADY_EXISTS or IO', async () => {
    await expect(store.rename('/nope', '/there')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: '/nope: no such file or directory in the lake',
    });
    fake.files.set('/a', Buffer.from('a'));
    fake.knobs.renameFalse = true;
    await expect(store.rename('/a', '/b')).rejects.toMatchObject({
      code: 'IO',
      message: '/a: HDFS refused to rename it to /b',
    });
    fake.knobs.renameFalse = false;
    await store.rename('/a', '/d/b');
    expect([...fake.files.keys()]).toEqual(['/d/b']);
  });

  it('the adapter turns a false delete into NOT_FOUND, or "missing" when asked', async () => {
    await expect(store.delete('/nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.delete('/nope', { missingOk: true })).resolves.toBe('missing');
    fake.files.set('/a', Buffer.from('a'));
    await expect(store.delete('/a')).resolves.toBe('deleted');
  });
});

describe('webhdfs package defect: stat of a missing path rejects', () => {
  it('the package rejects with HDFS message; the adapter answers null', async () => {
    await expect(callback((cb) => raw.stat('/nope', cb))).rejects.toThrow(
      'File does not exist: /nope',
    );
    await expect(store.stat('/nope')).resolves.toBeNull();
  });
});

describe('webhdfs package defect: an upload refused with a status it does not list succeeds', () => {
  it('the package reports a 503 from the DataNode as a finished upload', async () => {
    fake.knobs.uploadStatus = 503;
    const s = raw.createWriteStream('/x.log');
    const outcome = new Promise<string>((resolve) => {
      s.on('error', (e) => resolve(`error ${e.message}`));
      s.on('finish', () => resolve('finish'));
    });
    const { Readable } = await import('node:stream');
    Readable.from([Buffer.from('abc')]).pipe(s);
    expect(await outcome).toBe('finish');
    expect(fake.files.has('/x.log')).toBe(false);
  });

  it('the adapter checks the stored length and fails the stream with IO', async () => {
    fake.knobs.uploadStatus = 503;
    await expect(
      (async () => writeAll(await store.create('/loglab/x.log'), 'abc'))(),
    ).rejects.toMatchObject({
      code: 'IO',
      message: '/loglab/x.log: HDFS holds no file after 3 were written',
    });
    fake.knobs.uploadStatus = null;
    fake.files.set('/loglab/y.log', Buffer.from('12'));
    fake.knobs.uploadStatus = 507;
    await expect(
      (async () => writeAll(await store.append('/loglab/y.log'), 'abc'))(),
    ).rejects.toMatchObject({
      code: 'IO',
      message: '/loglab/y.log: HDFS holds 2 bytes after 5 were written',
    });
  });

  it('the adapter fails, instead of waiting forever, when CREATE is answered without a redirect', async () => {
    fake.knobs.createStatus = 200;
    await expect(
      (async () => writeAll(await store.create('/loglab/x.log'), 'abc'))(),
    ).rejects.toMatchObject({
      code: 'IO',
      message: '/loglab/x.log: WebHDFS: WebHDFS answered 200 instead of redirecting to a DataNode',
    });
  });
});

describe('the adapter around other answers', () => {
  it('maps a RemoteException by its class, with the first line of its message', async () => {
    const stack = '\n\tat org.apache.hadoop.hdfs.X(X.java:1)';
    fake.knobs.remoteException = {
      exception: 'RetriableException',
      message: `Cannot create /x. Name node is in safe mode.${stack}`,
    };
    const err = await store.mkdirs('/x').catch((e) => e);
    expect([err.code, err.retriable, err.message]).toEqual([
      'SERVICE_DOWN',
      true,
      'HDFS cannot serve /x now: Cannot create /x. Name node is in safe mode.',
    ]);
    fake.knobs.remoteException = { exception: 'QuotaExceededException', message: `Quota${stack}` };
    await expect(store.list('/x')).rejects.toMatchObject({
      code: 'IO',
      message: '/x: WebHDFS: Quota',
    });
    // The class decides, whatever the message says.
    fake.knobs.remoteException = { exception: 'FileAlreadyExistsException', message: 'odd' };
    await expect(store.mkdirs('/x')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    fake.knobs.remoteException = {
      exception: 'AccessControlException',
      message: '/f (is not a directory)',
    };
    await expect(store.stat('/f/x')).resolves.toBeNull();
    fake.knobs.remoteException = { exception: 'AccessControlException', message: 'denied' };
    await expect(store.stat('/f/x')).rejects.toMatchObject({
      code: 'IO',
      message: '/f/x: WebHDFS: denied',
    });
  });

  it('fails a read that ends short of the length HDFS reports', async () => {
    fake.files.set('/f', Buffer.from('hello'));
    expect((await readAll(await store.open('/f'))).toString()).toBe('hello');
    fake.knobs.readLimit = 2;
    await expect(readAll(await store.open('/f'))).rejects.toMatchObject({
      code: 'IO',
      message: '/f: read 2 bytes of the 5 HDFS holds',
    });
  });

  it('says SERVICE_DOWN (retriable) when nothing answers', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const down = createWebHdfsStore({ url: `http://127.0.0.1:${port}` });
    const err = await down.stat('/x').catch((e) => e);
    expect([err.code, err.retriable, err.message]).toEqual([
      'SERVICE_DOWN',
      true,
      `WebHDFS at http://127.0.0.1:${port}/webhdfs/v1 did not answer (ECONNREFUSED)`,
    ]);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => createWebHdfsStore({ url: 'hdfs://127.0.0.1:8020' })).toThrow(
      'WebHDFS URL hdfs://127.0.0.1:8020 must start with http:// or https://',
    );
    expect(() => createWebHdfsStore({ url: 'nope' })).toThrow('WebHDFS URL "nope" is not a URL');
  });
});
