/**
 * Runs a Hadoop Streaming job (`org.apache.hadoop.streaming.HadoopStreaming`) with plain `java`
 * and the jars `npm run cluster` resolved from Maven Central (hadoop-streaming 3.4.2 on the
 * 3.5.0 MapReduce and YARN jars, .cluster/lib/yarn/), on the local job runner against a real
 * HDFS, on the YARN that `npm run cluster -- up --services kafka,hdfs,yarn` starts, or on a
 * user's cluster through its Hadoop configuration directory. Resolves when the job succeeded,
 * with its output directory, job id and counters; rejects with one LoglabError otherwise.
 *
 * How it runs, and why:
 * - In a fresh, empty working directory per job: the local runner links every `-files` script
 *   into the client's working directory. It holds the client's log4j configuration too
 *   (INFO on stdout, parsed by streaming-log.ts), and is deleted afterwards.
 * - The client's stdout is its log; its stderr is kept apart because the local runner runs the
 *   tasks in the client's JVM, so a task's stderr (a node script's stack trace) lands there.
 *   On YARN the failed attempt's stderr is fetched from its NodeManager (task-stderr.ts).
 * - A failed task is one JOB_FAILED error: which task, its exit code and the error line of its
 *   stderr in the message; the stderr's last lines in `context.stderrTail`.
 * - Tasks run `node` (or whatever the commands name) from the PATH of the process that runs
 *   them: this process for the local runner, the NodeManager on YARN.
 *
 * Measured on a loaded 2-core machine (word count of two lines, commands in
 * test/cluster/hadoop-streaming.test.ts): the local runner 10–20 s, YARN 55–110 s (an
 * ApplicationMaster and a JVM per task start, each in seconds).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { LoglabError } from '../errors';
import { type StreamingJob, type StreamingTarget, streamingArgs } from './streaming-args';
import { CLIENT_LOG4J, createLogReader, type StreamingLogState } from './streaming-log';
import { errorLine, stderrTail, yarnTaskStderr } from './task-stderr';

export interface StreamingOptions {
  readonly target: StreamingTarget;
  /** Directory of the Hadoop jars (see hadoopLibDir in hadoop-lib.ts). */
  readonly lib: string;
  /** The user jobs run as without Kerberos (HADOOP_USER_NAME); the OS user if unset. */
  readonly user?: string;
  /** The JobHistory server's web address, where a failed YARN task is looked up. */
  readonly historyWeb?: string;
  /** Heap of the client JVM, which also runs every task of the local runner. */
  readonly heap?: string;
  /** Called when the map or reduce percentage moves. */
  readonly onProgress?: (progress: { map: number; reduce: number }) => void;
  /** Stops the job's client (and with it the local runner's tasks). */
  readonly signal?: AbortSignal;
  /** How many lines of a failed task's stderr to keep; 20. */
  readonly tailLines?: number;
  readonly java?: string;
}

export interface StreamingResult {
  readonly jobId: string;
  /** The job's output directory, holding part-00000 … */
  readonly output: string;
  readonly counters: Record<string, Record<string, number>>;
  readonly elapsedMs: number;
}

interface ClientRun {
  code: number | null;
  state: StreamingLogState;
  log: string[];
  stderr: string;
}

async function runClient(
  args: string[],
  cwd: string,
  options: StreamingOptions,
): Promise<ClientRun> {
  const reader = createLogReader();
  const log: string[] = [];
  const env = { ...process.env };
  if (options.user !== undefined) env.HADOOP_USER_NAME = options.user;
  const child = spawn(options.java ?? 'java', args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    // Only the end matters: a task's stack trace, then the client's last words.
    stderr = (stderr + chunk).slice(-64 * 1024);
  });
  let last = '';
  const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    log.push(line);
    if (log.length > 2000) log.splice(0, 1000);
    reader.line(line);
    const now = `${reader.state.map}/${reader.state.reduce}`;
    if (now !== last) {
      last = now;
      options.onProgress?.({ map: reader.state.map, reduce: reader.state.reduce });
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(
          new LoglabError(
            'SERVICE_DOWN',
            `${options.java ?? 'java'} not found: Hadoop Streaming needs a Java 17 runtime`,
          ),
        );
      } else reject(err);
    });
    child.once('close', resolve);
  });
  return { code, state: reader.state, log, stderr };
}

