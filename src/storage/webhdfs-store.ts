/**
 * The cluster engine's Store: HDFS through its WebHDFS REST interface, on the npm `webhdfs`
 * package (1.2.0).
 *
 * The package has defects that would break the port's contract; each is wrapped (here, in
 * webhdfs-upload.ts for writes and webhdfs-errors.ts for errors) and shown handled by
 * test/storage/webhdfs-store-defects.test.ts against a fake WebHDFS server:
 * - `createWriteStream` follows the NameNode's 307 to a DataNode only when a stream is piped
 *   into it; `write()`/`end()` on it throws an uncaught TypeError later. Writes here always
 *   go through an internal PassThrough piped into it; callers get an ordinary Writable.
 * - `rename`, `unlink` and `mkdir` drop the answer's `{"boolean": …}`, so renaming or deleting
 *   a missing path "succeeds". The adapter reads the boolean from the request's `complete`
 *   event and turns false into NOT_FOUND / ALREADY_EXISTS / IO, asking HDFS which it was.
 * - `stat` of a missing path rejects: the adapter answers null.
 * - Its errors keep HDFS's message (with the Java stack trace appended) and drop the exception
 *   class. The adapter reads the answer's body itself (the request's `complete` event) and maps
 *   the class (FileNotFoundException → NOT_FOUND, FileAlreadyExistsException → ALREADY_EXISTS,
 *   SafeModeException → SERVICE_DOWN, …); only upload errors, whose body it cannot see, fall
 *   back to the message's first line.
 * - It counts only 400–404 and 500 as errors, so a DataNode answering 503 or 507 to an upload
 *   "succeeds", and a request never answered hangs. After every write the adapter compares the
 *   file's length on HDFS with what it sent (one GETFILESTATUS per file), and requests time out.
 * HDFS itself moves a renamed file *into* a target that is a directory: the adapter checks the
 * target first, so the port's "never replaces, never nests" holds.
 */
// The package ships no types; the reference keeps the shim in any program that compiles this
// file alone (a notebook kernel compiles only what cells import).
/// <reference path="./webhdfs.d.ts" />
import { type Readable, Transform } from 'node:stream';
import webhdfs, { type FileStatus, type HttpRequest, type WebHdfsClient } from 'webhdfs';
import { badInput, LoglabError } from '../errors';
import { baseName, checkLakePath, isValidPath, parentOf } from './lake-layout';
import type { CreateOptions, DeleteOptions, DeleteResult, Store, StoreEntry } from './store';
import { alreadyExists, ioError, isADirectory, notFound, rootNotDeletable } from './store-errors';
import { type RemoteException, remoteError, webhdfsError } from './webhdfs-errors';
import { idleCloseMs, uploadStream } from './webhdfs-upload';

export const DEFAULT_WEBHDFS_URL = 'http://127.0.0.1:9870';
export const DEFAULT_HDFS_USER = 'loglab';
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface WebHdfsStoreOptions {
  /** The NameNode's HTTP address, `http://host:9870`; a `/webhdfs/v1` path is added when absent. */
  readonly url: string;
  /** Sent as `user.name` (simple authentication); "loglab" when absent. */
  readonly user?: string;
  /**
   * How long one HTTP request may wait for an answer or for data. An upload idle for half of it
   * is ended and continued by an APPEND, so an idle open file is never cut (webhdfs-upload.ts).
   */
  readonly requestTimeoutMs?: number;
  /** Builds the client; the `webhdfs` package's by default (tests swap it). */
  readonly clientFactory?: typeof webhdfs.createClient;
}

