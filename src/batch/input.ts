/**
 * The input of a run: files found under the given paths, and the splits the map tasks read.
 *
 * What we decided, as Hadoop's FileInputFormat does:
 * - A directory is read recursively; a name starting with `_` or `.` is skipped (`_tmp` where the
 *   archiver writes, `_SUCCESS`, `.crc`), at any depth. A file named on its own is always read.
 * - A plain file is cut into splits of `splitBytes` on line boundaries (parallel/line-blocks.ts);
 *   a `.gz` file is one split, since gzip cannot be read from the middle.
 * - Files are taken in path order, so splits are numbered the same on every run.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { badInput, describeFsError } from '../errors';
import { isHiddenName } from '../storage/lake-layout';

export interface InputFile {
  readonly path: string;
  readonly size: number;
  readonly gzip: boolean;
}

export interface Split {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly gzip: boolean;
}

function statOrFail(path: string) {
  try {
    return statSync(path);
  } catch (err) {
    throw badInput(`cannot read ${path}: ${describeFsError(err)}`);
  }
}

function walk(dir: string, out: InputFile[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (isHiddenName(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile())
      out.push({ path, size: statSync(path).size, gzip: e.name.endsWith('.gz') });
  }
}

/** Every file to read under `paths`, in path order; BAD_INPUT when a path is missing. */
export function listInputFiles(paths: readonly string[]): InputFile[] {
  const out: InputFile[] = [];
  for (const p of paths) {
    const st = statOrFail(p);
    if (st.isDirectory()) walk(p, out);
    else out.push({ path: p, size: st.size, gzip: p.endsWith('.gz') });
  }
  const seen = new Set<string>();
  return out
    .filter((f) => !seen.has(f.path) && seen.add(f.path) !== undefined)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The splits of `files` (see the module docblock); an empty file has none. */
export function makeSplits(files: readonly InputFile[], splitBytes: number): Split[] {
  const splits: Split[] = [];
  for (const f of files) {
    if (f.size === 0) continue;
    if (f.gzip) {
      splits.push({ path: f.path, start: 0, end: f.size, gzip: true });
      continue;
    }
    for (let start = 0; start < f.size; start += splitBytes) {
      splits.push({ path: f.path, start, end: Math.min(f.size, start + splitBytes), gzip: false });
    }
  }
  return splits;
}
