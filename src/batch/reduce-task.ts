/**
 * The reduce side for one job and one partition: merge the partition's sorted runs from every
 * map thread (a k-way merge on the shared min-heap), hand each key and all its values to the
 * job's `reduce`, and return its output as `key TAB value` lines.
 *
 * A long input leaves hundreds of spilled runs per partition, and each open run holds a read
 * buffer; as Hadoop does (mapreduce.task.io.sort.factor), at most MERGE_FACTOR runs are merged
 * at once, earlier ones first merged into intermediate files.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MinHeap } from '../min-heap';
import { claimNext } from '../parallel/claim';
import { escapeField, unescapeField } from './codec';
import { createJobCounters, type JobCounters } from './counters';
import type { Job } from './job';
import { jobFailed } from './map-buffer';
import { cursorBefore, openRun, type Run, type RunCursor } from './runs';

export const MERGE_FACTOR = 64;
/** Characters gathered before an intermediate merge writes them out (each line pins its chunk). */
const WRITE_BYTES = 256 << 10;
/** Reduce output lines gathered before they are joined into a string of their own. */
const OUTPUT_LINES = 1024;

/** Merge `runs` into one sorted file at `path`. */
function mergeToFile(runs: readonly Run[], path: string): Run {
  const heap = new MinHeap<RunCursor>(cursorBefore);
  const cursors = runs.map((run, i) => openRun(i, run));
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    let out: string[] = [];
    let pending = 0;
    for (const c of cursors) if (c.advance()) heap.push(0, c);
    for (;;) {
      const c = heap.pop();
      if (c === undefined) break;
      const line = `${c.key}\t${c.value}\n`;
      out.push(line);
      pending += line.length;
      if (pending >= WRITE_BYTES) {
        bytes += writeSync(fd, out.join(''));
        out = [];
        pending = 0;
      }
      if (c.advance()) heap.push(0, c);
    }
    if (out.length > 0) bytes += writeSync(fd, out.join(''));
  } finally {
    closeSync(fd);
    for (const c of cursors) c.close();
  }
  return { kind: 'file', path, bytes };
}

/**
 * Runs merged down to at most MERGE_FACTOR, the extra ones through intermediate files under
 * `dir` named after `name`.
 */
function fewerRuns(runs: readonly Run[], dir: string, name: string): Run[] {
  let left = runs.slice();
  let n = 0;
  while (left.length > MERGE_FACTOR) {
    // Merge just enough that what remains fits, the smallest runs first (less to rewrite).
    const take = Math.min(MERGE_FACTOR, left.length - MERGE_FACTOR + 1);
    left.sort((a, b) => size(a) - size(b));
    const merged = mergeToFile(left.slice(0, take), join(dir, `${name}-m${n++}.run`));
    left = [...left.slice(take), merged];
  }
  return left;
}

function size(run: Run): number {
  return run.kind === 'memory' ? run.text.length : run.bytes;
}

export function runReduceTask(
  job: Job,
  allRuns: readonly Run[],
  counters: JobCounters,
  spillDir: string,
  name: string,
): string {
  const runs = fewerRuns(allRuns, spillDir, name);
  const heap = new MinHeap<RunCursor>(cursorBefore);
  const cursors = runs.map((run, i) => openRun(i, run));
  // Output lines are joined every OUTPUT_LINES: a line built from the key points into the 64 KiB
  // chunk the key was read from, and keeping every line as built kept every chunk (730 MB for
  // sessions on 3M lines); a joined string is a copy of its own.
  const done: string[] = [];
  let out: string[] = [];
  const emit = (key: string, value: string) => {
    counters.reduceOutputRecords++;
    out.push(`${escapeField(key)}\t${escapeField(value)}\n`);
    if (out.length === OUTPUT_LINES) {
      done.push(out.join(''));
      out = [];
    }
  };
  let key: string | null = null;
  let values: string[] = [];
  const flush = () => {
    if (key === null) return;
    counters.reduceInputGroups++;
    const plain = unescapeField(key);
    try {
      job.reduce(plain, values, emit);
    } catch (err) {
      throw jobFailed(job, 'reduce', err, ` on key ${JSON.stringify(plain)}`);
    }
  };
  try {
    // Every number is 0: the heap orders by `cursorBefore` alone.
    for (const c of cursors) if (c.advance()) heap.push(0, c);
    for (;;) {
      const c = heap.pop();
      if (c === undefined) break;
      if (c.key !== key) {
        flush();
        key = c.key;
        values = [];
      }
      values.push(unescapeField(c.value));
      if (c.advance()) heap.push(0, c);
    }
    flush();
    if (job.reduceEnd) {
      try {
        job.reduceEnd(emit);
      } catch (err) {
        throw jobFailed(job, 'reduce', err);
      }
    }
  } finally {
    for (const c of cursors) c.close();
  }
  done.push(out.join(''));
  return done.join('');
}

/** The runs of one job's partition, from every map thread. */
export interface ReduceTask {
  readonly job: number;
  readonly partition: number;
  readonly runs: readonly Run[];
}

export interface ReduceOutput {
  job: number;
  partition: number;
  text: string;
  counters: JobCounters;
}

/** The name a reduce task's intermediate files start with. */
export function reduceName(t: ReduceTask): string {
  return `r-j${t.job}-p${t.partition}`;
}

/**
 * Reduce tasks claimed from `claims` (parallel/claim.ts) until none is left: every thread of the
 * reduce phase runs this over the same list, largest task first, so a thread that finishes early
 * takes the next task instead of waiting for a share handed out in advance.
 */
export function runClaimedReduceTasks(
  jobs: readonly Job[],
  tasks: readonly ReduceTask[],
  claims: Int32Array,
  spillDir: string,
): ReduceOutput[] {
  const out: ReduceOutput[] = [];
  for (;;) {
    const i = claimNext(claims, tasks.length);
    if (i === -1) return out;
    const t = tasks[i];
    const counters = createJobCounters();
    const text = runReduceTask(jobs[t.job], t.runs, counters, spillDir, reduceName(t));
    out.push({ job: t.job, partition: t.partition, text, counters });
  }
}
