/**
 * The `Store` port: the few file-system operations the lake needs, whether it is a local
 * directory (the embedded engine) or HDFS through WebHDFS (the cluster engine).
 *
 * Contract, the same on both adapters (test/storage/store-contract.ts checks it on each):
 * - Paths are lake paths: absolute, normalized, a small character set (see lake-layout.ts).
 *   Anything else is refused with BAD_INPUT before any I/O. The local adapter also refuses a
 *   path that would leave its root through a symbolic link.
 * - `create` and `append` give a Writable. The bytes are stored once the stream has finished
 *   (await `finished(stream)` or `pipeline(...)` from node:stream/promises); an error on the
 *   stream means the file may hold only part of them. `create` makes missing parent directories
 *   (as HDFS does) and fails with ALREADY_EXISTS when the path exists, unless `overwrite` (a
 *   directory is never overwritten);
 *   `append` fails with NOT_FOUND when the file does not exist. Both reject at once when they
 *   can tell; HDFS may only tell when the stream ends, and then the stream errors with the same
 *   code. A write that the store refused is an error, never a silent drop.
 * - `rename` is atomic and never replaces anything: NOT_FOUND when the source is missing,
 *   ALREADY_EXISTS when the target exists (a file or a directory; HDFS would move the source
 *   into an existing directory, the port does not). It makes the target's parent directories.
 *   This is what makes a half-written file invisible: write under `_tmp/`, then rename.
 * - `stat` resolves `null` for a missing path: absence is an answer, not a failure. Everything
 *   else that reads (`list`, `open`) fails with NOT_FOUND on a missing path.
 * - `list` of a directory gives its entries sorted by name; of a file, that file's one entry
 *   (as HDFS's LISTSTATUS does).
 * - `delete` removes a file, an empty directory, or with `recursive` a whole tree; a non-empty
 *   directory without it fails with IO and leaves it whole. A missing path is NOT_FOUND, or
 *   `'missing'` when `missingOk` is set.
 * - Failures are LoglabErrors with the lake path in `context.path`; SERVICE_DOWN (retriable)
 *   when the store cannot be reached.
 * - The local adapter does not fsync: a file survives the process being killed, not a power cut.
 */
import type { Readable, Writable } from 'node:stream';

export type StoreEngine = 'embedded' | 'cluster';

export type EntryType = 'file' | 'directory';

export interface StoreEntry {
  /** The entry's lake path. */
  readonly path: string;
  /** Its last segment. */
  readonly name: string;
  readonly type: EntryType;
  /** Bytes; 0 for a directory. */
  readonly size: number;
  /** Last modification, epoch milliseconds. */
  readonly mtime: number;
}

export interface CreateOptions {
  /** Replace an existing file instead of failing with ALREADY_EXISTS. */
  readonly overwrite?: boolean;
}

export interface DeleteOptions {
  /** Delete a directory with everything under it. */
  readonly recursive?: boolean;
  /** A missing path resolves `'missing'` instead of failing with NOT_FOUND. */
  readonly missingOk?: boolean;
}

export type DeleteResult = 'deleted' | 'missing';

export interface Store {
  readonly engine: StoreEngine;
  /** The lake directory or the WebHDFS URL, for messages. */
  readonly address: string;
  /** Makes a directory and its parents; an existing directory is fine. */
  mkdirs(path: string): Promise<void>;
  create(path: string, options?: CreateOptions): Promise<Writable>;
  append(path: string): Promise<Writable>;
  rename(from: string, to: string): Promise<void>;
  list(path: string): Promise<StoreEntry[]>;
  stat(path: string): Promise<StoreEntry | null>;
  /** The file's bytes; NOT_FOUND when missing, IO when it is a directory. */
  open(path: string): Promise<Readable>;
  delete(path: string, options?: DeleteOptions): Promise<DeleteResult>;
  /** Releases connections; the store is not used after. */
  close(): Promise<void>;
}

export function isFile(entry: StoreEntry | null): entry is StoreEntry & { type: 'file' } {
  return entry !== null && entry.type === 'file';
}

export function isDirectory(entry: StoreEntry | null): entry is StoreEntry & { type: 'directory' } {
  return entry !== null && entry.type === 'directory';
}
