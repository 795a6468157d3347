/**
 * `loglab mapreduce list|run`: the batch jobs of stage 5 over the lake that `loglab archive`
 * writes, or over any log files. `run` prints each job's rows as a seed-style table (or, with
 * --json, one object keyed by job name, each `{"rows": [...]}`), and one line of counters on
 * stderr. The embedded engine runs the jobs on threads of this process; hadoop runs them with
 * Hadoop Streaming on the local job runner against HDFS; yarn submits the same Streaming job to
 * a YARN cluster (ours, or a user's by HADOOP_CONF_DIR).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { badFlag, badInput } from '../../errors';
import type { StreamingTarget } from '../../hadoop/streaming-args';
import { LOG_FORMATS } from '../../log/record';
import { jsonWithoutControls, terminalLine } from '../../log/terminal-text';
import type { OutageEvent } from '../../storage/retrying-store';
import { cliIo } from '../context';
import { parseCount } from '../flags';

type HadoopTarget = Exclude<StreamingTarget, { framework: 'local' }>;

interface RunFlags {
  input?: string[];
  engine: string;
  reducers?: string;
  workers?: string;
  json?: boolean;
  out?: string;
  top: string;
  format: string;
  memory?: string;
  lake?: string;
}

const DEFAULT_LAKE = 'out/lake';
/** PARSE_FORMATS of log/parser, without loading the parsers. */
const PARSE_FORMAT_NAMES: readonly string[] = ['auto', ...LOG_FORMATS];
/** The --input that names stdin, as for every loglab command. */
const STDIN = '-';
/** The lake's raw files on HDFS, as `loglab archive --engine cluster` writes them. */
const HDFS_LAKE_RAW = '/loglab/raw';

/** How to start our YARN, named when it does not answer. */
const YARN_UP = 'npm run cluster -- up --services kafka,hdfs,yarn';

/**
 * The cluster's settings, the NameNode's `hdfs://` address and, for yarn, where the job goes: our
 * YARN at LOGLAB_YARN_RM, or the cluster of a HADOOP_CONF_DIR, used as it is (its WebHDFS and
 * ResourceManager unless LOGLAB_HDFS_URL or LOGLAB_YARN_RM say otherwise). A ResourceManager
 * that does not answer is one line naming it and how ours starts, before anything is uploaded.
 */
async function hadoopCluster(engine: 'hadoop' | 'yarn') {
  const [{ loadConfig }, { LoglabError }, { defaultFsOf }] = await Promise.all([
    import('../../config'),
    import('../../errors'),
    import('../../batch/runners'),
  ]);
  const config = loadConfig(cliIo().env);
  const hdfs = { url: config.hdfs.url, user: config.hdfs.user };
  let defaultFs = defaultFsOf(config.hdfs.url);
  let target: HadoopTarget | undefined;
  let rm = config.yarn.resourceManager;
  let from = config.yarn.fromEnv ? 'LOGLAB_YARN_RM' : 'the default';
  if (engine === 'yarn' && config.hadoopConfDir !== null) {
    const { readHadoopConf } = await import('../../hadoop/hadoop-conf');
    const conf = readHadoopConf(config.hadoopConfDir);
    if (!config.hdfsFromEnv && conf.webHdfs !== null) hdfs.url = conf.webHdfs;
    defaultFs = conf.defaultFs ?? defaultFs;
    if (!config.yarn.fromEnv) {
      rm = conf.resourceManager;
      from = `HADOOP_CONF_DIR ${config.hadoopConfDir}`;
    }
    target = {
      framework: 'conf',
      confDir: config.hadoopConfDir,
      ...(config.yarn.fromEnv ? { resourceManager: rm } : {}),
    };
  } else if (engine === 'yarn') {
    const { applicationClasspath, hadoopLibDir } = await import('../../hadoop/hadoop-lib');
    target = {
      framework: 'yarn',
      defaultFs,
      resourceManager: rm,
      applicationClasspath: applicationClasspath(hadoopLibDir()),
    };
  }
  if (engine === 'yarn') {
    const { resourceManagerDown } = await import('../../hadoop/resource-manager');
    const why = await resourceManagerDown(rm);
    if (why !== null) {
      throw new LoglabError(
        'SERVICE_DOWN',
        `YARN's ResourceManager at ${rm} (${from}) did not answer (${why}): \`${YARN_UP}\` starts ours, or set LOGLAB_YARN_RM or HADOOP_CONF_DIR`,
        { retriable: true },
      );
    }
  }
  return { config: { ...config, hdfs }, defaultFs, target };
}
/** A job given as a module file rather than by name. */
const JOB_MODULE = /\.(ts|mts|js|mjs)$/;

