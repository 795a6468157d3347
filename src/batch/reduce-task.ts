/**
 * The reduce side for one job and one partition: merge the partition's sorted runs from every
 * map thread (a k-way merge on the shared min-heap), hand each key and all its values to the
 * job's `reduce`, and return its output as `key TAB value` lines.
 */
import { MinHeap } from '../min-heap';
import { escapeField, unescapeField } from './codec';
import type { JobCounters } from './counters';
import type { Job } from './job';
import { jobFailed } from './map-buffer';
import { cursorBefore, openRun, type Run, type RunCursor } from './runs';

export function runReduceTask(job: Job, runs: readonly Run[], counters: JobCounters): string {
  const heap = new MinHeap<RunCursor>(cursorBefore);
  const cursors = runs.map((run, i) => openRun(i, run));
  const out: string[] = [];
  const emit = (key: string, value: string) => {
    counters.reduceOutputRecords++;
    out.push(`${escapeField(key)}\t${escapeField(value)}\n`);
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
  } finally {
    for (const c of cursors) c.close();
  }
  return out.join('');
}
