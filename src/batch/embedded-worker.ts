/**
 * A worker thread of the embedded runner: one phase of a run, map (claim splits) or reduce (the
 * tasks it was given). Started through parallel/worker-thread.ts; it loads the jobs by reference,
 * requiring modules (the thread runs TypeScript as CommonJS under tsx).
 */
import { answerParent, workerInput } from '../parallel/worker-thread';
import { createJobCounters } from './counters';
import { loadJob } from './load-job';
import { type MapSettings, runMapTasks } from './map-task';
import { runReduceTask } from './reduce-task';
import type { JobRef } from './runner';
import type { Run } from './runs';

export interface ReduceTask {
  readonly job: number;
  readonly partition: number;
  readonly runs: readonly Run[];
}

/** The name a reduce task's intermediate files start with. */
export function reduceName(t: ReduceTask): string {
  return `r-j${t.job}-p${t.partition}`;
}

export type WorkerTask =
  | {
      readonly phase: 'map';
      readonly refs: readonly JobRef[];
      readonly settings: MapSettings;
      readonly shared: SharedArrayBuffer;
      readonly thread: number;
    }
  | {
      readonly phase: 'reduce';
      readonly refs: readonly JobRef[];
      readonly tasks: readonly ReduceTask[];
      /** Where intermediate merges of many runs go. */
      readonly spillDir: string;
    };

const requireModule = (path: string) => Promise.resolve(require(path) as unknown);

void answerParent(async () => {
  const task = workerInput<WorkerTask>();
  const jobs = await Promise.all(task.refs.map((r) => loadJob(r, requireModule)));
  if (task.phase === 'map') {
    return runMapTasks(jobs, task.settings, new Int32Array(task.shared), task.thread);
  }
  return task.tasks.map((t) => {
    const counters = createJobCounters();
    const text = runReduceTask(jobs[t.job], t.runs, counters, task.spillDir, reduceName(t));
    return { job: t.job, partition: t.partition, text, counters };
  });
});
