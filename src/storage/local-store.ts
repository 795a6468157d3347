/**
 * The embedded engine's Store: a lake directory on the local disk. Lake path `/` is the
 * directory given as `root`; `/loglab/raw/x.log` is `<root>/loglab/raw/x.log`.
 *
 * What we decided:
 * - Escapes are refused twice. Lexically, lake paths cannot hold `..`, absolute pieces or
 *   backslashes (lake-layout.ts). Physically, before every operation the nearest existing
 *   ancestor of the target (the target itself when it exists) is resolved with realpath and
 *   must lie inside the root's own realpath, so a symbolic link in the lake that points out of
 *   it (or nowhere) makes the path BAD_INPUT. This guards against a lake that holds such links,
 *   not against someone swapping directories while we write (one writer owns a lake).
 * - Renaming never replaces, as on HDFS. POSIX rename(2) silently replaces a file, so a file is
 *   renamed with link(2) then unlink(2): link fails atomically when the target exists, and
 *   readers see the complete file under its new name before the old one goes. A directory
 *   (which cannot be hard-linked) is checked, then renamed: that check and the rename are two
 *   steps, which is enough for one writer.
 * - Writes go through a file handle opened before `create` resolves, so "already exists" and
 *   "no such file" are known at once, as the port asks.
 */
import { constants, createReadStream } from 'node:fs';
import {
  type FileHandle,
  link,
  lstat,
  mkdir,
  open as openFile,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  unlink,
} from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { badInput, describeFsError, isLoglabError } from '../errors';
import { baseName, checkLakePath, isValidPath } from './lake-layout';
import type { CreateOptions, DeleteOptions, DeleteResult, Store, StoreEntry } from './store';
import {
  alreadyExists,
  ioError,
  isADirectory,
  notEmpty,
  notFound,
  rootNotDeletable,
} from './store-errors';

export interface LocalStoreOptions {
  /** The lake directory; made (with its parents) when missing. */
  readonly root: string;
  /** Opens files (node:fs/promises `open`); tests swap it to make writes fail as a full disk does. */
  readonly openFile?: typeof openFile;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Maps a file-system error on `path` to the port's codes. */
function fsError(path: string, what: string, err: unknown): Error {
  if (isLoglabError(err)) return err;
  switch (code(err)) {
    case 'ENOENT':
      return notFound(path, err);
    case 'EEXIST':
      return alreadyExists(path, err);
    case 'ENOTEMPTY':
      return notEmpty(path, err);
    case 'EISDIR':
      return isADirectory(path);
    default:
      return ioError(path, `${what}: ${describeFsError(err)}`, err);
  }
}

/**
 * A file handle's write stream whose failures (a full disk, a quota, an I/O error) are the
 * port's IO errors with the lake path, so a writer can say which file could not be stored.
 * The callbacks are mapped, not the 'error' event: the stream then records the mapped error as
 * its own, and `finished()` reports the same one however late it is attached.
 */
function fileWriter(handle: FileHandle, lake: string): Writable {
  const out = handle.createWriteStream();
  const mapped = (err: Error | null | undefined) =>
    err ? fsError(lake, 'cannot write', err) : err;
  const write = out._write.bind(out);
  out._write = (chunk, encoding, cb) => write(chunk, encoding, (err) => cb(mapped(err)));
  if (out._writev !== undefined) {
    const writev = out._writev.bind(out);
    out._writev = (chunks, cb) => writev(chunks, (err) => cb(mapped(err)));
  }
  const destroy = out._destroy.bind(out);
  out._destroy = (error, cb) => destroy(error, (err) => cb(mapped(err)));
  return out;
}

export async function createLocalStore(options: LocalStoreOptions): Promise<Store> {
  const open = options.openFile ?? openFile;
  await mkdir(options.root, { recursive: true });
  const root = await realpath(options.root);

  function inside(real: string): boolean {
    return real === root || real.startsWith(root + sep);
  }

  /** The lake path validated and its file-system path, checked against symlinks out. */
  async function resolve(path: string): Promise<{ lake: string; fs: string }> {
    const check = checkLakePath(path);
    if (!isValidPath(check)) throw badInput(check.message, { path, reason: check.reason });
    const fsPath = check.segments.length === 0 ? root : join(root, ...check.segments);
    let existing = fsPath;
    let real = '';
    for (;;) {
      let isLink: boolean;
      try {
        isLink = (await lstat(existing)).isSymbolicLink();
      } catch (err) {
        if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR')
          throw fsError(check.path, 'stat', err);
        existing = dirname(existing);
        continue;
      }
      try {
        real = await realpath(existing);
        break;
      } catch (err) {
        // A link that points nowhere is refused (real stays ''). Anything else was removed
        // between the two calls, by another writer sweeping the lake: look one level up again.
        if (isLink) break;
        if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR')
          throw fsError(check.path, 'stat', err);
      }
    }
    if (!inside(real)) {
      throw badInput(`lake path ${check.path} leads out of the lake through a symbolic link`, {
        path: check.path,
      });
    }
    return { lake: check.path, fs: fsPath };
  }

  async function entryOf(lake: string, fsPath: string): Promise<StoreEntry | null> {
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(fsPath);
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return null;
      throw fsError(lake, 'stat', err);
    }
    if (!st.isFile() && !st.isDirectory()) return null; // links and devices are not lake content
    return {
      path: lake,
      name: baseName(lake),
      type: st.isDirectory() ? 'directory' : 'file',
      size: st.isDirectory() ? 0 : Number(st.size),
      mtime: Math.trunc(Number(st.mtimeMs)),
    };
  }

