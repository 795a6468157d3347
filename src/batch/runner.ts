/**
 * The `Runner` port: runs MapReduce jobs over stored log files. The embedded adapter runs them on
 * worker threads of this process (embedded-runner.ts); a Hadoop adapter runs the same jobs through
 * Hadoop Streaming, each task `node task.mjs <job> map|combine|reduce` (task.ts).
 *
 * Contract, the same on every adapter:
 * - Jobs are named, not passed as code: a `JobRef` names a built-in job (jobs/index.ts) or a
 *   module that exports one, so a thread or a remote task can load the same job.
 * - Several jobs given together read the input once.
 * - The rows of a job depend only on the input and the job: not on the runner, the number of
 *   threads or reducers, nor the memory bound (runners sort every reducer's output by key, then
 *   apply the job's `finalize`).
 * - A job whose code throws fails the run with a JOB_FAILED error that carries its message.
 */
import type { JobCounters, RunCounters } from './counters';
import type { JobOptions, Row } from './job';

export type RunnerEngine = 'embedded' | 'hadoop' | 'yarn';
export const RUNNER_ENGINES: readonly RunnerEngine[] = ['embedded', 'hadoop', 'yarn'];

/** A job by name: built in, or the default export (a Job or a factory of one) of `module`. */
export interface JobRef {
  readonly name: string;
  /** Absolute path of a module exporting the job; none for a built-in job. */
  readonly module?: string;
  readonly options?: JobOptions;
}

export interface RunInput {
  /** Files or directories (read recursively, skipping names that start with `_` or `.`). */
  readonly paths: readonly string[];
  /**
   * The paths name HDFS, even where this machine has a file of the same name (a lake given as
   * an HDFS folder); otherwise a runner on HDFS uploads the paths that exist here.
   */
  readonly onHdfs?: boolean;
}

export interface RunOptions {
  /** Reduce tasks per job (default: one per thread). */
  readonly reducers?: number;
  /** Input bytes read so far, and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** An entry of an input directory that is not read (a broken link, a FIFO), and why. */
  readonly onSkipped?: (path: string, why: string) => void;
}

export interface JobResult {
  readonly name: string;
  readonly description: string;
  /** The fields of its rows, in table order. */
  readonly columns: readonly string[];
  readonly rows: Row[];
  readonly counters: JobCounters;
}

export interface RunResult {
  readonly engine: RunnerEngine;
  readonly jobs: JobResult[];
  readonly counters: RunCounters;
  readonly elapsedMs: number;
}

export interface Runner {
  readonly engine: RunnerEngine;
  run(jobs: readonly JobRef[], input: RunInput, options?: RunOptions): Promise<RunResult>;
}