/** The reference of a job module's default export (a Job, or a factory given the options). */
async function moduleRef(path: string, top: number) {
  const [{ resolve }, { pathToFileURL }, { loadJob }] = await Promise.all([
    import('node:path'),
    import('node:url'),
    import('../../batch/load-job'),
  ]);
  const module = resolve(path);
  if (!existsSync(module)) throw badInput(`no job module ${path}`);
  const load = (p: string) => import(pathToFileURL(p).href) as Promise<unknown>;
  let mod: { default?: { name?: unknown } | ((o: unknown) => { name?: unknown }) };
  try {
    mod = (await load(module)) as typeof mod;
  } catch (err) {
    const { moduleSyntaxError } = await import('../../batch/module-syntax');
    const syntax = await moduleSyntaxError(module, path);
    if (syntax !== null) throw badInput(`syntax error in job module ${syntax}`);
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw badInput(`cannot load job module ${path}: ${why}`);
  }
  // As loadJob finds it: the default export, else the module itself (named exports).
  const exported = (mod.default ?? mod) as typeof mod.default;
  const found = typeof exported === 'function' ? exported({ top }) : exported;
  const name = typeof found?.name === 'string' ? found.name : '';
  // loadJob checks the rest (map and reduce are functions) and says so in one line.
  await loadJob({ name, module, options: { top } }, load);
  return { name, module, options: { top } };
}

const RUN_EXAMPLES = `
Examples:
  loglab archive access.log && loglab mapreduce run all     the local lake, every job
  loglab mapreduce run errors --input access.log            one log file
  loglab mapreduce run errors --input - < day.log.gz       stdin, gzip or not
  loglab mapreduce run slow-pages --input timed.log         p50/p95/p99 per route (a log with
                                                            request times: combined-time, JSON)
  loglab mapreduce run errors,peak-hours --input access.log two jobs, one pass over the input
  loglab mapreduce run top-urls --input out/lake/loglab/raw/date=2026-12-05 --top 20
  loglab mapreduce run all --workers 2 --reducers 4 --json > results.json
  loglab mapreduce run all --out results/                   also results/<job>.json and .svg
  loglab mapreduce run ./my-job.ts --input access.log      a job of your own (default export)
  loglab mapreduce run all --engine hadoop                  Hadoop's local job runner over
                                                            /loglab/raw on HDFS
  loglab mapreduce run errors --engine hadoop --input access.log   a local file, uploaded first
  loglab mapreduce run all --engine yarn                    the same job on YARN
  HADOOP_CONF_DIR=/etc/hadoop/conf loglab mapreduce run all --engine yarn   on your cluster

The input is every file under each --input (a file or a directory, read recursively with its
symbolic links followed, each real file once; names starting with _ or . are skipped as Hadoop
skips them; gzip is decompressed, a file told by its first bytes, stdin too, a pipe by its .gz
name), by default the raw files of the local lake (out/lake/loglab/raw, or DIR/loglab/raw with
--lake DIR). With --engine hadoop the jobs run as one Hadoop Streaming job on Hadoop's local job
runner against HDFS (LOGLAB_HDFS_URL; the NameNode on port 8020 of its host; jars from \`npm run
cluster -- jars --services yarn\`): the input is /loglab/raw on HDFS (as \`loglab archive
--engine cluster\` writes it; DIR/loglab/raw with --lake DIR) or the paths given, local files
being uploaded to a scratch directory on HDFS first; --workers is then the tasks run at once,
and --memory and --format do not apply. --engine yarn submits the same Streaming job to the YARN
ResourceManager at LOGLAB_YARN_RM (default 127.0.0.1:8032, started by \`npm run cluster -- up
--services kafka,hdfs,yarn\`), or to the cluster a HADOOP_CONF_DIR describes (its HDFS and YARN;
every NodeManager needs node on its PATH). Rows do not depend on --workers, --reducers or
--memory. Counters go to stderr: records, rejects, map output, shuffled and spilled bytes.

On the embedded engine a pipe, a FIFO or - (stdin, given once) is read whole by one thread, as
a gzip file is. Ctrl-C stops the run: its spill files are removed, no rows are printed (rows of
part of the input would be wrong ones), and it exits 130.
`;