  return {
    engine: 'embedded',
    address: root,

    async mkdirs(path) {
      const p = await resolve(path);
      try {
        await mkdir(p.fs, { recursive: true });
      } catch (err) {
        throw fsError(p.lake, 'cannot make the directory', err);
      }
    },

    async create(path, opts: CreateOptions = {}) {
      const p = await resolve(path);
      if (p.lake === '/') throw alreadyExists('/');
      try {
        await mkdir(dirname(p.fs), { recursive: true });
        const handle = await open(p.fs, opts.overwrite ? 'w' : 'wx');
        return fileWriter(handle, p.lake);
      } catch (err) {
        // A directory is never overwritten by a file, as on HDFS.
        if (code(err) === 'EISDIR') throw alreadyExists(p.lake, err);
        throw fsError(p.lake, 'cannot create the file', err);
      }
    },

    async append(path) {
      const p = await resolve(path);
      try {
        // No O_CREAT: appending to a missing file is NOT_FOUND, as on HDFS.
        const handle = await open(p.fs, constants.O_WRONLY | constants.O_APPEND);
        return fileWriter(handle, p.lake);
      } catch (err) {
        throw fsError(p.lake, 'cannot append to the file', err);
      }
    },

    async rename(from, to) {
      const src = await resolve(from);
      const dst = await resolve(to);
      const entry = await entryOf(src.lake, src.fs);
      if (entry === null) throw notFound(src.lake);
      if ((await entryOf(dst.lake, dst.fs)) !== null) throw alreadyExists(dst.lake);
      try {
        await mkdir(dirname(dst.fs), { recursive: true });
        if (entry.type === 'file') {
          await link(src.fs, dst.fs);
          await unlink(src.fs);
        } else {
          await rename(src.fs, dst.fs);
        }
      } catch (err) {
        throw fsError(
          code(err) === 'EEXIST' ? dst.lake : src.lake,
          `cannot rename to ${dst.lake}`,
          err,
        );
      }
    },

    async list(path) {
      const p = await resolve(path);
      const self = await entryOf(p.lake, p.fs);
      if (self === null) throw notFound(p.lake);
      if (self.type === 'file') return [self];
      let names: string[];
      try {
        names = await readdir(p.fs);
      } catch (err) {
        throw fsError(p.lake, 'cannot list the directory', err);
      }
      names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const out: StoreEntry[] = [];
      for (const name of names) {
        // Names a lake path could not spell (made by something else) are not shown.
        const child = checkLakePath(p.lake === '/' ? `/${name}` : `${p.lake}/${name}`);
        if (!isValidPath(child)) continue;
        const e = await entryOf(child.path, join(p.fs, name));
        if (e !== null) out.push(e);
      }
      return out;
    },

    async stat(path) {
      const p = await resolve(path);
      return entryOf(p.lake, p.fs);
    },

    async open(path): Promise<Readable> {
      const p = await resolve(path);
      const entry = await entryOf(p.lake, p.fs);
      if (entry === null) throw notFound(p.lake);
      if (entry.type === 'directory') throw isADirectory(p.lake);
      try {
        const handle = await open(p.fs, 'r');
        return createReadStream('', { fd: handle });
      } catch (err) {
        throw fsError(p.lake, 'cannot open the file', err);
      }
    },

    async delete(path, opts: DeleteOptions = {}): Promise<DeleteResult> {
      const p = await resolve(path);
      if (p.lake === '/') throw rootNotDeletable();
      const entry = await entryOf(p.lake, p.fs);
      if (entry === null) {
        if (opts.missingOk) return 'missing';
        throw notFound(p.lake);
      }
      try {
        if (entry.type === 'file') await unlink(p.fs);
        else if (opts.recursive) await rm(p.fs, { recursive: true });
        else await rmdir(p.fs);
      } catch (err) {
        const failed = fsError(p.lake, 'cannot delete', err);
        // Gone since the look above: deleted by someone else at the same moment.
        if (opts.missingOk && isLoglabError(failed) && failed.code === 'NOT_FOUND')
          return 'missing';
        throw failed;
      }
      return 'deleted';
    },

    async close() {},
  };
}
