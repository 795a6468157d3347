/**
 * A Store seen from a directory of another: every lake path is read and written under `prefix`,
 * and listings and errors give paths as seen from it. The lake layout's paths are fixed
 * (`/loglab/raw/…`), so this is how a run keeps a lake of its own on a shared HDFS (the demo's
 * `/loglab-demo`, a test's scratch directory) without a second layout.
 */
import { badInput, isLoglabError, LoglabError } from '../errors';
import { checkLakePath, isValidPath, lakePath } from './lake-layout';
import type { Store, StoreEntry } from './store';
import { rootNotDeletable } from './store-errors';

export function createPrefixedStore(store: Store, prefix: string): Store {
  const check = checkLakePath(prefix);
  if (!isValidPath(check) || check.path === '/') {
    throw badInput(`a lake root must be an absolute path below /, got "${prefix}"`);
  }
  const root = check.path;
  // Checked here too: a relative path must not slip in as a name beside the root.
  const inner = (path: string) => {
    const p = lakePath(path);
    return p === '/' ? root : `${root}${p}`;
  };
  const outerPath = (path: string) =>
    path === root ? '/' : path.startsWith(`${root}/`) ? path.slice(root.length) : path;
  const outer = (entry: StoreEntry): StoreEntry => ({ ...entry, path: outerPath(entry.path) });
  /** The inner store's error, its paths as seen from the prefix. */
  const seen = (err: unknown): unknown => {
    if (!isLoglabError(err)) return err;
    const context = { ...err.context };
    if (typeof context.path === 'string') context.path = outerPath(context.path);
    return new LoglabError(err.code, err.message.replaceAll(`${root}/`, '/'), {
      retriable: err.retriable,
      cause: err,
      context,
    });
  };
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw seen(err);
    }
  };
  return {
    engine: store.engine,
    address: `${store.address}${root}`,
    mkdirs: (path) => call(() => store.mkdirs(inner(path))),
    create: (path, options) => call(() => store.create(inner(path), options)),
    append: (path) => call(() => store.append(inner(path))),
    rename: (from, to) => call(() => store.rename(inner(from), inner(to))),
    list: (path) => call(async () => (await store.list(inner(path))).map(outer)),
    stat: (path) =>
      call(async () => {
        const entry = await store.stat(inner(path));
        return entry === null ? null : outer(entry);
      }),
    open: (path) => call(() => store.open(inner(path))),
    delete: (path, options) =>
      call(async () => {
        if (lakePath(path) === '/') throw rootNotDeletable();
        return store.delete(inner(path), options);
      }),
    close: () => store.close(),
  };
}
