/**
 * Several jobs as one: what lets the Hadoop runner run `errors,peak-hours,top-urls` as a single
 * Hadoop job (one JVM start, one read of the input) instead of one job each, as the embedded
 * runner maps every job over one pass.
 *
 * What we decided:
 * - Each pair a job emits gets its job's name and a TAB in front of its key. Names hold no TAB,
 *   so the first TAB of a key says whose it is; behind the same prefix the keys of one job keep
 *   their byte order, so each job's reducer sees its keys as it would alone.
 * - A job without a combiner passes its values through the set's combiner unchanged (a valid
 *   combine: the values stay valid input values).
 * - The set counts, per job, the records each phase took in and gave out, and the groups each
 *   reducer saw, so the runner reports every job's counters as the embedded runner does.
 * - One job alone is not wrapped: its keys stay as they are (`jobsOf` and `splitOutputs` below
 *   take both forms).
 */
import { escapeField, keyEnd } from './codec';
import type { Emit, Job } from './job';
import { jobFailed } from './map-buffer';

export interface JobPhaseCounts {
  input: number;
  output: number;
  groups: number;
}

export interface JobSet extends Job {
  readonly jobs: readonly Job[];
  /** Counts of the phase run last, per job name. */
  readonly counts: Map<string, JobPhaseCounts>;
  /** `combine` that leaves the counts alone: a map task combining its own output. */
  combineInMap(key: string, values: readonly string[], emit: Emit): void;
}

const SEP = '\t';

export function jobSet(jobs: readonly Job[]): JobSet {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const counts = new Map<string, JobPhaseCounts>(
    jobs.map((j) => [j.name, { input: 0, output: 0, groups: 0 }]),
  );
  const emits = new Map<string, Emit>();
  let outer: Emit | null = null;
  const emitFor = (job: Job, emit: Emit): Emit => {
    if (outer !== emit) {
      outer = emit;
      emits.clear();
    }
    let e = emits.get(job.name);
    if (e === undefined) {
      const c = counts.get(job.name) as JobPhaseCounts;
      const prefix = job.name + SEP;
      e = (key, value) => {
        c.output++;
        emit(prefix + key, value);
      };
      emits.set(job.name, e);
    }
    return e;
  };
  const dispatch = (key: string): [Job, string] => {
    const at = key.indexOf(SEP);
    const job = at === -1 ? undefined : byName.get(key.slice(0, at));
    if (job === undefined) throw new Error(`key ${JSON.stringify(key)} names no job of the set`);
    return [job, key.slice(at + 1)];
  };
  const group = (
    phase: 'combine' | 'reduce',
    key: string,
    values: readonly string[],
    emit: Emit,
    count = true,
  ) => {
    const [job, k] = dispatch(key);
    let e: Emit;
    if (count) {
      const c = counts.get(job.name) as JobPhaseCounts;
      c.input += values.length;
      c.groups++;
      e = emitFor(job, emit);
    } else {
      const prefix = job.name + SEP;
      e = (key, value) => emit(prefix + key, value);
    }
    try {
      if (phase === 'reduce') job.reduce(k, values, e);
      else if (job.combine) job.combine(k, values, e);
      else for (const v of values) e(k, v);
    } catch (err) {
      throw jobFailed(job, phase, err);
    }
  };
  return {
    name: jobs.map((j) => j.name).join(','),
    description: `The jobs ${jobs.map((j) => j.name).join(', ')} in one pass`,
    columns: [],
    jobs,
    counts,
    map(record, emit) {
      for (const job of jobs) {
        (counts.get(job.name) as JobPhaseCounts).input++;
        try {
          job.map(record, emitFor(job, emit));
        } catch (err) {
          throw jobFailed(job, 'map', err);
        }
      }
    },
    combine(key, values, emit) {
      group('combine', key, values, emit);
    },
    combineInMap(key, values, emit) {
      group('combine', key, values, emit, false);
    },
    reduce(key, values, emit) {
      group('reduce', key, values, emit);
    },
    reduceEnd(emit) {
      for (const job of jobs) {
        try {
          job.reduceEnd?.(emitFor(job, emit));
        } catch (err) {
          throw jobFailed(job, 'reduce', err);
        }
      }
    },
  };
}

/**
 * The output lines of a set's reducers (`texts`: part files), one text per job with the job's
 * prefix taken off each key. With one job the texts are that job's as they are.
 */
export function splitOutputs(
  names: readonly string[],
  texts: Iterable<string>,
): Map<string, string[]> {
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  if (names.length === 1) {
    out.set(names[0], [...texts]);
    return out;
  }
  // The key's TAB is escaped in the line: `name\t` as two characters.
  const prefix = new Map(names.map((n) => [`${escapeField(n)}\\t`, n]));
  const lines = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      const key = line.slice(0, keyEnd(line));
      const at = key.indexOf('\\t');
      const name = at === -1 ? undefined : prefix.get(key.slice(0, at + 2));
      if (name === undefined) throw new Error(`output line ${JSON.stringify(line)} names no job`);
      (lines.get(name) as string[]).push(line.slice(at + 2));
    }
  }
  for (const [name, l] of lines) out.set(name, l.length === 0 ? [] : [`${l.join('\n')}\n`]);
  return out;
}
