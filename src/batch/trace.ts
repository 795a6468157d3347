/**
 * One job run by hand on a few lines, every phase kept so that it can be shown (notebook 05):
 * what each map task emitted, what its combiner left, which reducer each key went to, the
 * groups each reducer saw in key order, what the reducers emitted, and the job's rows. The same
 * codec, partitioner and `rowsOf` as the runners, so the rows are the runners' rows; everything
 * is held in memory, so it is for a handful of lines, or for counting where records go (skew).
 *
 * What we decided:
 * - The lines are cut into `mapTasks` runs of consecutive lines, as splits cut a file.
 * - A map task's pairs are sorted by key and each key's values combined once when there are two
 *   or more of them, as the embedded runner's map buffer does when it drains (Hadoop runs the
 *   combiner at each spill; either way a combiner may run zero or more times).
 * - A reducer takes the map tasks' output in task order, so each key's values arrive task by
 *   task; jobs may not depend on that order (job.ts).
 */

import { getParser, type ParseFormat } from '../log/parser';
import { isRejection } from '../log/record';
import { compareKeys, encodeLine, escapeField, partitionOf } from './codec';
import type { Job, Row } from './job';
import { jobFailed } from './map-buffer';
import { rowsOf } from './rows';

export interface TraceOptions {
  /** Map tasks the lines are cut into (default 2). */
  readonly mapTasks?: number;
  /** Reduce tasks (default 2). */
  readonly reducers?: number;
  /** False: no combiner, whether the job has one or not (default true). */
  readonly combine?: boolean;
  readonly format?: ParseFormat;
}

/** A pair as a map task emitted it or its combiner left it, and the reducer it goes to. */
export interface TracedPair {
  readonly task: number;
  readonly key: string;
  readonly value: string;
  readonly reducer: number;
}

/** A key with all its values, as one reducer sees it. */
export interface TracedGroup {
  readonly reducer: number;
  readonly key: string;
  readonly values: readonly string[];
}

/** A pair a reducer emitted (its value a JSON row). */
export interface TracedOutput {
  readonly reducer: number;
  readonly key: string;
  readonly value: string;
}

/** What one reducer was sent: records, distinct keys and bytes as `key TAB value` lines. */
export interface ReducerLoad {
  readonly reducer: number;
  readonly records: number;
  readonly keys: number;
  readonly bytes: number;
}

export interface JobTrace {
  readonly records: number;
  readonly rejects: number;
  readonly mapped: readonly TracedPair[];
  /** What the map tasks send to the reducers: `mapped` after the combiner. */
  readonly shuffled: readonly TracedPair[];
  readonly groups: readonly TracedGroup[];
  readonly reduced: readonly TracedOutput[];
  readonly load: readonly ReducerLoad[];
  readonly rows: Row[];
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  }
  return value;
}

/** The lines of map task `t` of `n`: consecutive runs of nearly equal length. */
function taskLines(lines: readonly string[], t: number, n: number): readonly string[] {
  const size = Math.ceil(lines.length / n);
  return lines.slice(t * size, (t + 1) * size);
}

