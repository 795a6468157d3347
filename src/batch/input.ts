/**
 * The input of a run: files found under the given paths, and the splits the map tasks read.
 *
 * What we decided, as Hadoop's FileInputFormat does:
 * - A directory is read recursively; a name starting with `_` or `.` is skipped (`_tmp` where the
 *   archiver writes, `_SUCCESS`, `.crc`), at any depth, and so is anything in it that is not a
 *   regular file or a directory once symbolic links are followed. A file named on its own is
 *   always read.
 * - A plain file is cut into splits of `splitBytes` on line boundaries (parallel/line-blocks.ts);
 *   a gzip file is one split, since gzip cannot be read from the middle. A regular file is gzip
 *   by its first bytes, as every loglab command tells (Hadoop goes by the `.gz` name: the
 *   Hadoop runner names what it uploads so); a pipe or FIFO by its `.gz` name.
 * - Files are taken in path order, so splits are numbered the same on every run.
 *
 * And beyond Hadoop, as every loglab command reads its input: a pipe, a FIFO, a character device
 * (named on its own) or `-` (stdin) is a stream, one split read once from its start by one
 * thread. It has no size to cut by (stat says 0: byte ranges of it read nothing, so
 * `--input <(cat a.log)` gave no rows). Anything else named on its own (a socket, a block
 * device) is refused in one line.
 */
import { readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { badInput, describeFsError } from '../errors';
import { isGzipFile } from '../log/gzip-file';
import { isHiddenName } from '../storage/lake-layout';

/** The path that names this process's stdin. */
export const STDIN = '-';

export interface InputFile {
  readonly path: string;
  /** Bytes; 0 for a stream, whose size is known once it is read. */
  readonly size: number;
  readonly gzip: boolean;
  /** A pipe, FIFO, character device or stdin: its bytes come once, in order. */
  readonly stream: boolean;
}

export interface Split {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly gzip: boolean;
  /** The whole of a stream input (start and end 0), read through a stream by one thread. */
  readonly stream: boolean;
}

/** How messages name an input: stdin by that name rather than `-`. */
export function inputName(path: string): string {
  return path === STDIN ? 'stdin' : path;
}

function statOrFail(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    throw badInput(`cannot read ${path}: ${describeFsError(err)}`);
  }
}

/** Told of each entry of an input directory left out, and why (see `walk`). */
export type OnSkipped = (path: string, why: string) => void;

/**
 * The files under `dir`. A symbolic link is followed, as `cat dir/*` and Hadoop's local file
 * system follow it (a log directory often names today's file by a link): to a file, that file is
 * read under the link's name; to a directory, it is walked. Each real file and directory is
 * taken once (`seen` holds their real paths): a link back up the tree is no loop, and a file
 * with a link to it beside it is read once, under the first name. A broken link, and anything
 * that is neither a regular file nor a directory (a FIFO, a socket), is left out and told to
 * `onSkipped`: a file that is not read must not go unsaid.
 */
function walk(dir: string, out: InputFile[], seen: Set<string>, onSkipped: OnSkipped): void {
  // In name order, so that of a file and a link to it the same name is read on every run.
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  /** True the first time a real file or directory is met (see above). */
  const firstVisit = (path: string) => {
    const real = realpathSync(path);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  };
  for (const e of entries) {
    if (isHiddenName(e.name)) continue;
    const path = join(dir, e.name);
    let st: Stats | null = null;
    if (e.isSymbolicLink()) {
      try {
        st = statSync(path);
      } catch (err) {
        onSkipped(path, `a link to nothing readable (${describeFsError(err)})`);
        continue;
      }
    }
    if (st === null ? e.isDirectory() : st.isDirectory()) {
      if (firstVisit(path)) walk(path, out, seen, onSkipped);
    } else if (st === null ? e.isFile() : st.isFile()) {
      // A file and a link to it in the tree (access.log -> access.log.1) are one input.
      if (firstVisit(path)) {
        out.push({ path, size: statSync(path).size, gzip: isGzipFile(path), stream: false });
      }
    } else {
      onSkipped(path, 'not a regular file or directory (name it on its own to read a FIFO)');
    }
  }
}

/** The input `path` names on its own (not a directory); BAD_INPUT when it cannot be read. */
function namedInput(path: string, st: Stats): InputFile {
  if (st.isFile()) return { path, size: st.size, gzip: isGzipFile(path), stream: false };
  // A stream's first bytes cannot be looked at without taking them: its name says.
  const gzip = path.endsWith('.gz');
  if (st.isFIFO() || st.isCharacterDevice()) return { path, size: 0, gzip, stream: true };
  throw badInput(`cannot read ${path}: not a regular file, directory, pipe or character device`);
}

/**
 * Every file to read under `paths`, in path order; BAD_INPUT when a path is missing. Entries of
 * directories left out (see `walk`) are told to `onSkipped`.
 */
export function listInputFiles(
  paths: readonly string[],
  onSkipped: OnSkipped = () => {},
): InputFile[] {
  const out: InputFile[] = [];
  /** Real paths of the files and directories taken: one input each, however named. */
  const seen = new Set<string>();
  for (const p of paths) {
    if (p === STDIN) {
      out.push({ path: p, size: 0, gzip: false, stream: true });
      continue;
    }
    const st = statOrFail(p);
    if (st.isDirectory() || st.isFile()) {
      // `--input logs --input logs/a.log`, or a file and a link to it: read once.
      const real = realpathSync(p);
      if (seen.has(real)) continue;
      seen.add(real);
      if (st.isDirectory()) walk(p, out, seen, onSkipped);
      else out.push(namedInput(p, st));
    } else out.push(namedInput(p, st));
  }
  const named = new Set<string>();
  return out
    .filter((f) => !named.has(f.path) && named.add(f.path) !== undefined)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The splits of `files` (see the module docblock); an empty file has none, a stream one. */
export function makeSplits(files: readonly InputFile[], splitBytes: number): Split[] {
  const splits: Split[] = [];
  for (const f of files) {
    if (f.stream) {
      splits.push({ path: f.path, start: 0, end: 0, gzip: f.gzip, stream: true });
      continue;
    }
    if (f.size === 0) continue;
    if (f.gzip) {
      splits.push({ path: f.path, start: 0, end: f.size, gzip: true, stream: false });
      continue;
    }
    for (let start = 0; start < f.size; start += splitBytes) {
      const end = Math.min(f.size, start + splitBytes);
      splits.push({ path: f.path, start, end, gzip: false, stream: false });
    }
  }
  return splits;
}
