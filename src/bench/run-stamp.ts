/**
 * What a results file says about the run it came from, beyond the machine: the load average when
 * the run started and when it ended, and the commit measured. The machine is shared, so a figure
 * means little without the load it was taken under; BENCHMARKS.md prints both beside each section.
 *
 * The start is sampled when this module is first imported, which is when a `bench/` script starts
 * (every script imports the harness); the end when its report is made.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

export interface LoadAverage {
  /** os.loadavg(): the 1, 5 and 15 minute load averages, rounded to two decimals. */
  readonly start: readonly number[];
  readonly end: readonly number[];
}

export interface RunStamp {
  /** ISO time the run started. */
  readonly started: string;
  readonly load: LoadAverage;
  /**
   * The commit measured (12 hex digits), with `+dirty` when tracked files other than the results
   * and BENCHMARKS.md differ from it; null outside a git checkout.
   */
  readonly commit: string | null;
}

const round = (values: number[]): number[] => values.map((v) => Math.round(v * 100) / 100);

const startedAt = new Date().toISOString();
const startLoad = round(loadavg());

/** The commit of the working directory, or null where git or the repository is missing. */
export function gitCommit(cwd = process.cwd()): string | null {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const head = git(['rev-parse', '--short=12', 'HEAD']).trim();
    // Results files and the page made from them change with every run: they do not make it dirty.
    const changed = git([
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      '.',
      ':(exclude)bench/results',
      ':(exclude)BENCHMARKS.md',
    ]).trim();
    return changed === '' ? head : `${head}+dirty`;
  } catch {
    return null;
  }
}

/** The stamp of this run, ending now. */
export function runStamp(): RunStamp {
  return {
    started: startedAt,
    load: { start: startLoad, end: round(loadavg()) },
    commit: gitCommit(),
  };
}
