/**
 * What a Hadoop Streaming job is, and the `java … HadoopStreaming` command line that runs it on
 * the local job runner or on YARN. Pure: nothing here touches the disk or a service, so the
 * arguments are tested without Java (run-streaming.ts runs them).
 *
 * What we decided:
 * - Streaming options first, generic `-D` options before them (Hadoop's GenericOptionsParser
 *   reads only the ones ahead of the streaming options).
 * - `-files` ships the task scripts; a task command names a script by its base name, as it
 *   lands in the task's working directory (`node task.mjs errors map`).
 * - One task attempt unless asked: a code error fails every attempt the same way, and four
 *   attempts (Hadoop's default) only make the failure four JVM starts slower. A real cluster
 *   with flaky nodes may want more (`maxAttempts`).
 * - Without a Hadoop configuration directory of the user's, the cluster is ours
 *   (`npm run cluster`): the framework, the ResourceManager and the application classpath are
 *   set here, and clients give up on a ResourceManager that does not answer after 10 s instead
 *   of Hadoop's 15 minutes.
 */
import { isAbsolute } from 'node:path';
import { badInput } from '../errors';

export const STREAMING_MAIN = 'org.apache.hadoop.streaming.HadoopStreaming';
export const DEFAULT_RESOURCE_MANAGER = '127.0.0.1:8032';

/** A job: HDFS paths in and out, the scripts to ship, the task commands. */
export interface StreamingJob {
  /** Human name, shown by the ResourceManager and the JobHistory server. */
  readonly name?: string;
  /** Input files or directories on the cluster's file system (absolute paths). */
  readonly input: readonly string[];
  /** Output directory; must not exist yet (Hadoop refuses to overwrite one). */
  readonly output: string;
  /**
   * The input format class (`-inputformat`), Hadoop's TextInputFormat when not given. Streaming
   * hands a mapper the key too unless the class is TextInputFormat: set
   * `stream.map.input.ignoreKey` with a text format of another name.
   */
  readonly inputFormat?: string;
  /** Local files shipped to every task (`-files`), absolute paths. */
  readonly files: readonly string[];
  readonly mapper: string;
  readonly combiner?: string;
  /** Without one the job is map-only: the map output is the job's output. */
  readonly reducer?: string;
  /** Number of reduce tasks, hence of part files; Hadoop's default is 1. */
  readonly reducers?: number;
  /** Task attempts before a task fails the job; 1 unless asked (see above). */
  readonly maxAttempts?: number;
  /** More configuration, as `-D name=value`. */
  readonly properties?: Readonly<Record<string, string>>;
}

/** Where a job runs. */
export type StreamingTarget =
  | {
      /** Hadoop's local job runner: every task in the client's JVM, against a real HDFS. */
      readonly framework: 'local';
      /** `hdfs://host:port` */
      readonly defaultFs: string;
      /** Map (and reduce) tasks run at once; Hadoop's default is 1. */
      readonly parallelism?: number;
    }
  | {
      readonly framework: 'yarn';
      readonly defaultFs: string;
      /** host:port of the ResourceManager's client RPC. */
      readonly resourceManager?: string;
      /**
       * The classpath of the ApplicationMaster and tasks on the NodeManagers (our cluster runs
       * them from the same jars as the client: `<lib>/*`).
       */
      readonly applicationClasspath: string;
    }
  | {
      /** A user's cluster: everything comes from the Hadoop configuration directory. */
      readonly framework: 'conf';
      readonly confDir: string;
      /** host:port of a ResourceManager to use instead of the directory's. */
      readonly resourceManager?: string;
    };

function check(job: StreamingJob): void {
  const where = (what: string, p: string) =>
    badInput(`Hadoop Streaming ${what} must be an absolute path, got ${JSON.stringify(p)}`);
  if (job.input.length === 0) throw badInput('Hadoop Streaming needs at least one input path');
  for (const p of job.input) if (!p.startsWith('/') && !p.includes('://')) throw where('input', p);
  if (!job.output.startsWith('/') && !job.output.includes('://')) throw where('output', job.output);
  for (const f of job.files) {
    if (!isAbsolute(f)) throw where('file', f);
    // -files takes a comma-separated list.
    if (f.includes(',')) throw badInput(`a file shipped with -files cannot hold a comma: ${f}`);
  }
  for (const [what, n] of [
    ['reducers', job.reducers],
    ['maxAttempts', job.maxAttempts],
  ] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < (what === 'reducers' ? 0 : 1))) {
      throw badInput(`Hadoop Streaming ${what} must be a whole number, got ${n}`);
    }
  }
}

/**
 * The `-D` settings a target implies, in a stable order. `tmpDir` is the local runner's scratch
 * space (spills, the distributed cache) instead of /tmp/hadoop-<user>.
 */
export function targetProperties(target: StreamingTarget, tmpDir: string): [string, string][] {
  switch (target.framework) {
    case 'local':
      return [
        ['mapreduce.framework.name', 'local'],
        ['fs.defaultFS', target.defaultFs],
        ['hadoop.tmp.dir', tmpDir],
        ['mapreduce.local.map.tasks.maximum', String(target.parallelism ?? 1)],
        ['mapreduce.local.reduce.tasks.maximum', String(target.parallelism ?? 1)],
      ];
    case 'yarn':
      return [
        ['mapreduce.framework.name', 'yarn'],
        ['fs.defaultFS', target.defaultFs],
        ['yarn.resourcemanager.address', target.resourceManager ?? DEFAULT_RESOURCE_MANAGER],
        ['mapreduce.application.classpath', target.applicationClasspath],
        ['yarn.resourcemanager.connect.max-wait.ms', '10000'],
        ['yarn.resourcemanager.connect.retry-interval.ms', '1000'],
      ];
    case 'conf':
      return target.resourceManager === undefined
        ? []
        : [['yarn.resourcemanager.address', target.resourceManager]];
  }
}

/**
 * The arguments after `java <jvm options> -cp <classpath>`: the main class, generic options,
 * streaming options.
 */
export function streamingArgs(
  job: StreamingJob,
  target: StreamingTarget,
  tmpDir: string,
): string[] {
  check(job);
  const props: [string, string][] = [
    ...targetProperties(target, tmpDir),
    ['mapreduce.map.maxattempts', String(job.maxAttempts ?? 1)],
    ['mapreduce.reduce.maxattempts', String(job.maxAttempts ?? 1)],
  ];
  if (job.name !== undefined) props.push(['mapreduce.job.name', job.name]);
  for (const [k, v] of Object.entries(job.properties ?? {})) props.push([k, v]);

  const args = [STREAMING_MAIN];
  for (const [k, v] of props) args.push('-D', `${k}=${v}`);
  if (job.files.length > 0) args.push('-files', job.files.join(','));
  for (const p of job.input) args.push('-input', p);
  if (job.inputFormat !== undefined) args.push('-inputformat', job.inputFormat);
  args.push('-output', job.output, '-mapper', job.mapper);
  if (job.combiner !== undefined) args.push('-combiner', job.combiner);
  if (job.reducer !== undefined) args.push('-reducer', job.reducer);
  args.push('-numReduceTasks', String(job.reducer === undefined ? 0 : (job.reducers ?? 1)));
  return args;
}
