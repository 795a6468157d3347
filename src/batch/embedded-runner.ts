/**
 * The embedded runner: MapReduce on the threads of this process, no services.
 *
 *   input files ──▶ splits (byte ranges on line boundaries; a .gz file whole; a pipe or stdin
 *                   whole, read by the main thread before it claims splits: input.ts)
 *   ──▶ map phase: the main thread and N−1 worker threads claim splits from a shared counter,
 *       parse, map every job, combine, hash-partition, sort; runs past the memory bound spill to disk
 *   ──▶ reduce phase: (job, partition) tasks, largest first, claimed by the same threads from
 *       another shared counter, each a k-way merge of its runs into the job's `reduce`
 *   ──▶ rows per job (rows.ts): reducer output sorted by key, then `finalize`
 *
 * Threads start through parallel/worker-thread.ts and split files as the file summary does.
 * A thread boots in ~0.1–0.2 s (the TypeScript loader), so a small input is done by the main
 * thread before a worker is ready: workers that claimed nothing are stopped, not waited for, and
 * the reduce phase uses workers only when there is enough to shuffle. A worker that mapped stays
 * for the reduce phase: booting a second one cost 0.14 s of CPU and let the main thread run
 * ahead on a share fixed in advance, then wait (1,000,000 lines, every job, 2 threads).
 *
 * This module starts workers by file URL, so it stays out of src/batch/index.ts: notebooks
 * compile the library as CommonJS, where `import.meta` does not exist.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { badFlag } from '../errors';
import type { ParseFormat } from '../log/parser';
import { claimCounters } from '../parallel/claim';
import { DEFAULT_BLOCK_SIZE } from '../parallel/line-blocks';
import { type StartedWorker, startWorker } from '../parallel/worker-thread';
import { addCounters, createJobCounters, type JobCounters, type RunCounters } from './counters';
import type { ReducePlan, WorkerTask } from './embedded-worker';
import { listInputFiles, makeSplits, type Split } from './input';
import type { Job } from './job';
import { loadJob, type ModuleLoader } from './load-job';
import { KIB_DONE, type MapOutput, type MapSettings, runMapTasks } from './map-task';
import { type ReduceOutput, type ReduceTask, runClaimedReduceTasks } from './reduce-task';
import { rowsOf } from './rows';
import type { JobRef, RunInput, Runner, RunOptions, RunResult } from './runner';

export interface EmbeddedRunnerOptions {
  /** Threads that map and reduce, the main thread included (default: cores, at most 4). */
  readonly workers?: number;
  /** Map output one thread may buffer before it spills sorted runs to disk (default 8 MiB). */
  readonly memoryBytes?: number;
  /** Bytes per split of a plain file (default 8 MiB). */
  readonly splitBytes?: number;
  /** Where spill files go, in a directory of their own removed after the run (default: the OS's). */
  readonly tmpDir?: string;
  /** What an input path `-` reads (default: process.stdin). */
  readonly stdin?: Readable;
  /** Parser for every line (default auto). */
  readonly format?: ParseFormat;
  /** How the main thread loads a job module (default: import). */
  readonly load?: ModuleLoader;
  /**
   * Shuffle bytes per reduce thread: one thread for each this many, up to `workers`. Less than
   * this is reduced by the main thread alone, before a worker could have booted (default 4 MiB;
   * 1 uses every thread).
   */
  readonly parallelReduceBytes?: number;
  /** Splits the main thread may map at most (default: all); tests use it to make workers work. */
  readonly mainThreadSplits?: number;
  /**
   * False runs every job without its combiner, as Hadoop Streaming without `-combiner`: the
   * same rows, and the counters show what the combiner saves (default true).
   */
  readonly combiners?: boolean;
}

/**
 * The buffers' own estimate runs well below the heap it stands for (V8's maps, arrays, and the
 * garbage a spill leaves until the next full collection). Measured on 1,000,000 lines, every job:
 * one thread peaked at 390 MB RSS with a 64 MiB bound and 239 MB with 16 MiB; two threads at
 * 441–451 MB with 16 MiB and 371–419 MB with 8 MiB, in the same CPU time. Hence 8 MiB a thread.
 */
export const DEFAULT_MEMORY_BYTES = 8 << 20;
const PARALLEL_REDUCE_BYTES = 4 << 20;

