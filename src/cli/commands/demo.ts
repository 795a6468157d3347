/**
 * `loglab demo` (`npm run demo`): the whole pipeline in one process, on the embedded engine or,
 * with --cluster, on Kafka, HDFS and Hadoop's local job runner. The run itself is `runDemo`
 * (pipeline/demo-run.ts); this file holds the flags and help, picks the ports for the engine,
 * shows a progress bar per stage and prints each stage's figures, the incidents against the
 * alerts, the totals at every hop and where the report is.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { badFlag } from '../../errors';
import { withCommandHint } from '../broker-hint';
import { cliIo } from '../context';
import { parseCount } from '../flags';
import { brokerOutageOptions, brokerWaitMs, brokerWaitOption } from '../streaming';

interface DemoFlags {
  lines: string;
  seed: string;
  cluster?: boolean;
  /** False with --no-start. */
  start: boolean;
  topic: string;
  lake?: string;
  out: string;
  top: string;
  brokerWait?: string;
}

type Io = typeof import('../io');

/** The default day: every incident shows, and a 2-core laptop runs it all in well under 60 s. */
export const DEMO_LINES = 200_000;
const EMBEDDED_LAKE = 'out/demo/lake';
const HDFS_LAKE = '/loglab-demo';

const EXAMPLES = `
Examples:
  npm run demo                                 the whole pipeline, embedded, in one process
  npm run demo -- --lines 1000000 --seed 7     a bigger day, another seed
  npm run demo -- --cluster                    the same on Kafka, HDFS and Hadoop
  npm run demo -- --cluster --no-start         the same, on services that must be up already
  npx loglab report                            draw the last run's report again
  npm run demo -- --out out/big && npx loglab report --run out/big/run.json

Stages: a seeded day with every incident kind (error burst, IP flood, scanner) is generated and
produced to the demo's topic (weblogs.demo); one consumer group counts the summary and runs the
detectors (5-minute windows sliding every minute, event time; alerts to weblogs.alerts), the
archiver's group stores the topic in the demo's lake (${EMBEDDED_LAKE}, or ${HDFS_LAKE} on
HDFS); then the nine MapReduce jobs of \`loglab mapreduce list\` run over the lake, and the run
record (out/demo/run.json) and the HTML report (out/demo/report.html) are written. Each stage's
lines, seconds and lines per second are printed as it ends, with a progress bar on a terminal.
The demo's topic, its two groups and its lake are emptied first, so a rerun with the same seed
gives the same figures; the record's totals are the same on both engines.

--cluster uses Kafka at LOGLAB_KAFKA_BROKERS and HDFS at LOGLAB_HDFS_URL (default: the local
ones of \`npm run cluster\`), and runs the jobs with Hadoop Streaming on the local job runner;
when Kafka or HDFS does not answer it starts them with \`npm run cluster -- up\` first, and says so;
with --no-start it starts nothing and says in one line what is not up (exit 2): for a cluster
that others use too, where a second start would make a second broker. A Kafka broker that goes
away mid-run (a restart) is waited for up to --broker-wait by the producer, the detection and the
archiver, each saying when it waits and when the broker is back, and the run goes on with nothing
lost or stored twice; Ctrl-C stops the demo at once.
Exit code 1 when a hop lost or gained lines.
`;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'The whole pipeline in one process: generate a day with incidents → broker → detection and ' +
        'the archiver → MapReduce over the lake → the HTML report. Embedded, or --cluster.',
    )
    .option('--lines <n>', 'lines to generate', String(DEMO_LINES))
    .option('--seed <s>', 'random seed (same seed, same day)', '42')
    .option('--cluster', 'run on Kafka, HDFS and Hadoop (started when they are not up)')
    .option(
      '--no-start',
      'with --cluster: never start Kafka or HDFS (a shared cluster); refuse in one line when one is not up',
    )
    .option('--topic <name>', "the demo's topic, deleted and made again", 'weblogs.demo')
    .option(
      '--lake <dir>',
      `the demo's lake, emptied first: a directory (default ${EMBEDDED_LAKE}), or with --cluster an HDFS directory (default ${HDFS_LAKE})`,
    )
    .option('--out <dir>', 'where run.json and report.html go', 'out/demo')
    .option('--top <n>', 'rows in each top list', '10')
    .addOption(brokerWaitOption('with --cluster'))
    .addHelpText('after', EXAMPLES)
    .action(async (flags: DemoFlags) => {
      await demo(flags);
    });
}

