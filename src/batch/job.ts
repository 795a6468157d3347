/**
 * A MapReduce job, written once for every runner (embedded threads here, Hadoop Streaming on the
 * cluster). The shape is mrjob's and Hadoop Streaming's: keys and values are text, so a job runs
 * unchanged as `node task.mjs <job> map|combine|reduce` reading and writing `key TAB value` lines.
 *
 *   records ──map──▶ (key, value)* ──combine (per map task, optional)──▶ partition by key hash
 *   ──▶ sort by key bytes ──▶ reduce(key, all its values) ──▶ (key, row as JSON)
 *   ──▶ every reducer's output sorted by key ──▶ finalize (optional: order, top N, scores) ──▶ rows
 *
 * Contract a job keeps so that every runner gives the same rows:
 * - `map` sees parsed records only (rejected lines are counted by the runner, never mapped).
 * - Keys and values are any text; the codec (codec.ts) escapes tabs, newlines and backslashes.
 * - `combine` and `reduce` must not depend on the order of `values`: runners merge map outputs
 *   in whatever order their tasks finish. `combine` may run zero, one or several times on any
 *   subset of a key's values, so its output values must be valid input values, and it keeps the
 *   key (a runner refuses a combiner that emits another key).
 * - `reduce` (or `reduceEnd`) emits each result row as the value, JSON-encoded (`emitRow`);
 *   `finalize` then sees all rows in key order and returns the rows to report, in a stable order.
 */
import type { LogRecord } from '../log/record';

export type Emit = (key: string, value: string) => void;

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface Job {
  readonly name: string;
  /** One line: what the job reports. */
  readonly description: string;
  /** The fields of its rows, in table order. */
  readonly columns: readonly string[];
  map(record: LogRecord, emit: Emit): void;
  combine?(key: string, values: readonly string[], emit: Emit): void;
  reduce(key: string, values: readonly string[], emit: Emit): void;
  /**
   * Called once after the last key of each reduce task (mrjob's `reducer_final`; a Streaming
   * reducer at the end of its input), so a reducer can emit what it gathered over its keys
   * instead of a row per key. One job object may run several reduce tasks one after another:
   * it must leave its state empty here.
   */
  reduceEnd?(emit: Emit): void;
  finalize?(rows: Row[]): Row[];
}

/** What a job can be tuned with (the same options reach every runner). */
export interface JobOptions {
  /** Rows in a top-N report (default 10). */
  readonly top?: number;
}

export const DEFAULT_TOP = 10;

/** Emit a result row from `reduce`. */
export function emitRow(emit: Emit, key: string, row: Row): void {
  emit(key, JSON.stringify(row));
}

/** The sum of values that are decimal counts: the combiner and reducer of every counting job. */
export function sumCounts(values: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) n += Number(values[i]);
  return n;
}

/** A combiner that adds counts. */
export function combineSum(key: string, values: readonly string[], emit: Emit): void {
  emit(key, String(sumCounts(values)));
}

/** Two text cells in code-unit order, the same on every machine. */
export function compareText(a: Cell, b: Cell): number {
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A number field descending, then a text field ascending (as `loglab summary` breaks ties). */
export function byCountThen(count: string, key: string): (a: Row, b: Row) => number {
  return (a, b) => (b[count] as number) - (a[count] as number) || compareText(a[key], b[key]);
}
