/**
 * The embedded half of the archive benchmark: the archiver writing a generated log into a local
 * lake, in this process (lines already in memory: the archiver alone) and as the whole
 * `loglab archive FILE` command (reading, splitting, start-up; with its peak RSS), beside GNU awk
 * splitting the same file into one file per event hour: the floor for "split a log by hour".
 *
 * The awk peer does less than the archiver, on purpose: it takes the hour as written (no time
 * zone applied, which is right for the generated log's +0000), checks nothing (no dead letters),
 * and writes each hour file in place, with no rename and no offsets in names, so no exactly once.
 * Rounds alternate the order so that a busy moment of the machine falls on each side alike.
 */
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { readLines } from '../log/lines';
import { createLocalStore } from '../storage/local-store';
import type { Store } from '../storage/store';
import { type BenchRow, peakRssArgs, timeOnce, timeProcess } from './harness';
import { mergeRuns } from './stream-cluster';

export const EMBEDDED_TARGET_LINES_PER_SEC = 1_000_000;
export const IN_PROCESS = 'loglab archiver, in process';
export const WHOLE_PROCESS = 'loglab archive FILE';
export const AWK = 'gawk, split by hour';
const CLI = 'bin/loglab.mjs';

/** gawk: each line to DIR/<yyyy-mm-dd>T<HH>.log by the hour of its [timestamp], as written. */
const AWK_SCRIPT = `BEGIN {
  split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", names, " ")
  for (i = 1; i <= 12; i++) month[names[i]] = sprintf("%02d", i)
}
{
  i = index($0, "[")
  if (i == 0) { print > (dir "/unparsed.log"); next }
  t = substr($0, i + 1, 14)
  print > (dir "/" substr(t, 8, 4) "-" month[substr(t, 4, 3)] "-" substr(t, 1, 2) "T" substr(t, 13, 2) ".log")
}
`;

export interface LocalArchiveOptions {
  /** The generated log. */
  readonly file: string;
  readonly lines: number;
  readonly bytes: number;
  /** A scratch folder for the lakes and awk's output. */
  readonly dir: string;
  readonly runs: number;
  /** Rounds run first and not counted (the JIT, the page cache). */
  readonly warmup: number;
  /** Also time the archiver in this process (needs the whole file in memory). */
  readonly inProcess: boolean;
  /** The gawk executable, or false to leave the peer out. */
  readonly awk: string | false;
  /** pipeline/archive-lines.ts's archiveLines, passed in: no stage imports the wiring. */
  readonly archive: (store: Store, chunks: string[][]) => Promise<{ readonly lines: number }>;
  readonly log: (line: string) => void;
}

export function hasGawk(command = 'gawk'): boolean {
  const r = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/**
 * Lines in the raw and dead-letter files of the lake `dir`, found by counting newlines (not in
 * the marker of who numbers the topic, loglab/_sources/).
 */
function linesUnder(dir: string): number {
  let n = 0;
  const files = ['raw', 'deadletter'].flatMap((part) => {
    const root = join(dir, 'loglab', part);
    return existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }) : [];
  });
  for (const e of files) {
    if (!e.isFile()) continue;
    const buf = readFileSync(join(e.parentPath, e.name));
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  }
  return n;
}

export async function benchLocalArchive(o: LocalArchiveOptions): Promise<BenchRow[]> {
  const per = { lines: o.lines, bytes: o.bytes };
  const lake = join(o.dir, 'lake');
  const awkOut = join(o.dir, 'awk');
  const script = join(o.dir, 'split-by-hour.awk');
  writeFileSync(script, AWK_SCRIPT);
  let chunks: string[][] = [];
  if (o.inProcess) {
    for await (const batch of readLines(createReadStream(o.file, { highWaterMark: 1 << 20 }))) {
      chunks.push(batch);
    }
  }
  const clean = (path: string) => rmSync(path, { recursive: true, force: true });

  const tasks: (() => Promise<BenchRow>)[] = [];
  if (o.inProcess) {
    tasks.push(async () => {
      clean(lake);
      const store = await createLocalStore({ root: lake });
      const row = await timeOnce(IN_PROCESS, 'archive', per, async () => {
        const done = await o.archive(store, chunks);
        if (done.lines !== o.lines) throw new Error(`archived ${done.lines} of ${o.lines} lines`);
      });
      await store.close();
      return row;
    });
  }
  tasks.push(async () => {
    clean(lake);
    const row = await timeProcess({
      name: WHOLE_PROCESS,
      group: 'archive',
      command: process.execPath,
      args: [...peakRssArgs(), CLI, 'archive', o.file, '--lake', lake],
      runs: 1,
      warmupRuns: 0,
      per,
      reportsPeakRss: true,
    });
    const stored = linesUnder(lake);
    if (stored !== o.lines) throw new Error(`loglab archive stored ${stored} of ${o.lines} lines`);
    return row;
  });
  const awk = o.awk;
  if (awk) {
    tasks.push(async () => {
      clean(awkOut);
      mkdirSync(awkOut, { recursive: true });
      const row = await timeProcess({
        name: AWK,
        group: 'archive',
        command: awk,
        args: ['-v', `dir=${awkOut}`, '-f', script, o.file],
        env: { ...process.env, LC_ALL: 'C' },
        runs: 1,
        warmupRuns: 0,
        per,
      });
      const stored = linesUnder(awkOut);
      if (stored !== o.lines) throw new Error(`gawk stored ${stored} of ${o.lines} lines`);
      return row;
    });
  }

  const samples = new Map<string, BenchRow[]>();
  try {
    for (let round = 0; round < o.warmup + o.runs; round++) {
      const measured = round >= o.warmup;
      o.log(
        measured ? `embedded: round ${round - o.warmup + 1} of ${o.runs}` : 'embedded: warm-up',
      );
      const order = round % 2 === 0 ? tasks : [...tasks].reverse();
      for (const task of order) {
        const row = await task();
        if (measured) samples.set(row.name, [...(samples.get(row.name) ?? []), row]);
      }
    }
  } finally {
    chunks = [];
    clean(lake);
    clean(awkOut);
  }
  return [...samples.values()].map(mergeWithPeak);
}

/** mergeRuns, keeping the largest peak RSS of the runs. */
export function mergeWithPeak(runs: readonly BenchRow[]): BenchRow {
  const peaks = runs.flatMap((r) => (r.peakRssMB === undefined ? [] : [r.peakRssMB]));
  return { ...mergeRuns(runs), ...(peaks.length > 0 ? { peakRssMB: Math.max(...peaks) } : {}) };
}

/** Bytes of a file, for the workload. */
export function fileBytes(path: string): number {
  return statSync(path).size;
}
