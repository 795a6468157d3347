/**
 * The Hadoop adapter of the `Runner` port: the same jobs as the embedded runner, run by Hadoop
 * Streaming (hadoop/run-streaming.ts) on the local job runner against a real HDFS (engine
 * `hadoop`) or on a YARN cluster (engine `yarn`: ours, or a user's by HADOOP_CONF_DIR), every task
 * `node task.mjs <jobs> map|combine|reduce` (task.ts, bundled by task-bundle.ts and shipped with
 * `-files`).
 *
 * What we decided:
 * - All the jobs of a run are one Hadoop job (job-set.ts): one JVM start and one read of the
 *   input for `run all`, as the embedded runner maps every job over one pass.
 * - Input: a path that exists on this machine is uploaded through the WebHDFS `Store` under the
 *   run's scratch directory on HDFS (files in path order, `.gz` kept so Hadoop decompresses);
 *   any other path is an HDFS path (the lake's `/loglab/raw` by default), read recursively, and
 *   names starting with `_` or `.` are skipped by Hadoop as by the embedded runner. With
 *   `onHdfs` every path is an HDFS path (the lake's default input, which a local folder of the
 *   same name must not stand in for).
 * - Small files are read together: Hadoop's TextInputFormat starts a map task per file, and a
 *   lake holds a file per partition and hour (a day on 6 partitions: 144 files, each a JVM
 *   container on YARN). CombineTextInputFormat packs files, and pieces of large ones, into
 *   splits of at most `maxSplitBytes` (128 MiB, HDFS's default block, by default).
 * - A job module (`loglab mapreduce run ./my-job.ts`) is bundled into task.mjs with the built-ins.
 * - Output: the part files are read back through WebHDFS, split by job and turned into rows by
 *   rows.ts, the embedded runner's own code, so both report the same rows.
 * - The scratch directory (`/tmp/loglab-mapreduce-<time>-<random>` on HDFS) is deleted after the
 *   run, whether it succeeded or not.
 * - Counters come from the tasks' `reporter:counter:` lines. Map output and shuffled bytes are
 *   Hadoop's own counters of the whole Hadoop job, so they are given to a job only when it ran
 *   alone; spills stay 0 (Hadoop counts spilled records, not the runs and bytes counted here).
 */
import { createReadStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { text } from 'node:stream/consumers';
import { finished, pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { badInput } from '../errors';
import { hadoopLibDir } from '../hadoop/hadoop-lib';
import { runStreaming } from '../hadoop/run-streaming';
import type { StreamingTarget } from '../hadoop/streaming-args';
import { isHiddenName } from '../storage/lake-layout';
import type { Store } from '../storage/store';
import { createJobCounters, type JobCounters, type RunCounters } from './counters';
import { listInputFiles } from './input';
import type { Job } from './job';
import { splitOutputs } from './job-set';
import { loadJob, type ModuleLoader } from './load-job';
import { rowsOf } from './rows';
import type { JobRef, JobResult, RunInput, Runner, RunOptions, RunResult } from './runner';
import { bundleTaskScript } from './task-bundle';

/** Where the raw files of the lake are on HDFS, as `loglab archive --engine cluster` writes them. */
export const HDFS_LAKE_RAW = '/loglab/raw';

/** The largest split of the input a map task reads, by default: HDFS's default block size. */
export const DEFAULT_MAX_SPLIT_BYTES = 128 << 20;

/** Many files per map task (Streaming takes the old `mapred` API's class). */
const COMBINE_INPUT_FORMAT = 'org.apache.hadoop.mapred.lib.CombineTextInputFormat';

export interface HadoopRunnerOptions {
  /** WebHDFS store of the cluster: uploads, output, scratch space. */
  readonly store: Store;
  /** `hdfs://host:port` of the NameNode the jobs read and write. */
  readonly defaultFs: string;
  /** Directory of the Hadoop jars; hadoopLibDir() by default. */
  readonly lib?: string;
  /** Map (and reduce) tasks the local runner runs at once; 1 by default. */
  readonly parallelism?: number;
  /** The user the jobs run as on HDFS. */
  readonly user?: string;
  /**
   * Where the Hadoop job runs: a YARN (our cluster's, or a user's through its configuration
   * directory). Hadoop's local job runner against `defaultFs` when not given.
   */
  readonly target?: Exclude<StreamingTarget, { framework: 'local' }>;
  /** Bytes of input one map task reads at most, small files packed together up to it. */
  readonly maxSplitBytes?: number;
}

const importModule: ModuleLoader = (path) => import(pathToFileURL(path).href);

type Counters = Record<string, Record<string, number>>;

function scratchDir(): string {
  return `/tmp/loglab-mapreduce-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Bytes of the files under an HDFS path, hidden names skipped; null when it is missing. */
async function hdfsSize(
  store: Store,
  path: string,
): Promise<{ files: number; bytes: number } | null> {
  const st = await store.stat(path);
  if (st === null) return null;
  if (st.type === 'file') return { files: 1, bytes: st.size };
  let files = 0;
  let bytes = 0;
  for (const e of await store.list(path)) {
    if (isHiddenName(e.name)) continue;
    const sub = await hdfsSize(store, e.path);
    files += sub?.files ?? 0;
    bytes += sub?.bytes ?? 0;
  }
  return { files, bytes };
}

async function upload(store: Store, local: string, path: string): Promise<void> {
  const out = await store.create(path);
  await pipeline(createReadStream(local), out);
  await finished(out);
}

function jobCounters(c: Counters, name: string, alone: boolean): JobCounters {
  const mine = c[`loglab ${name}`] ?? {};
  const fw = c['Map-Reduce Framework'] ?? {};
  const counters = createJobCounters();
  counters.mapOutputRecords = mine['map output'] ?? 0;
  counters.combineInputRecords = mine['combine input'] ?? 0;
  counters.combineOutputRecords = mine['combine output'] ?? 0;
  counters.reduceInputGroups = mine['reduce groups'] ?? fw['Reduce input groups'] ?? 0;
  counters.reduceOutputRecords = mine['reduce output'] ?? 0;
  if (alone) {
    counters.mapOutputBytes = fw['Map output bytes'] ?? 0;
    counters.shuffleBytes = fw['Reduce shuffle bytes'] ?? 0;
  }
  return counters;
}

export function createHadoopRunner(options: HadoopRunnerOptions): Runner {
  const { store } = options;
  const engine = options.target === undefined ? 'hadoop' : 'yarn';
  return {
    engine,
    async run(refs: readonly JobRef[], input: RunInput, run: RunOptions = {}): Promise<RunResult> {
      const t0 = Date.now();
      const jobs: Job[] = [];
      for (const ref of refs) jobs.push(await loadJob(ref, importModule));
      const names = jobs.map((j) => j.name);
      const work = scratchDir();
      let scriptDir: string | null = null;
      try {
        const inputs: string[] = [];
        let inputFiles = 0;
        let inputBytes = 0;
        const here = (p: string) => input.onHdfs !== true && existsSync(p);
        const local = input.paths.filter(here);
        const files = local.length > 0 ? listInputFiles(local, run.onSkipped) : [];
        for (let i = 0; i < files.length; i++) {
          const f = files[i];
          const to = `${work}/in/${String(i).padStart(5, '0')}${f.gzip ? '.log.gz' : '.log'}`;
          await upload(store, f.path, to);
          inputFiles++;
          inputBytes += f.size;
        }
        if (files.length > 0) inputs.push(`${work}/in`);
        for (const p of input.paths.filter((q) => !here(q))) {
          if (!p.startsWith('/')) throw badInput(`no input ${p} here, nor an absolute HDFS path`);
          const size = await hdfsSize(store, p);
          if (size === null) throw badInput(`no input ${p} on HDFS (${store.address})`);
          inputs.push(p);
          inputFiles += size.files;
          inputBytes += size.bytes;
        }
        if (inputs.length === 0) throw badInput('no input files');

        const script = await bundleTaskScript(
          refs.flatMap((r) => (r.module === undefined ? [] : [{ name: r.name, module: r.module }])),
        );
        scriptDir = dirname(script);
        const command = `node ${basename(script)} ${names.join(',')}`;
        const reducers = run.reducers ?? 1;
        const combine = jobs.length > 1 || jobs[0].combine !== undefined;
        const target: StreamingTarget = options.target ?? {
          framework: 'local',
          defaultFs: options.defaultFs,
          parallelism: options.parallelism,
        };
        const result = await runStreaming(
          {
            name: `loglab mapreduce ${names.join(',')}`,
            input: inputs,
            output: `${work}/out`,
            files: [script],
            mapper: `${command} map`,
            ...(combine ? { combiner: `${command} combine` } : {}),
            reducer: `${command} reduce`,
            reducers,
            inputFormat: COMBINE_INPUT_FORMAT,
            properties: {
              'mapreduce.input.fileinputformat.input.dir.recursive': 'true',
              'mapreduce.input.fileinputformat.split.maxsize': String(
                options.maxSplitBytes ?? DEFAULT_MAX_SPLIT_BYTES,
              ),
              // Streaming gives a mapper the line alone only for TextInputFormat itself.
              'stream.map.input.ignoreKey': 'true',
            },
          },
          {
            target,
            lib: options.lib ?? hadoopLibDir(),
            user: options.user,
            onProgress: ({ map, reduce }) =>
              run.onProgress?.(Math.round((inputBytes * (map + reduce)) / 200), inputBytes),
          },
        );
        const parts: string[] = [];
        for (const e of await store.list(result.output)) {
          if (e.name.startsWith('part-')) parts.push(await text(await store.open(e.path)));
        }
        const byJob = splitOutputs(names, parts);
        const c = result.counters;
        const results: JobResult[] = jobs.map((job) => ({
          name: job.name,
          description: job.description,
          columns: job.columns,
          rows: rowsOf(job, byJob.get(job.name) ?? []),
          counters: jobCounters(c, job.name, jobs.length === 1),
        }));
        const runGroup = c[jobs.length > 1 ? 'loglab' : `loglab ${names[0]}`] ?? {};
        const rejects = runGroup['map rejects'] ?? 0;
        const counters: RunCounters = {
          records: (runGroup['map input'] ?? 0) - rejects,
          rejects,
          inputFiles,
          inputBytes,
          // The local runner reports no "Job Counters"; each map is shuffled to every reducer
          // (Hadoop spells that counter with a trailing space).
          splits:
            c['Job Counters']?.['Launched map tasks'] ??
            Math.round((c['Map-Reduce Framework']?.['Shuffled Maps '] ?? 0) / reducers),
        };
        return { engine, jobs: results, counters, elapsedMs: Date.now() - t0 };
      } finally {
        await store.delete(work, { recursive: true, missingOk: true }).catch(() => undefined);
        if (scriptDir !== null) await rm(scriptDir, { recursive: true, force: true });
      }
    },
  };
}