/** A path as one word for a shell: quoted when it holds anything but plain path characters. */
function shellWord(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

async function demo(flags: DemoFlags): Promise<void> {
  const lines = parseCount(flags.lines, '--lines', 1000);
  const seed = parseCount(flags.seed, '--seed', 0);
  const top = parseCount(flags.top, '--top', 1);
  if (flags.topic.trim() === '') throw badFlag('--topic must not be empty');
  if (flags.out.trim() === '') throw badFlag('--out must not be empty');
  const cluster = flags.cluster === true;
  if (!flags.start && !cluster) throw badFlag('--no-start needs --cluster');
  if (flags.brokerWait !== undefined && !cluster) throw badFlag('--broker-wait needs --cluster');
  const waitMs = cluster ? await brokerWaitMs(flags.brokerWait) : 0;
  const [io, config, { runDemo }, { demoTotals }, { formatCount }] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../config'),
    import('../../pipeline/demo-run'),
    import('../../pipeline/demo-totals'),
    import('../../viz/theme'),
  ]);
  const { DEMO_RUN_RECORD } = await import('../../report/run-record');
  const { stdout, stderr, env } = cliIo();
  const out = (text: string) => stdout.write(`${text}\n`);
  const loaded = config.loadConfig(env);
  const started = performance.now();

  const ports = cluster
    ? await clusterPorts(flags, loaded, waitMs)
    : await embeddedPorts(flags, loaded);
  out(
    `loglab demo: the whole pipeline on ${cluster ? `Kafka (${ports.broker.address}), HDFS and Hadoop` : 'the embedded engine, in one process'}`,
  );
  out(
    `  ${'stage'.padEnd(20)} ${'lines'.padStart(10)} ${'seconds'.padStart(8)} ${'lines/s'.padStart(10)}`,
  );
  let bar: ReturnType<Io['createProgress']> | null = null;
  let unit = 1;
  let run: Awaited<ReturnType<typeof runDemo>>;
  try {
    run = await runDemo({
      lines,
      seed,
      top,
      topic: flags.topic,
      outDir: flags.out,
      // Outage lines (a broker or HDFS restarting) as every command's: `loglab demo: …`.
      log: (line) => cliIo().stderr.write(`loglab demo: ${withCommandHint('demo', line)}\n`),
      brokerWaitMs: waitMs,
      ...ports,
      progress: {
        start(stage, total, what) {
          // Bytes as MB on the bar: the lake moves it a step per megabyte.
          unit = what === 'bytes' ? 1e6 : 1;
          bar = io.createProgress(
            Math.max(1, Math.ceil(total / unit)),
            `${unit === 1e6 ? 'MB' : what} · ${stage}`,
          );
        },
        update(done) {
          bar?.update(Math.round(done / unit));
        },
        done(stage) {
          (bar as ReturnType<Io['createProgress']> | null)?.stop();
          bar = null;
          const rate = stage.seconds > 0 ? stage.lines / stage.seconds : 0;
          out(
            `  ${stage.name.padEnd(20)} ${formatCount(stage.lines).padStart(10)} ${stage.seconds.toFixed(2).padStart(8)} ${formatCount(rate).padStart(10)}  ${stage.detail}`,
          );
        },
      },
    });
  } finally {
    (bar as ReturnType<Io['createProgress']> | null)?.stop();
    await ports.broker.close();
    await ports.store.close();
  }

  const { record } = run;
  const totals = demoTotals(record);
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  out('\nincidents injected (ground truth) and the alerts they opened');
  for (const incident of record.truth ?? []) {
    const kind = record.evaluation?.kinds.find((k) => k.incidentKind === incident.kind);
    const missed = kind?.missed.some((m) => m.key === incident.key && m.start === incident.start);
    out(
      `  ${incident.kind.padEnd(11)} ${incident.key.padEnd(22)} ${hhmm(incident.start)}–${hhmm(incident.end)} UTC  ${missed ? 'MISSED' : `detected by ${kind?.alertKind ?? '?'}`}`,
    );
  }
  const opened = Object.entries(totals.alertsOpened)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  out(`  alerts opened: ${opened}`);
  out(
    `\nlines at every hop: generated ${formatCount(lines)}, produced ${formatCount(totals.produced)}, ` +
      `consumed ${formatCount(totals.consumed)}, stored in the lake ${formatCount(totals.stored)}, ` +
      `read by MapReduce ${formatCount(totals.batchInput)}`,
  );
  const kb = Math.max(1, Math.round(run.reportBytes / 1000));
  out(`\nreport: ${run.reportPath} (${kb} KB; open it in a browser, it needs no network)`);
  // `loglab report` reads out/demo/run.json unless told where the record is.
  const redraw =
    resolve(run.recordPath) === resolve(DEMO_RUN_RECORD)
      ? 'npx loglab report'
      : `npx loglab report --run ${shellWord(run.recordPath)}`;
  out(`record: ${run.recordPath} (${redraw} draws it again)`);
  out(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const hops = [totals.produced, totals.consumed, totals.stored, totals.batchInput];
  if (hops.some((n) => n !== lines) || !run.stream.checksum.equal) {
    stderr.write('loglab demo: lines were lost or gained on the way (see the hops above)\n');
    cliIo().exitCode = 1;
  }
}

