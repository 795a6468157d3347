/**
 * Runs of the same jobs side by side (notebook 05, bench reports): whether every job's rows are
 * the same in each run, byte for byte as JSON, and how long each run took.
 */
import type { RunResult } from './runner';

export interface LabelledRun {
  /** What ran: "embedded, 2 workers", "Hadoop local runner". */
  readonly label: string;
  readonly result: RunResult;
}

/** Per job: its rows in the first run, and whether every other run gave the same JSON. */
export function compareRows(
  runs: readonly LabelledRun[],
): { job: string; rows: number; identical: boolean }[] {
  if (runs.length === 0) return [];
  return runs[0].result.jobs.map((job) => {
    const json = JSON.stringify(job.rows);
    const identical = runs.every(
      (r) => JSON.stringify(r.result.jobs.find((j) => j.name === job.name)?.rows) === json,
    );
    return { job: job.name, rows: job.rows.length, identical };
  });
}

/** Per run: its wall time and the input lines (records and rejects) per second. */
export function runTimes(
  runs: readonly LabelledRun[],
): { runner: string; seconds: number; linesPerSec: number }[] {
  return runs.map(({ label, result }) => {
    const seconds = Math.round(result.elapsedMs) / 1000;
    const lines = result.counters.records + result.counters.rejects;
    return {
      runner: label,
      seconds,
      linesPerSec: result.elapsedMs > 0 ? Math.round((lines * 1000) / result.elapsedMs) : 0,
    };
  });
}

/**
 * Per job: bytes shuffled to the reducers with its combiner and without (two runs of the same
 * jobs, the second with `combiners: false`), and the share the combiner saved.
 */
export function combinerSavings(
  withCombiners: RunResult,
  withoutCombiners: RunResult,
): { job: string; withCombiner: number; withoutCombiner: number; saved: number }[] {
  return withCombiners.jobs.map((job) => {
    const without = withoutCombiners.jobs.find((j) => j.name === job.name);
    const a = job.counters.shuffleBytes;
    const b = without?.counters.shuffleBytes ?? 0;
    return {
      job: job.name,
      withCombiner: a,
      withoutCombiner: b,
      saved: b > 0 ? Math.round((1000 * (b - a)) / b) / 1000 : 0,
    };
  });
}
