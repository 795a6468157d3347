/**
 * The Hadoop Streaming task script: `node task.mjs <job> map|combine|reduce` reads stdin and
 * writes stdout (streaming-task.ts), built-in jobs only. A failure is one line on stderr and exit
 * code 1, which Hadoop reports as a failed task with the stderr tail.
 */
import { readLines } from '../log/lines';
import { createJob } from './jobs/index';
import { counterLines, runStreamingTask, TASK_PHASES, type TaskPhase } from './streaming-task';

export async function taskMain(
  argv: readonly string[],
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const [name, phase] = argv;
  if (name === undefined || !TASK_PHASES.includes(phase as TaskPhase)) {
    stderr.write('usage: node task.mjs <job> map|combine|reduce\n');
    return 2;
  }
  try {
    const job = createJob(name);
    const write = (text: string) =>
      stdout.write(text) ? undefined : new Promise<void>((r) => stdout.once('drain', () => r()));
    const counters = await runStreamingTask(
      job,
      phase as TaskPhase,
      readLines(stdin as AsyncIterable<Buffer>),
      write,
    );
    stderr.write(counterLines(job, phase as TaskPhase, counters));
    return 0;
  } catch (err) {
    stderr.write(
      `loglab task ${name} ${phase}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}