const WORKER_ENTRY = fileURLToPath(new URL('./embedded-worker.ts', import.meta.url));
const importModule: ModuleLoader = (path) => import(pathToFileURL(path).href);

export function defaultWorkers(): number {
  return Math.min(4, availableParallelism());
}

export function createEmbeddedRunner(options: EmbeddedRunnerOptions = {}): Runner {
  for (const [name, value] of [
    ['workers', options.workers],
    ['memoryBytes', options.memoryBytes],
    ['splitBytes', options.splitBytes],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      throw badFlag(`${name} must be a whole number ≥ 1, got ${value}`);
    }
  }
  return {
    engine: 'embedded',
    run: (refs, input, runOptions) => runEmbedded(refs, input, options, runOptions ?? {}),
  };
}

function stopAll(workers: StartedWorker<unknown>[]): void {
  for (const w of workers) w.stop();
}

/** Wait for every worker; on the first failure stop the rest and throw it. */
async function gather<T>(workers: StartedWorker<T>[]): Promise<T[]> {
  try {
    return (await Promise.all(workers.map((w) => w.result))).filter(
      (v): v is Awaited<T> => v !== null,
    ) as T[];
  } catch (err) {
    stopAll(workers);
    throw err;
  }
}

async function runEmbedded(
  refs: readonly JobRef[],
  input: RunInput,
  options: EmbeddedRunnerOptions,
  runOptions: RunOptions,
): Promise<RunResult> {
  const started = performance.now();
  const jobs = await Promise.all(refs.map((r) => loadJob(r, options.load ?? importModule)));
  const files = listInputFiles(input.paths, runOptions.onSkipped);
  const all = makeSplits(files, options.splitBytes ?? DEFAULT_BLOCK_SIZE);
  const streams = all.filter((s) => s.stream);
  const splits = all.filter((s) => !s.stream);
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  // The main thread reads the streams while the workers take the other splits.
  const threads = Math.max(
    1,
    Math.min(options.workers ?? defaultWorkers(), splits.length + (streams.length > 0 ? 1 : 0)),
  );
  const reducers = runOptions.reducers ?? threads;
  if (!Number.isSafeInteger(reducers) || reducers < 1) {
    throw badFlag(`reducers must be a whole number ≥ 1, got ${reducers}`);
  }
  const spillDir = mkdtempSync(join(options.tmpDir ?? tmpdir(), 'loglab-mapreduce-'));
  try {
    const settings: MapSettings = {
      splits,
      reducers,
      memoryBytes: options.memoryBytes ?? DEFAULT_MEMORY_BYTES,
      spillDir,
      format: options.format ?? 'auto',
      combiners: options.combiners ?? true,
    };
    const { maps, workers } = await mapPhase(jobs, refs, settings, threads, totalBytes, {
      onProgress: runOptions.onProgress,
      mainThreadSplits: options.mainThreadSplits,
      streams,
      stdin: options.stdin,
    });
    const jobCounters = jobs.map(() => createJobCounters());
    for (const m of maps) {
      m.counters.forEach((c, j) => {
        addCounters(jobCounters[j], c);
      });
    }
    const reduceThreads = (shuffle: number) =>
      Math.min(
        threads,
        Math.ceil(shuffle / (options.parallelReduceBytes ?? PARALLEL_REDUCE_BYTES)),
      );
    const outputs = await reducePhase(
      jobs,
      maps,
      workers,
      reducers,
      reduceThreads,
      jobCounters,
      spillDir,
    );
    const counters: RunCounters = {
      records: maps.reduce((n, m) => n + m.records, 0),
      rejects: maps.reduce((n, m) => n + m.rejects, 0),
      inputFiles: files.length,
      inputBytes: totalBytes + maps.reduce((n, m) => n + m.streamBytes, 0),
      splits: all.length,
    };
    return {
      engine: 'embedded',
      jobs: jobs.map((job, j) => ({
        name: job.name,
        description: job.description,
        columns: job.columns,
        rows: rowsOf(job, outputs[j]),
        counters: jobCounters[j],
      })),
      counters,
      elapsedMs: performance.now() - started,
    };
  } finally {
    rmSync(spillDir, { recursive: true, force: true });
  }
}

type Thread = StartedWorker<ReduceOutput[]>;

/** What the main thread's share of the map phase needs beyond the settings every thread has. */
interface MainThreadInput {
  readonly onProgress: RunOptions['onProgress'];
  readonly mainThreadSplits: number | undefined;
  /** Stream inputs: the main thread reads them, as only it has stdin. */
  readonly streams: readonly Split[];
  readonly stdin: Readable | undefined;
}

