/**
 * A worker thread of the embedded runner: it maps (claiming splits), hands its map output to the
 * main thread, then waits for the reduce tasks and claims those, so one booted thread serves both
 * phases. Started through parallel/worker-thread.ts; it loads the jobs by reference, requiring
 * modules (the thread runs TypeScript as CommonJS under tsx).
 */
import { answerParent, parentMessage, tellParent, workerInput } from '../parallel/worker-thread';
import { loadJob } from './load-job';
import { type MapSettings, runMapTasks } from './map-task';
import { type ReduceOutput, type ReduceTask, runClaimedReduceTasks } from './reduce-task';
import type { JobRef } from './runner';

export interface WorkerTask {
  readonly refs: readonly JobRef[];
  readonly settings: MapSettings;
  /** The map phase's claim counters. */
  readonly shared: SharedArrayBuffer;
  readonly thread: number;
}

/** What the main thread sends once every split is mapped: the reduce tasks to claim. */
export interface ReducePlan {
  readonly tasks: readonly ReduceTask[];
  readonly claims: SharedArrayBuffer;
}

const requireModule = (path: string) => Promise.resolve(require(path) as unknown);

void answerParent(async (): Promise<ReduceOutput[]> => {
  const task = workerInput<WorkerTask>();
  const jobs = await Promise.all(task.refs.map((r) => loadJob(r, requireModule)));
  tellParent(await runMapTasks(jobs, task.settings, new Int32Array(task.shared), task.thread));
  const plan = await parentMessage<ReducePlan>();
  return runClaimedReduceTasks(
    jobs,
    plan.tasks,
    new Int32Array(plan.claims),
    task.settings.spillDir,
  );
});