export function createWebHdfsStore(options: WebHdfsStoreOptions): Store {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw badInput(`WebHDFS URL ${JSON.stringify(options.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badInput(`WebHDFS URL ${options.url} must start with http:// or https://`);
  }
  const prefix = url.pathname === '/' ? '/webhdfs/v1' : url.pathname.replace(/\/$/, '');
  const address = `${url.protocol}//${url.host}${prefix}`;
  const client: WebHdfsClient = (options.clientFactory ?? webhdfs.createClient)(
    {
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      host: url.hostname,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: prefix,
      user: options.user ?? DEFAULT_HDFS_USER,
    },
    { timeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS },
  );

  // An upload idle this long is ended and goes on as an APPEND (webhdfs-upload.ts).
  const idleMs = idleCloseMs(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const mapError = (path: string, err: unknown) => webhdfsError(address, path, err);
  const mapRemote = (path: string, remote: RemoteException) => remoteError(address, path, remote);

  function valid(path: string): string {
    const check = checkLakePath(path);
    if (!isValidPath(check)) throw badInput(check.message, { path, reason: check.reason });
    return check.path;
  }

  /**
   * Runs one of the package's calls and resolves the parsed body of the answer. The package's
   * callback runs first (it is the request's first `complete` listener) with HDFS's message
   * only; this listener sees the body, so a RemoteException is mapped by its exception class.
   * The callback's error is used only when there is no answer at all (a socket error).
   */
  function answer(path: string, start: (cb: (err?: Error | null) => void) => HttpRequest) {
    return new Promise<unknown>((resolve, reject) => {
      const req = start((err) => {
        if (err) setImmediate(() => reject(mapError(path, err)));
      });
      req.on('complete', (_res: unknown, body: unknown) => {
        const remote = (body as { RemoteException?: { exception?: string } } | null)
          ?.RemoteException;
        if (remote) reject(mapRemote(path, remote));
        else resolve(body);
      });
    });
  }

  /** Runs a call whose answer is `{"boolean": …}`, which the package drops, and resolves it. */
  async function booleanCall(
    path: string,
    start: (cb: (err?: Error | null) => void) => HttpRequest,
  ): Promise<boolean> {
    const body = await answer(path, start);
    const b = (body as { boolean?: unknown } | null)?.boolean;
    if (typeof b === 'boolean') return b;
    throw ioError(path, `WebHDFS answered without a boolean: ${JSON.stringify(body)}`);
  }

  function entryOf(path: string, status: FileStatus): StoreEntry {
    const directory = status.type === 'DIRECTORY';
    return {
      path,
      name: baseName(path),
      type: directory ? 'directory' : 'file',
      size: directory ? 0 : status.length,
      mtime: status.modificationTime,
    };
  }

  async function stat(path: string): Promise<StoreEntry | null> {
    try {
      const body = await answer(path, (cb) => client.stat(path, cb));
      const status = (body as { FileStatus?: FileStatus } | null)?.FileStatus;
      if (status === undefined) throw ioError(path, 'WebHDFS answered without a FileStatus');
      return entryOf(path, status);
    } catch (err) {
      // The package rejects a missing path: absence is the port's null.
      if (err instanceof LoglabError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  async function mkdirs(path: string): Promise<void> {
    if (!(await booleanCall(path, (cb) => client.mkdir(path, cb)))) {
      throw ioError(path, 'HDFS refused to make the directory');
    }
  }

  return {
    engine: 'cluster',
    address,

    async mkdirs(path) {
      await mkdirs(valid(path));
    },

    async create(path, opts: CreateOptions = {}) {
      const p = valid(path);
      if (p === '/') throw alreadyExists('/');
      const entry = await stat(p);
      if (entry !== null && (!opts.overwrite || entry.type === 'directory')) {
        throw alreadyExists(p);
      }
      return uploadStream(
        client,
        { path: p, append: false, overwrite: opts.overwrite === true, base: 0 },
        stat,
        mapError,
        idleMs,
      );
    },

    async append(path) {
      const p = valid(path);
      const entry = await stat(p);
      if (entry === null) throw notFound(p);
      if (entry.type === 'directory') throw isADirectory(p);
      return uploadStream(
        client,
        { path: p, append: true, overwrite: false, base: entry.size },
        stat,
        mapError,
        idleMs,
      );
    },

    async rename(from, to) {
      const src = valid(from);
      const dst = valid(to);
      if ((await stat(dst)) !== null) {
        throw (await stat(src)) === null ? notFound(src) : alreadyExists(dst);
      }
      const parent = parentOf(dst);
      if (parent !== null && parent !== '/') await mkdirs(parent);
      if (await booleanCall(src, (cb) => client.rename(src, dst, cb))) return;
      // HDFS says only "false": ask which rule the rename broke.
      if ((await stat(src)) === null) throw notFound(src);
      if ((await stat(dst)) !== null) throw alreadyExists(dst);
      throw ioError(src, `HDFS refused to rename it to ${dst}`);
    },

    async list(path) {
      const p = valid(path);
      const body = await answer(p, (cb) => client.readdir(p, cb));
      const files = (body as { FileStatuses?: { FileStatus?: FileStatus[] } } | null)?.FileStatuses
        ?.FileStatus;
      if (files === undefined) throw ioError(p, 'WebHDFS answered without FileStatuses');
      // LISTSTATUS of a file answers that file, with an empty pathSuffix.
      if (files.length === 1 && files[0].pathSuffix === '') return [entryOf(p, files[0])];
      const out: StoreEntry[] = [];
      for (const f of files) {
        const child = checkLakePath(p === '/' ? `/${f.pathSuffix}` : `${p}/${f.pathSuffix}`);
        if (isValidPath(child) && f.type !== 'SYMLINK') out.push(entryOf(child.path, f));
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async stat(path) {
      return stat(valid(path));
    },

    async open(path): Promise<Readable> {
      const p = valid(path);
      const entry = await stat(p);
      if (entry === null) throw notFound(p);
      if (entry.type === 'directory') throw isADirectory(p);
      let read = 0;
      // A response cut short ends the stream quietly in `request`: count the bytes.
      const out = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          read += chunk.length;
          cb(null, chunk);
        },
        flush(cb) {
          cb(
            read === entry.size
              ? null
              : ioError(p, `read ${read} bytes of the ${entry.size} HDFS holds`),
          );
        },
      });
      const req = client.createReadStream(p);
      req.on('error', (err) => out.destroy(mapError(p, err)));
      req.pipe(out);
      return out;
    },

    async delete(path, opts: DeleteOptions = {}): Promise<DeleteResult> {
      const p = valid(path);
      if (p === '/') throw rootNotDeletable();
      let deleted: boolean;
      try {
        deleted = await booleanCall(p, (cb) => client.unlink(p, opts.recursive === true, cb));
      } catch (err) {
        if (!(err instanceof LoglabError && err.code === 'NOT_FOUND')) throw err;
        deleted = false;
      }
      if (deleted) return 'deleted';
      if ((await stat(p)) !== null) throw ioError(p, 'HDFS refused to delete it');
      if (opts.missingOk) return 'missing';
      throw notFound(p);
    },

    async close() {},
  };
}