/** Every thread's map output, and the workers that mapped (they wait to reduce). */
async function mapPhase(
  jobs: readonly Job[],
  refs: readonly JobRef[],
  settings: MapSettings,
  threads: number,
  totalBytes: number,
  { onProgress, mainThreadSplits, streams, stdin }: MainThreadInput,
): Promise<{ maps: MapOutput[]; workers: Thread[] }> {
  const counters = claimCounters(1);
  const workers: Thread[] = [];
  for (let t = 1; t < threads; t++) {
    const task: WorkerTask = {
      refs,
      settings,
      shared: counters.buffer as SharedArrayBuffer,
      thread: t,
    };
    workers.push(startWorker<ReduceOutput[]>(WORKER_ENTRY, task, 'mapreduce worker'));
  }
  const report = onProgress
    ? () => onProgress(Math.min(totalBytes, Atomics.load(counters, KIB_DONE) * 1024), totalBytes)
    : undefined;
  // The main thread maps too; the timer reports while it waits for the workers.
  const timer = report ? setInterval(report, 200) : null;
  try {
    let mine: MapOutput;
    try {
      mine = await runMapTasks(jobs, settings, counters, 0, {
        onSplit: report,
        limit: workers.length > 0 ? mainThreadSplits : undefined,
        streams,
        stdin: stdin === undefined ? undefined : () => stdin,
      });
    } catch (err) {
      stopAll(workers);
      throw err;
    }
    if (mine.splits === settings.splits.length) {
      // Every split was ours: the workers never got one, so they need not be waited for.
      stopAll(workers);
      return { maps: [mine], workers: [] };
    }
    let theirs: (MapOutput | null)[];
    try {
      theirs = await Promise.all(workers.map((w) => w.note<MapOutput>()));
    } catch (err) {
      stopAll(workers);
      throw err;
    }
    return { maps: [mine, ...theirs.filter((m): m is MapOutput => m !== null)], workers };
  } finally {
    if (timer) clearInterval(timer);
    report?.();
  }
}

function runBytes(task: ReduceTask): number {
  let n = 0;
  for (const r of task.runs) n += r.kind === 'memory' ? r.text.length : r.bytes;
  return n;
}

/**
 * Reducer output text per job, in partition order. The tasks, largest first, are claimed by the
 * main thread and as many of the map workers as the shuffle needs; the others are stopped.
 */
async function reducePhase(
  jobs: readonly Job[],
  maps: readonly MapOutput[],
  mapWorkers: readonly Thread[],
  reducers: number,
  threadsFor: (shuffleBytes: number) => number,
  jobCounters: JobCounters[],
  spillDir: string,
): Promise<string[][]> {
  const found: ReduceTask[] = [];
  for (let j = 0; j < jobs.length; j++) {
    for (let p = 0; p < reducers; p++) {
      const runs = maps.flatMap((m) => m.runs[j][p]);
      if (runs.length > 0) found.push({ job: j, partition: p, runs });
    }
  }
  const sizes = found.map(runBytes);
  const shuffle = sizes.reduce((a, b) => a + b, 0);
  // Largest first: partitions are hashed, jobs are not alike, and the last task claimed should
  // be a short one.
  const tasks = found
    .map((_, i) => i)
    .sort((a, b) => sizes[b] - sizes[a])
    .map((i) => found[i]);
  const n = Math.max(1, Math.min(tasks.length, threadsFor(shuffle), mapWorkers.length + 1));
  const workers = mapWorkers.slice(0, n - 1);
  stopAll(mapWorkers.slice(n - 1));
  const claims = claimCounters();
  const plan: ReducePlan = { tasks, claims: claims.buffer as SharedArrayBuffer };
  for (const w of workers) w.send(plan);
  let mine: ReduceOutput[];
  try {
    mine = runClaimedReduceTasks(jobs, tasks, claims, spillDir);
  } catch (err) {
    stopAll(workers);
    throw err;
  }
  const all = [...mine, ...(await gather(workers)).flat()];
  all.sort((a, b) => a.job - b.job || a.partition - b.partition);
  const out: string[][] = jobs.map(() => []);
  for (const r of all) {
    out[r.job].push(r.text);
    addCounters(jobCounters[r.job], r.counters);
  }
  return out;
}