type Config = typeof import('../../config');

async function embeddedPorts(flags: DemoFlags, config: ReturnType<Config['loadConfig']>) {
  const [{ createBroker, createStore }, { createEmbeddedRunner }, { badInput, describeFsError }] =
    await Promise.all([
      import('../../config'),
      import('../../batch/embedded-runner'),
      import('../../errors'),
    ]);
  const lakeDir = flags.lake ?? EMBEDDED_LAKE;
  if (lakeDir.trim() === '') throw badFlag('--lake must not be empty');
  const store = await createStore('embedded', config, { lakeDir }).catch((err: unknown) => {
    throw badInput(`cannot use ${lakeDir} as the lake directory: ${describeFsError(err)}`);
  });
  const { STREAM_RETENTION_BYTES } = await import('../../pipeline/run-stream');
  return {
    // The demo's stream holds its producer back for its readers, as `loglab stream` does.
    broker: createBroker('embedded', config, {
      memory: { retentionBytes: STREAM_RETENTION_BYTES },
    }),
    store,
    runner: createEmbeddedRunner(),
    batchInput: join(lakeDir, 'loglab', 'raw'),
  };
}

/** NameNode RPC port on the host of the WebHDFS address, as `loglab mapreduce` assumes. */
const NAMENODE_RPC_PORT = 8020;

/**
 * Kafka, HDFS and Hadoop for the demo, started when they are not up (unless --no-start). Its
 * producer and the detection's consumer wait up to `waitMs` for a broker that went away
 * (--broker-wait), as `loglab stream` does; Ctrl-C stops the demo at once, waiting or not.
 */
async function clusterPorts(
  flags: DemoFlags,
  config: ReturnType<Config['loadConfig']>,
  waitMs: number,
) {
  const [
    { createBroker, createStore },
    { ensureCluster, hadoopJarsPresent },
    { kafkaAnswers },
    { webHdfsDown },
    { hadoopLibDir },
    { createHadoopRunner },
    { createPrefixedStore },
    { lakePath },
    { retryingStore },
    { outageLine },
  ] = await Promise.all([
    import('../../config'),
    import('../demo-cluster'),
    import('../../stream/kafka-broker'),
    import('../../storage/webhdfs-probe'),
    import('../../hadoop/hadoop-lib'),
    import('../../batch/hadoop-runner'),
    import('../../storage/prefixed-store'),
    import('../../storage/lake-layout'),
    import('../../storage/retrying-store'),
    import('../../pipeline/archiver-outage'),
  ]);
  const root = lakePath(flags.lake ?? HDFS_LAKE);
  if (root === '/') throw badFlag('--lake must be a directory below / on HDFS');
  await ensureCluster(
    {
      kafka: () => kafkaAnswers(config.kafka.brokers),
      hdfs: () => webHdfsDown(config.hdfs.url, config.hdfs.user),
      hadoopJars: () => hadoopJarsPresent(hadoopLibDir()),
    },
    (line) => cliIo().stderr.write(`loglab demo: ${line}\n`),
    undefined,
    flags.start,
  );
  const hdfs = await createStore('cluster', config);
  const { hostname } = new URL(config.hdfs.url);
  return {
    broker: createBroker(
      'cluster',
      config,
      brokerOutageOptions('demo', new AbortController().signal, waitMs),
    ),
    store: createPrefixedStore(hdfs, root),
    runner: createHadoopRunner({
      // Its own HDFS calls (the job's output, read back) wait out an HDFS restart as the
      // archiver's do; the jobs themselves are Hadoop's.
      store: retryingStore(hdfs, {
        onEvent: (e) => cliIo().stderr.write(`loglab demo: ${outageLine(hdfs.address, e)}\n`),
      }),
      defaultFs: `hdfs://${hostname}:${NAMENODE_RPC_PORT}`,
      user: config.hdfs.user,
      // The lake holds a file per partition and event hour: two map tasks at once halve the wait.
      parallelism: 2,
    }),
    batchInput: `${root}/loglab/raw`,
  };
}