const LIST_EXAMPLES = `
Examples:
  loglab mapreduce list
  loglab mapreduce run peak-hours
`;

function parseEngineFlag(value: string): 'embedded' | 'hadoop' | 'yarn' {
  if (value === 'embedded' || value === 'hadoop' || value === 'yarn') return value;
  throw badFlag(`--engine must be embedded, hadoop or yarn, got "${value}"`);
}

/** The default input: the raw files of the local lake `lake`. */
function defaultInput(lake = DEFAULT_LAKE): string {
  if (!(existsSync(lake) && statSync(lake).isDirectory())) {
    throw badInput(
      existsSync(lake)
        ? `${lake} is a file, not a lake directory: give it with --input to read it as a log`
        : `no lake directory ${lake} (loglab archive makes one), or give --input`,
    );
  }
  const raw = join(lake, 'loglab', 'raw');
  if (!existsSync(raw)) {
    throw badInput(`no raw files in ${lake} (loglab archive puts a log there), or give --input`);
  }
  return raw;
}

/** The default input on HDFS: the raw files of the lake in the HDFS folder `lake` (or /). */
async function hdfsInput(lake: string | undefined): Promise<string> {
  if (lake === undefined) return HDFS_LAKE_RAW;
  const { hdfsLakeDir } = await import('../../config');
  const dir = await hdfsLakeDir(lake);
  return dir === '/' ? HDFS_LAKE_RAW : `${dir}${HDFS_LAKE_RAW}`;
}

/**
 * A folder for the embedded engine's spill files, made here because Ctrl-C (or SIGTERM) ends the
 * process without unwinding. Left behind, it held 5–13 MB of runs a second into 1,000,000 lines
 * with --memory 1; now the signal removes it, says in one line that no rows were printed (rows
 * of part of the input would be wrong ones, not fewer) and exits 130. The signal is heard when
 * the main thread waits: between two splits it maps, or for the workers; its share of the reduce
 * phase runs to its end first. A second signal exits at once.
 */
