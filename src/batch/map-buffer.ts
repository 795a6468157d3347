/**
 * The map side's buffer for one job on one thread: pairs grouped by key, combined as they come,
 * and written out as sorted runs per partition (runs.ts).
 *
 * Hadoop sorts raw map output in a buffer and combines at spill time. Here equal keys are grouped
 * in a Map as they are emitted and a key's values are combined once they number 64, then again at
 * twice what the combiner left, so counting jobs hold one small value per distinct key and a
 * combiner that cannot shrink its input (distinct visitors) is not called per value. When the buffers of a
 * thread pass the memory bound, every buffer spills: keys sorted, combined once more, and each
 * partition's lines written to a file of its own. What is left at the end stays in memory.
 *
 * Memory is estimated, not measured: ~80 bytes and the key for a new key, 8 bytes a value and
 * the value's own string (valueCost).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoglabError, LoglabError } from '../errors';
import { ownString } from '../summary/aggregator';
import { compareKeys, escapeField, partitionOf } from './codec';
import type { JobCounters } from './counters';
import type { Emit, Job } from './job';
import type { Run } from './runs';

const KEY_COST = 80;
const VALUE_COST = 8;
const FIRST_COMBINE = 64;

/** The memory shared by the buffers of one thread, and what to do when it is used up. */
export interface MemoryBudget {
  used: number;
  readonly limit: number;
  spillAll(): void;
}

/** A value's slot, and its own string unless it is one character (V8 shares those). */
function valueCost(v: string): number {
  if (v.length <= 1) return VALUE_COST;
  // A string of 13 characters or more is kept as a slice of a copy (ownString): two objects.
  return VALUE_COST + 32 + v.length + (v.length >= 13 ? 32 : 0);
}

export function jobFailed(job: Job, phase: string, err: unknown, where = ''): LoglabError {
  if (isLoglabError(err) && err.code === 'JOB_FAILED') return err;
  const message = err instanceof Error ? err.message : String(err);
  return new LoglabError('JOB_FAILED', `job ${job.name} failed in ${phase}${where}: ${message}`, {
    cause: err,
  });
}

export class MapBuffer {
  private groups = new Map<string, string[]>();
  /** When a key whose values did not shrink below 32 is combined next (64 for the others). */
  private nextCombine = new Map<string, number>();
  private spilled = 0;
  /** Runs made so far, per partition. */
  readonly runs: Run[][];
  /** Give this to the job's `map`. */
  readonly emit: Emit;

  constructor(
    private readonly job: Job,
    private readonly reducers: number,
    private readonly budget: MemoryBudget,
    /** Spill files are `<spillPrefix>-s<n>-p<partition>.run`. */
    private readonly spillPrefix: string,
    private readonly counters: JobCounters,
  ) {
    this.runs = Array.from({ length: reducers }, () => []);
    const groups = this.groups;
    const combine = job.combine;
    this.emit = (key: string, value: string) => {
      counters.mapOutputRecords++;
      counters.mapOutputBytes += key.length + value.length + 2;
      // Own copies: a key or value built from a record's fields points into a decoded block of
      // megabytes, and keeping it would keep the whole block alive.
      const list = groups.get(key);
      if (list === undefined) {
        groups.set(ownString(key), [ownString(value)]);
        budget.used += KEY_COST + key.length + valueCost(value);
      } else {
        // A key's values often repeat the one before (a visitor's user agent, request after
        // request): that string is pushed again instead of a fresh copy, so the copy is neither
        // made nor carried through the young generation. The estimate still counts it whole.
        const last = list[list.length - 1];
        const n = list.push(last === value ? last : ownString(value));
        budget.used += valueCost(value);
        if (combine !== undefined && n >= FIRST_COMBINE && n >= (this.nextCombine.get(key) ?? 0)) {
          const out = this.combined(key, list);
          groups.set(key, out);
          // Twice what is left: a combiner that cannot shrink its input is not called per value.
          if (out.length * 2 > FIRST_COMBINE) this.nextCombine.set(key, out.length * 2);
        }
      }
      if (budget.used > budget.limit) budget.spillAll();
    };
  }

  /** `values` run through the combiner; the budget follows the change. */
  private combined(key: string, values: string[]): string[] {
    const combine = this.job.combine;
    if (combine === undefined || values.length < 2) return values;
    const out: string[] = [];
    try {
      combine(key, values, (k, v) => {
        if (k !== key) throw new Error(`combine emitted key "${k}" for key "${key}"`);
        out.push(v);
      });
    } catch (err) {
      throw jobFailed(this.job, 'combine', err);
    }
    this.counters.combineInputRecords += values.length;
    this.counters.combineOutputRecords += out.length;
    let delta = 0;
    for (const v of values) delta -= valueCost(v);
    for (const v of out) delta += valueCost(v);
    this.budget.used += delta;
    return out;
  }

  /** Whether anything waits in memory. */
  get size(): number {
    return this.groups.size;
  }

  /**
   * Everything buffered as sorted text per partition, combined once more; the buffer is left
   * empty (the owner of the budget resets it).
   */
  drain(): string[] {
    const keys: [string, string][] = [];
    for (const key of this.groups.keys()) keys.push([escapeField(key), key]);
    keys.sort((a, b) => compareKeys(a[0], b[0]));
    const parts: string[][] = Array.from({ length: this.reducers }, () => []);
    for (const [escaped, key] of keys) {
      const values = this.combined(key, this.groups.get(key) as string[]);
      const lines = parts[partitionOf(escaped, this.reducers)];
      for (const v of values) lines.push(`${escaped}\t${escapeField(v)}\n`);
    }
    this.groups.clear();
    this.nextCombine.clear();
    return parts.map((lines) => lines.join(''));
  }

  /** Write what is buffered to disk as one sorted run per partition (the owner of the budget
   * resets it once every buffer has spilled). */
  spill(): void {
    if (this.groups.size === 0) return;
    const texts = this.drain();
    const n = this.spilled++;
    this.counters.spills++;
    texts.forEach((text, p) => {
      if (text.length === 0) return;
      const path = `${this.spillPrefix}-s${n}-p${p}.run`;
      writeFileSync(path, text);
      const bytes = Buffer.byteLength(text);
      this.counters.spilledBytes += bytes;
      this.counters.shuffleBytes += bytes;
      this.runs[p].push({ kind: 'file', path, bytes });
    });
  }

  /** The last runs, kept in memory; returns every run per partition. */
  finish(): Run[][] {
    if (this.groups.size > 0) {
      this.drain().forEach((text, p) => {
        if (text.length === 0) return;
        this.counters.shuffleBytes += Buffer.byteLength(text);
        this.runs[p].push({ kind: 'memory', text });
      });
    }
    return this.runs;
  }
}

/** Spill files of job `j` on thread `thread` go under `dir`. */
export function spillPrefix(dir: string, thread: number, j: number): string {
  return join(dir, `t${thread}-j${j}`);
}