/** Why a client that exited non-zero failed, as one LoglabError. */
async function failure(
  run: ClientRun,
  job: StreamingJob,
  options: StreamingOptions,
): Promise<LoglabError> {
  const { state } = run;
  const jobId = state.jobId ?? 'not submitted';
  const text = `${run.log.join('\n')}\n${run.stderr}`;
  const refused = /to (\S+) failed on connection exception|Connection refused/.exec(text);
  if (refused !== null && state.jobId === null) {
    return new LoglabError(
      'SERVICE_DOWN',
      `Hadoop Streaming could not reach ${refused[1] ?? 'the cluster'} (connection refused): is it running? (npm run cluster -- status)`,
      { retriable: true },
    );
  }

  const launch = state.errors.find((e) => e.startsWith('Error Launching job'));
  if (launch !== undefined) {
    const why = launch.replace(/^Error Launching job : /, '');
    const code = /already exists/.test(why)
      ? 'ALREADY_EXISTS'
      : /does not exist/.test(why)
        ? 'NOT_FOUND'
        : 'JOB_FAILED';
    return new LoglabError(code, `Hadoop Streaming could not start the job: ${why}`, {
      context: { path: code === 'ALREADY_EXISTS' ? job.output : job.input.join(',') },
    });
  }
  let attempt = state.failures[state.failures.length - 1]?.attempt ?? null;
  let stderr = run.stderr;
  let diagnostics = text;
  if (options.target.framework !== 'local' && state.jobId !== null && state.failedTask !== null) {
    const found = await yarnTaskStderr(state.jobId, state.failedTask, {
      historyWeb: options.historyWeb,
    });
    stderr = found?.stderr ?? '';
    attempt = found?.attempt ?? state.failedTask;
    diagnostics = found?.diagnostics ?? '';
  }
  const failed = state.failures.find((f) => f.attempt === attempt) ?? state.failures[0];
  const tail = stderrTail(stderr, options.tailLines);
  const kind = failed?.kind ?? (attempt && /_r_\d+/.test(attempt) ? 'reduce' : 'map');
  const exit =
    failed?.exitCode ?? /subprocess failed with code (\d+)/.exec(diagnostics)?.[1] ?? null;
  if (attempt === null && tail === '') {
    const last = state.errors[state.errors.length - 1] ?? run.log[run.log.length - 1] ?? '';
    return new LoglabError(
      'JOB_FAILED',
      `Hadoop job ${jobId} failed (client exit ${run.code}): ${last.trim() || 'no message'}`,
      { context: { jobId } },
    );
  }
  const line = errorLine(tail);
  return new LoglabError(
    'JOB_FAILED',
    `Hadoop job ${jobId} failed: ${kind} task ${attempt ?? '?'}${exit === null ? '' : ` exited with code ${exit}`}${line === '' ? '' : `: ${line}`}`,
    {
      context: {
        jobId,
        task: attempt ?? '',
        ...(exit === null ? {} : { exitCode: Number(exit) }),
        stderrTail: tail,
      },
    },
  );
}

/** Runs one job; see the file's docblock. */
export async function runStreaming(
  job: StreamingJob,
  options: StreamingOptions,
): Promise<StreamingResult> {
  if (!existsSync(options.lib)) {
    throw new LoglabError(
      'NOT_FOUND',
      `no Hadoop jars in ${options.lib}: \`npm run cluster -- jars --services yarn\` resolves them from Maven Central`,
      { context: { path: options.lib } },
    );
  }
  const t0 = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'loglab-streaming-'));
  try {
    await writeFile(join(work, 'log4j.properties'), CLIENT_LOG4J);
    const target = options.target;
    // Our conf folder (the client's log4j) first, then a user's configuration, then the jars.
    const classpath = [
      work,
      ...(target.framework === 'conf' ? [target.confDir] : []),
      `${options.lib}/*`,
    ];
    const jvm = [`-Xmx${options.heap ?? '1g'}`, '-Djava.awt.headless=true'];
    const extra: Record<string, string> =
      target.framework === 'conf'
        ? {}
        : {
            // Our HDFS has one DataNode; a single machine gains nothing from a speculative copy.
            'dfs.replication': '1',
            'mapreduce.map.speculative': 'false',
            'mapreduce.reduce.speculative': 'false',
          };
    const args = streamingArgs(
      { ...job, properties: { ...extra, ...job.properties } },
      target,
      join(work, 'tmp'),
    );
    const run = await runClient([...jvm, '-cp', classpath.join(delimiter), ...args], work, options);
    if (run.code !== 0 || !run.state.succeeded || run.state.jobId === null) {
      throw await failure(run, job, options);
    }
    return {
      jobId: run.state.jobId,
      output: job.output,
      counters: run.state.counters,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