async function spillFolder(stopProgress: () => void): Promise<{ dir: string; remove(): void }> {
  const [{ mkdtempSync, rmSync }, { tmpdir }, { handleInterrupts }, io] = await Promise.all([
    import('node:fs'),
    import('node:os'),
    import('../streaming'),
    import('../io'),
  ]);
  const stderr = cliIo().stderr;
  const dir = mkdtempSync(join(tmpdir(), 'loglab-mapreduce-'));
  const interrupts = handleInterrupts(1);
  interrupts.stages[0].addEventListener('abort', () => {
    stopProgress();
    const left = io.removeWhileWritten(dir);
    if (left !== null) stderr.write(`loglab mapreduce: cannot remove ${dir}: ${left}\n`);
    stderr.write('loglab mapreduce: interrupted, no rows printed\n');
    process.exit(130);
  });
  return {
    dir,
    remove() {
      interrupts.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function list(): Promise<void> {
  const { BUILTIN_JOBS } = await import('../../batch/jobs/index');
  const jobs = Object.values(BUILTIN_JOBS).map((create) => create());
  const width = Math.max(...jobs.map((j) => j.name.length));
  const text = jobs.map((j) => `${j.name.padEnd(width)}  ${j.description}\n`).join('');
  cliIo().stdout.write(text);
}

async function run(target: string, flags: RunFlags): Promise<void> {
  const engine = parseEngineFlag(flags.engine);
  const [{ JOB_NAMES, isBuiltinJob }, { isParseFormat }] = await Promise.all([
    import('../../batch/jobs/index'),
    import('../../log/parser'),
  ]);
  const moduleJob = JOB_MODULE.test(target);
  const names = target === 'all' ? JOB_NAMES : [...new Set(target.split(','))];
  for (const name of moduleJob ? [] : names) {
    if (!isBuiltinJob(name)) {
      throw badFlag(`no job named "${name}"; there are: all, ${JOB_NAMES.join(', ')}`);
    }
  }
  if (!isParseFormat(flags.format)) {
    throw badFlag(
      `--format must be one of ${PARSE_FORMAT_NAMES.join(', ')}, not "${flags.format}"`,
    );
  }
  const top = parseCount(flags.top, '--top', 1);
  const workers =
    flags.workers === undefined ? undefined : parseCount(flags.workers, '--workers', 1);
  const reducers =
    flags.reducers === undefined ? undefined : parseCount(flags.reducers, '--reducers', 1);
  const memory = flags.memory === undefined ? undefined : parseCount(flags.memory, '--memory', 1);
  const given = flags.input !== undefined && flags.input.length > 0;
  if (given && flags.lake !== undefined) {
    throw badFlag('--input and --lake both name the input: give one of them');
  }
  const paths = given
    ? (flags.input as string[])
    : [engine === 'embedded' ? defaultInput(flags.lake) : await hdfsInput(flags.lake)];
  const stdinPaths = paths.filter((p) => p === STDIN).length;
  if (stdinPaths > 1) {
    throw badFlag(`--input names ${STDIN} (stdin) ${stdinPaths} times: it is read once`);
  }
  if (stdinPaths > 0 && engine !== 'embedded') {
    throw badFlag(`--input ${STDIN} (stdin) is read by the embedded engine only, not ${engine}`);
  }
  const refs = moduleJob
    ? [await moduleRef(target, top)]
    : names.map((name) => ({ name, options: { top } }));

  const [{ createEmbeddedRunner }, { formatJobResult, formatBytes }, io, { outageLine }] =
    await Promise.all([
      import('../../batch/embedded-runner'),
      import('../../batch/format'),
      import('../io'),
      import('../../pipeline/archiver-outage'),
    ]);
  const storeOutageLine = (event: OutageEvent, address: string) =>
    cliIo().stderr.write(`loglab mapreduce: ${outageLine(address, event)}\n`);
  if (flags.out !== undefined) {
    const { mkdirSync } = await import('node:fs');
    try {
      mkdirSync(flags.out, { recursive: true });
    } catch (err) {
      throw badInput(`cannot write ${flags.out}: ${io.describeFsError(err)}`);
    }
  }
  const cluster = engine === 'embedded' ? null : await hadoopCluster(engine);
  let progress: ReturnType<typeof io.createProgress> | null = null;
  const format = flags.format;
  const spill =
    cluster === null
      ? await spillFolder(() => (progress as ReturnType<typeof io.createProgress> | null)?.stop())
      : null;
  const result = await (async () => {
    try {
      const runner =
        cluster !== null
          ? await (await import('../../batch/runners')).clusterHadoopRunner(cluster.config, {
              defaultFs: cluster.defaultFs,
              target: cluster.target,
              parallelism: workers,
              // An HDFS restart is waited out, one line when it begins and one when it ends.
              onStoreEvent: storeOutageLine,
            })
          : createEmbeddedRunner({
              workers,
              memoryBytes: memory === undefined ? undefined : memory * 1024 * 1024,
              format,
              tmpDir: spill?.dir,
              // gzip on stdin is told by its first bytes, as every command tells it.
              stdin: stdinPaths > 0 ? io.gunzipIfGzip(cliIo().stdin) : cliIo().stdin,
            });
      return await runner.run(
        refs,
        // The lake's default input on HDFS is read there even if this machine has that path.
        { paths, onHdfs: !given && engine !== 'embedded' },
        {
          reducers,
          onProgress: (done, total) => {
            progress ??= io.createProgress(Math.ceil(total / 1e6), 'MB');
            progress.update(Math.round(done / 1e6));
          },
          onSkipped: (path, why) => {
            cliIo().stderr.write(`loglab mapreduce: not read: ${terminalLine(path)}: ${why}\n`);
          },
        },
      );
    } finally {
      (progress as ReturnType<typeof io.createProgress> | null)?.stop();
      spill?.remove();
    }
  })();

  const stdout = cliIo().stdout;
  if (flags.json) {
    const all: Record<string, { rows: unknown[] }> = {};
    for (const j of result.jobs) all[j.name] = { rows: j.rows };
    // C1 and bidirectional controls as \uXXXX: the same value, and safe on a screen.
    await io.writeChunk(stdout, `${jsonWithoutControls(JSON.stringify(all))}\n`);
  } else {
    await io.writeChunk(stdout, result.jobs.map(formatJobResult).join('\n'));
  }
  if (flags.out !== undefined) {
    const [{ writeFileSync }, { jobChart }, { renderSvg }] = await Promise.all([
      import('node:fs'),
      import('../../viz/batch-charts'),
      import('../../viz/render'),
    ]);
    for (const j of result.jobs) {
      const files = [
        [`${j.name}.json`, `${JSON.stringify({ rows: j.rows, counters: j.counters }, null, 1)}\n`],
      ];
      // A job of your own has no chart: its rows are yours to draw.
      const chart = jobChart(j);
      if (chart !== undefined) files.push([`${j.name}.svg`, await renderSvg(chart)]);
      for (const [name, text] of files) {
        const file = join(flags.out, name);
        try {
          writeFileSync(file, text);
        } catch (err) {
          throw badInput(`cannot write ${file}: ${io.describeFsError(err)}`);
        }
      }
    }
  }
  const c = result.counters;
  let mapped = 0;
  let shuffled = 0;
  let spilled = 0;
  for (const j of result.jobs) {
    mapped += j.counters.mapOutputRecords;
    shuffled += j.counters.shuffleBytes;
    spilled += j.counters.spilledBytes;
  }
  cliIo().stderr.write(
    `loglab mapreduce: ${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'} over ` +
      `${c.records} records (${c.rejects} rejected) from ${c.inputFiles} file${c.inputFiles === 1 ? '' : 's'} ` +
      `(${formatBytes(c.inputBytes)}, ${c.splits} split${c.splits === 1 ? '' : 's'}) in ${(result.elapsedMs / 1000).toFixed(1)} s; ` +
      `map output ${mapped} records${
        // Hadoop counts shuffled and spilled bytes for the Hadoop job, not for each job of it.
        engine !== 'embedded'
          ? ''
          : `, shuffled ${formatBytes(shuffled)}, spilled ${formatBytes(spilled)}`
      }\n`,
  );
}

export function registerMapreduce(program: Command): void {
  const mr = program
    .command('mapreduce')
    .description(
      'Batch MapReduce jobs over the lake: error analysis, peak hours, top URLs, IP anomalies, slow pages, …',
    )
    .addHelpText('after', `${LIST_EXAMPLES}${RUN_EXAMPLES}`);
  mr.command('list')
    .description('The jobs there are, one a line: name and what it reports.')
    .addHelpText('after', LIST_EXAMPLES)
    .action(list);
  mr.command('run')
    .description('Run one job, or all of them in one pass over the input.')
    .argument(
      '<job>',
      'a job name (loglab mapreduce list), several joined by commas, all, or a module file exporting a job',
    )
    .option(
      '--input <path...>',
      'log files or directories, or - for stdin (default: the local lake out/lake; /loglab/raw on HDFS with --engine hadoop or yarn)',
    )
    .addOption(
      new Option(
        '--engine <engine>',
        'embedded (threads of this process), hadoop (Hadoop Streaming, local job runner on HDFS) or yarn (Hadoop Streaming on YARN)',
      ).default('embedded'),
    )
    .option('--reducers <n>', 'reduce tasks per job (default: one per worker)')
    .option(
      '--workers <n>',
      'threads that map and reduce, this one included (default: cores, at most 4)',
    )
    .option('--json', 'print one JSON object keyed by job name, each {"rows": [...]}')
    .option(
      '--out <dir>',
      'also write <dir>/<job>.json with rows and counters, and <dir>/<job>.svg',
    )
    .option('--top <n>', 'rows in each top-N report', '10')
    .option('--format <format>', `log format: ${PARSE_FORMAT_NAMES.join(', ')}`, 'auto')
    .option('--memory <MiB>', 'map output one thread buffers before it spills to disk (default 8)')
    .option(
      '--lake <dir>',
      'without --input, the lake whose raw files are read: a local directory (embedded, default out/lake), or a folder on HDFS (hadoop, yarn; default /)',
    )
    .addHelpText('after', RUN_EXAMPLES)
    .action(run);
}