export function traceJob(job: Job, lines: readonly string[], options: TraceOptions = {}): JobTrace {
  const mapTasks = wholeNumber('mapTasks', options.mapTasks ?? 2);
  const reducers = wholeNumber('reducers', options.reducers ?? 2);
  const combine = options.combine === false ? undefined : job.combine;
  const parse = getParser(options.format ?? 'auto');
  const reducerOf = (key: string) => partitionOf(escapeField(key), reducers);
  let records = 0;
  let rejects = 0;
  const mapped: TracedPair[] = [];
  const shuffled: TracedPair[] = [];
  for (let task = 0; task < mapTasks; task++) {
    const byKey = new Map<string, string[]>();
    for (const line of taskLines(lines, task, mapTasks)) {
      const record = parse(line);
      if (isRejection(record)) {
        rejects++;
        continue;
      }
      records++;
      try {
        job.map(record, (key, value) => {
          mapped.push({ task, key, value, reducer: reducerOf(key) });
          const values = byKey.get(key);
          if (values === undefined) byKey.set(key, [value]);
          else values.push(value);
        });
      } catch (err) {
        throw jobFailed(job, 'map', err);
      }
    }
    const keys = [...byKey.keys()].sort((a, b) => compareKeys(escapeField(a), escapeField(b)));
    for (const key of keys) {
      const values = byKey.get(key) as string[];
      const send = (k: string, value: string) =>
        shuffled.push({ task, key: k, value, reducer: reducerOf(k) });
      if (combine === undefined || values.length < 2) {
        for (const v of values) send(key, v);
        continue;
      }
      try {
        combine(key, values, send);
      } catch (err) {
        throw jobFailed(job, 'combine', err);
      }
    }
  }

  const groups: TracedGroup[] = [];
  const reduced: TracedOutput[] = [];
  const load: ReducerLoad[] = [];
  const outputs: string[] = [];
  for (let reducer = 0; reducer < reducers; reducer++) {
    const byKey = new Map<string, string[]>();
    let bytes = 0;
    let count = 0;
    for (const p of shuffled) {
      if (p.reducer !== reducer) continue;
      count++;
      bytes += Buffer.byteLength(encodeLine(p.key, p.value));
      const values = byKey.get(p.key);
      if (values === undefined) byKey.set(p.key, [p.value]);
      else values.push(p.value);
    }
    load.push({ reducer, records: count, keys: byKey.size, bytes });
    const keys = [...byKey.keys()].sort((a, b) => compareKeys(escapeField(a), escapeField(b)));
    let text = '';
    const emit = (key: string, value: string) => {
      reduced.push({ reducer, key, value });
      text += encodeLine(key, value);
    };
    try {
      for (const key of keys) {
        const values = byKey.get(key) as string[];
        groups.push({ reducer, key, values });
        job.reduce(key, values, emit);
      }
      job.reduceEnd?.(emit);
    } catch (err) {
      throw jobFailed(job, 'reduce', err);
    }
    outputs.push(text);
  }
  return {
    records,
    rejects,
    mapped,
    shuffled,
    groups,
    reduced,
    load,
    rows: rowsOf(job, outputs),
  };
}

/** A trace's phases as plain table rows: a group's values joined with ", ". */
export function traceTables(trace: JobTrace): {
  mapped: Row[];
  shuffled: Row[];
  groups: Row[];
  reduced: Row[];
} {
  const pair = (p: TracedPair): Row => ({
    'map task': p.task,
    key: p.key,
    value: p.value,
    reducer: p.reducer,
  });
  return {
    mapped: trace.mapped.map(pair),
    shuffled: trace.shuffled.map(pair),
    groups: trace.groups.map((g) => ({
      reducer: g.reducer,
      key: g.key,
      values: g.values.join(', '),
    })),
    reduced: trace.reduced.map((r) => ({ reducer: r.reducer, key: r.key, row: r.value })),
  };
}

/** The keys that sent a reducer the most records, most first, with their reducer. */
export function hotKeys(
  trace: JobTrace,
  top = 3,
): { key: string; reducer: number; records: number }[] {
  const byKey = new Map<string, { key: string; reducer: number; records: number }>();
  for (const p of trace.shuffled) {
    const k = byKey.get(p.key);
    if (k === undefined) byKey.set(p.key, { key: p.key, reducer: p.reducer, records: 1 });
    else k.records++;
  }
  return [...byKey.values()]
    .sort((a, b) => b.records - a.records || compareKeys(a.key, b.key))
    .slice(0, top);
}

/** Records per reducer of several traces, each as a share of its own total (for one chart). */
export function reducerShares(
  traces: Readonly<Record<string, JobTrace>>,
): { series: string; reducer: number; records: number; share: number }[] {
  return Object.entries(traces).flatMap(([series, t]) => {
    const total = t.load.reduce((n, l) => n + l.records, 0);
    return t.load.map((l) => ({
      series,
      reducer: l.reducer,
      records: l.records,
      share: total > 0 ? Math.round((1000 * l.records) / total) / 1000 : 0,
    }));
  });
}
