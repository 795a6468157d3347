/**
 * The Hadoop Streaming task script: `node task.mjs <job>[,<job>…] map|combine|reduce` reads
 * stdin and writes stdout (streaming-task.ts): built-in jobs, and job modules bundled with the
 * script (task-bundle.ts). Several jobs run as one set
 * (job-set.ts: keys carry their job's name), which is how the Hadoop runner maps every job over
 * one read of the input. A failure is one line on stderr and exit code 1, which Hadoop reports
 * as a failed task with the stderr tail.
 */
import { readLines } from '../log/lines';
import type { Job } from './job';
import { type JobSet, jobSet } from './job-set';
import { createJob } from './jobs/index';
import { counterLines, runStreamingTask, TASK_PHASES, type TaskPhase } from './streaming-task';

/** The counters of a set: the run's input under `loglab`, each job's under `loglab <job>`. */
function setCounterLines(
  set: JobSet,
  phase: TaskPhase,
  c: { input: number; rejects: number },
): string {
  const lines: string[] = [];
  if (phase === 'map') {
    lines.push(`reporter:counter:loglab,map input,${c.input}`);
    lines.push(`reporter:counter:loglab,map rejects,${c.rejects}`);
  }
  for (const [name, n] of set.counts) {
    lines.push(`reporter:counter:loglab ${name},${phase} input,${n.input}`);
    lines.push(`reporter:counter:loglab ${name},${phase} output,${n.output}`);
    if (phase === 'reduce') lines.push(`reporter:counter:loglab ${name},reduce groups,${n.groups}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Jobs bundled with the script besides the built-ins, by name: each the default export of a job
 * module (a Job, or a factory of one), as `loglab mapreduce run ./my-job.ts` takes it.
 */
export type BundledJobs = Readonly<Record<string, unknown>>;

function jobNamed(name: string, bundled: BundledJobs): Job {
  if (!Object.hasOwn(bundled, name)) return createJob(name);
  const found = bundled[name];
  return (typeof found === 'function' ? found({}) : found) as Job;
}

export async function taskMain(
  argv: readonly string[],
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  bundled: BundledJobs = {},
): Promise<number> {
  const [name, phase] = argv;
  if (name === undefined || !TASK_PHASES.includes(phase as TaskPhase)) {
    stderr.write('usage: node task.mjs <job>[,<job>…] map|combine|reduce\n');
    return 2;
  }
  try {
    const names = name.split(',');
    const set = names.length > 1 ? jobSet(names.map((n) => jobNamed(n, bundled))) : null;
    const job = set ?? jobNamed(name, bundled);
    const write = (text: string) =>
      stdout.write(text) ? undefined : new Promise<void>((r) => stdout.once('drain', () => r()));
    const counters = await runStreamingTask(
      job,
      phase as TaskPhase,
      readLines(stdin as AsyncIterable<Buffer>),
      write,
      'auto',
      set === null ? job.combine : set.combineInMap,
    );
    stderr.write(
      set === null
        ? counterLines(job, phase as TaskPhase, counters)
        : setCounterLines(set, phase as TaskPhase, counters),
    );
    return 0;
  } catch (err) {
    stderr.write(
      `loglab task ${name} ${phase}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}
