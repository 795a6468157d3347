/**
 * `loglab stream`: generate, produce and consume in one process, on either engine. The run
 * itself is `runStream` (pipeline/run-stream.ts; the pipeline's shape: pipeline/index.ts); this
 * file holds the flags and help, the live status line, the summary, and --detect, which adds
 * the detectors of `loglab detect` as one more batch handler of the consumer side.
 */
import { type Command, Option } from 'commander';
import { badFlag } from '../../errors';
import { DEFAULT_ROLL_BYTES } from '../../pipeline/archive-roller';
import { ARCHIVER_GROUP } from '../../pipeline/run-archiver';
import {
  runStream,
  STREAM_GROUP,
  type StreamHandler,
  type StreamSample,
  type StreamSummary,
  streamRetentionBytes,
} from '../../pipeline/run-stream';
import type { StreamArchiveSettings, StreamArchiveSummary } from '../../pipeline/stream-archive';
import type { Store } from '../../storage/store';
import type { Broker } from '../../stream/broker';
import { DEFAULT_BATCH, TIMESTAMP_SOURCES, type TimestampSource } from '../../stream/line-producer';
import { DEADLETTER_TOPIC, DEFAULT_PARTITIONS, RAW_TOPIC } from '../../stream/topics';
import { cliIo } from '../context';
import { parseCount } from '../flags';
import { INCIDENT_KINDS, optionsFromFlags, SPEEDUP_HELP } from '../generate-flags';
import {
  brokerOutageOptions,
  brokerWaitMs,
  brokerWaitOption,
  createStatusLine,
  engineOption,
  handleInterrupts,
  openBroker,
  sharedGroupNote,
  TIMESTAMP_HELP,
  thousands,
} from '../streaming';
import {
  addWebOptions,
  keepServing,
  type ServedDashboard,
  serveWebDashboard,
  WEB_HELP,
  type WebFlags,
  webSettings,
} from '../web-dashboard';

interface StreamFlags extends WebFlags {
  topic: string;
  archive?: boolean;
  lake?: string;
  archiveGroup: string;
  rollSize?: string;
  rollInterval?: string;
  compress?: 'none' | 'gzip';
  detect?: boolean;
  dashboard?: boolean;
  window: string;
  hop: string;
  lateness: string;
  lines?: string;
  seed: string;
  rate?: string;
  speedup?: string;
  incidents?: string;
  engine?: string;
  partitions: string;
  group: string;
  resume?: boolean;
  batch: string;
  timestamp: TimestampSource;
  json?: boolean;
  brokerWait: string;
}

/** The most partitions `stream` makes a topic with (see runStreamCommand). */
const MAX_PARTITIONS = 1000;

const EXAMPLES = `
Examples:
  loglab stream                                   100,000 lines through the embedded broker
  loglab stream --engine cluster --lines 1000000 --timestamp now
                                                  a million through Kafka (npm run cluster -- up)
  loglab stream --rate 500 --incidents all        live: 500 lines a second until Ctrl-C
  loglab stream --detect --dashboard --rate 2000 --speedup 10 --incidents all
                                                  the live dashboard, ten simulated minutes a minute
  loglab stream --detect --web --rate 2000 --speedup 10 --incidents all
                                                  the same as a web page at http://127.0.0.1:8080/
  loglab stream --archive --lake /tmp/lake && loglab lake du --lake /tmp/lake
                                                  the stream stored in a local lake as it goes
  loglab stream --archive --engine cluster --lines 1000000 --timestamp now
                                                  Kafka into HDFS (LOGLAB_HDFS_URL)

The generator's lines are produced to weblogs.raw (key = client IP, timestamp = the line's time)
and read back by group loglab-stream in the same process, which commits what it has handled
(with --detect, no record the detector still holds back) at most once a second; older messages
on the topic are skipped. After a crash, --resume --lines 0 --detect finishes what the crashed
run read but did not commit (the records the detector held back): everything from the group's
commits to the end is handed to the detectors and counted as resumed, apart from this run's
consumed lines and checksum. --resume needs --lines 0 or --rate: a generated day starts at the
same time in every run, so new lines would come before the resumed ones and be late.
On the embedded broker the producer waits while a partition holds more than 16,384 records
the consumer (or the archiver) has not read, and the broker keeps 16 MiB a partition (more
with a larger --batch): its backlog stays bounded, and no line is dropped unread.
While it runs, stderr shows produced/s, consumed/s and lag (a refreshing line on a terminal,
one line a second otherwise); at the end stdout has the summary: produced, consumed,
dead-lettered, the group's lag and a checksum of the lines on each side, which must be equal.
With --detect the consumer side also runs the detectors of \`loglab detect\` (group
loglab-stream): alerts go to stdout as NDJSON and to weblogs.alerts, and the summary goes to
stderr, ending with the detector's counts and the lines per second sustained end to end;
--dashboard draws the live detection view instead of the status line on a terminal.
Detection closes a window once the watermark passes its end, so at the real pace the first alert
comes a minute or more after an incident starts and the last incident (of the first ten
minutes) later still; --speedup 10 shows them all within about a minute and a half.
With --archive the archiver of \`loglab archive\` (group archiver, --archive-group) reads the
topic too and stores it in the lake: the raw layout under /loglab/raw of the --lake directory
(embedded, default out/lake, which must not hold the topic already: the embedded broker numbers
offsets from 0 on every run) or of HDFS at LOGLAB_HDFS_URL (cluster; under the HDFS folder
--lake when given). The status line adds the lines and files stored so far; the summary says
how many lines, files and where. At the end of the input, or at the second Ctrl-C, every open
file is rolled into place before the exit.
--roll-size, --roll-interval and --compress are those of \`loglab archive\`.
A broker that goes away (Kafka restarting) is waited for by both sides, up to --broker-wait
(5 minutes), with a line when it goes and one when it answers again; the producer then sends
the refused batch again (stored once: the idempotent producer's copy is dropped by the broker,
while it remembers the producer: see --timestamp below).
Ctrl-C stops generating and lets the consumer catch up (exit 0); a second Ctrl-C stops the
consumer (and any wait for the broker) too; a third exits at once with 130. Exit code 1 when the consumer did not get exactly
the lines that were produced.

${WEB_HELP}

${SPEEDUP_HELP}

${TIMESTAMP_HELP}
Without --rate the generated day is 2024-03-12: on a broker that keeps Kafka's default
retention by time (not the one \`npm run cluster\` starts), use --timestamp now or --rate
(lines stamped with the current time), or it may drop them during the run.
`;

export function registerStream(program: Command): void {
  const command = program
    .command('stream')
    .description(
      'Generate, produce and consume in one process, with throughput, lag and checksums.',
    )
    .option('--lines <n>', 'lines to generate (default 100000; endless with --rate)')
    .option('--seed <s>', 'random seed of the generator', '42')
    .option('--rate <r>', 'lines per second, stamped with the current time (real-time mode)')
    .option('--speedup <k>', 'with --rate: simulated time runs k times faster than the clock')
    .option('--incidents <list>', `comma-separated: ${INCIDENT_KINDS.join(', ')}, or all`)
    .addOption(engineOption('embedded'))
    .addOption(brokerWaitOption())
    .option(
      '--partitions <n>',
      'partitions of weblogs.raw when it is created',
      String(DEFAULT_PARTITIONS),
    )
    .option('--group <id>', 'consumer group of the consuming side', STREAM_GROUP)
    .option(
      '--resume',
      'hand the detectors what an earlier run of the group left uncommitted (with --lines 0 or --rate)',
    )
    .option('--topic <name>', 'topic of the lines (made when missing)', RAW_TOPIC)
    .option('--archive', 'also store the topic in the lake, as loglab archive does')
    .option(
      '--lake <dir>',
      'with --archive: a local directory (embedded, default out/lake), or a folder on HDFS (cluster, default /)',
    )
    .option(
      '--archive-group <id>',
      'with --archive: consumer group of the archiver',
      ARCHIVER_GROUP,
    )
    .option(
      '--roll-size <bytes>',
      `with --archive: roll a file at this size (${DEFAULT_ROLL_BYTES})`,
    )
    .option(
      '--roll-interval <duration>',
      'with --archive: roll a file this long after it opened (60s)',
    )
    .addOption(
      new Option(
        '--compress <codec>',
        'with --archive: store closed files compressed (….log.gz)',
      ).choices(['none', 'gzip']),
    )
    .option('--batch <n>', 'messages per produce request', String(DEFAULT_BATCH))
    .addOption(
      new Option(
        '--timestamp <source>',
        "message timestamps: the line's time or the time of sending",
      )
        .choices([...TIMESTAMP_SOURCES])
        .default('event'),
    )
    .option('--json', 'print the summary as one JSON object')
    .option('--detect', 'also detect incidents on the consumed lines: alerts as NDJSON on stdout')
    .option('--dashboard', 'with --detect (implied): the live detection dashboard on a terminal')
    .option('--window <duration>', 'detection window length (with --detect)', '5m')
    .option('--hop <duration>', 'how often a detection window closes (with --detect)', '1m')
    .option('--lateness <duration>', 'allowed lateness of the detector (with --detect)', '30s');
  addWebOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: StreamFlags) => {
      await runStreamCommand(flags);
    });
}

function formatSample(s: StreamSample): string {
  return (
    `${(s.elapsedMs / 1000).toFixed(1)} s  produced ${s.produced} (${thousands(s.producedPerSecond)}/s)` +
    `  consumed ${s.consumed} (${thousands(s.consumedPerSecond)}/s)  lag ${s.lag}` +
    (s.deadLettered > 0 ? `  dead-lettered ${s.deadLettered}` : '') +
    (s.archive === undefined
      ? ''
      : `  archived ${s.archive?.lines ?? 0} lines in ${s.archive?.files ?? 0} files`)
  );
}

/** Where the archive went, for people: the lake directory or HDFS's address, and the root. */
function archivePlace(a: StreamArchiveSummary): string {
  return a.engine === 'embedded' ? `${a.store}${a.root}` : `HDFS ${a.store} ${a.root}`;
}

export function formatSummary(s: StreamSummary): string {
  const rows = [
    `engine     ${s.engine === 'embedded' ? 'embedded' : `cluster (Kafka at ${s.address})`}, ${s.topic} with ${s.partitions} partitions, group ${s.groupId}`,
    `produced   ${s.produced} to ${s.topic}, ${s.deadLettered} to ${DEADLETTER_TOPIC}, in ${s.produceSeconds.toFixed(2)} s (${thousands(s.producedPerSecond)} lines/s)`,
    `consumed   ${s.consumed} from ${s.topic}, in ${s.consumeSeconds.toFixed(2)} s (${thousands(s.consumedPerSecond)} lines/s)`,
  ];
  if (s.skipped > 0) rows.push(`skipped    ${s.skipped} older messages before this run's`);
  if (s.resumed > 0) {
    rows.push(`resumed    ${s.resumed} older messages an earlier run read and did not commit`);
  }
  rows.push(`lag        ${s.lag}`);
  rows.push(
    `checksum   produced ${s.checksum.produced}, consumed ${s.checksum.consumed}: ${s.checksum.equal ? 'equal' : 'DIFFERENT'}`,
  );
  if (s.archive !== undefined) {
    const a = s.archive;
    rows.push(
      `archived   ${a.lines} lines into ${a.files} files (${a.rolls} rolls) under ${archivePlace(a)}, group ${a.groupId}`,
    );
    if (a.skipped > 0)
      rows.push(`           ${a.skipped} records skipped: the lake held them already`);
    if (a.gaps.length > 0) {
      rows.push(`           partitions ${a.gaps.join(', ')} began after what the lake holds`);
    }
  }
  if (s.partitionsRead.length < s.partitions) {
    const which = s.partitionsRead.length === 0 ? 'none' : s.partitionsRead.join(', ');
    rows.push(
      `shared     group ${s.groupId}: this member read ${which} of ${s.partitions} partitions, other members the rest`,
    );
  }
  if (s.interrupted) rows.push('stopped    by Ctrl-C');
  return `${rows.join('\n')}\n`;
}

/**
 * The last line of `--detect`: lines through the whole path (generate → produce → consume →
 * detect) per second of the run, from the first line generated to the last batch detected, the
 * figure a reader compares with the input's rate. The join and the topic set-up before the first
 * line, and the windows closed after the last, are not in it.
 */
export function formatEndToEnd(s: StreamSummary): string {
  return `end to end ${s.consumed} lines generated, produced, consumed and detected in ${s.consumeSeconds.toFixed(2)} s: ${thousands(s.consumedPerSecond)} lines/s sustained\n`;
}

async function runStreamCommand(flags: StreamFlags): Promise<void> {
  const generate = optionsFromFlags(
    {
      lines: flags.lines,
      seed: flags.seed,
      rate: flags.rate,
      speedup: flags.speedup,
      incidents: flags.incidents,
      format: 'combined',
    },
    Date.now(),
  );
  const partitions = parseCount(flags.partitions, '--partitions', 1);
  // Each partition is a log, a consumer position and a share of every poll: past this the
  // embedded broker spent minutes setting up, deaf to Ctrl-C.
  if (partitions > MAX_PARTITIONS) {
    throw badFlag(`--partitions must be at most ${MAX_PARTITIONS}, got ${flags.partitions}`);
  }
  const batchSize = parseCount(flags.batch, '--batch', 1);
  if (flags.group.trim() === '') throw badFlag('--group must not be empty');
  if (flags.resume === true && generate.lines !== 0 && flags.rate === undefined) {
    throw badFlag(
      '--resume needs --lines 0 or --rate: new lines of a generated day start before the resumed ones and would be late',
    );
  }
  if (flags.archiveGroup.trim() === '') throw badFlag('--archive-group must not be empty');
  for (const [flag, value] of [
    ['--lake', flags.lake],
    ['--roll-size', flags.rollSize],
    ['--roll-interval', flags.rollInterval],
    ['--compress', flags.compress],
  ] as const) {
    if (value !== undefined && flags.archive !== true) throw badFlag(`${flag} needs --archive`);
  }
  const rollBytes =
    flags.rollSize === undefined ? undefined : parseCount(flags.rollSize, '--roll-size', 1);
  const rollIntervalMs =
    flags.rollInterval === undefined
      ? undefined
      : await (await import('../detect-session')).durationFlag(
          flags.rollInterval,
          '--roll-interval',
          false,
        );
  const { validateOptions } = await import('../../generate/index');
  validateOptions(generate);

  const web = webSettings(flags);
  const detecting = flags.detect === true || flags.dashboard === true || web !== null;
  const detection = detecting ? await openDetection(flags) : null;
  // The stream's producer and consumer wait out a broker outage (--broker-wait) until the second
  // Ctrl-C stops consuming; the archiver's waits in its own loop instead (run-archiver.ts).
  const waitMs = await brokerWaitMs(flags.brokerWait);
  const outageStop = new AbortController();
  const { broker } = await openBroker(flags.engine, 'embedded', {
    ...brokerOutageOptions('stream', outageStop.signal, waitMs),
    memory: { retentionBytes: streamRetentionBytes(batchSize) },
  });
  const source = `generated, ${flags.topic} on ${broker.engine === 'cluster' ? `Kafka ${broker.address}` : 'the embedded broker'}, group ${flags.group}`;
  let store: Store | null = null;
  let archive: StreamArchiveSettings | undefined;
  if (flags.archive === true) {
    store = await openLake(broker, flags).catch(async (err: unknown) => {
      await broker.close();
      throw err;
    });
    archive = {
      store,
      groupId: flags.archiveGroup,
      rollBytes,
      rollIntervalMs,
      compression: flags.compress,
      brokerWaitMs: waitMs,
      log: (line) => cliIo().stderr.write(`loglab stream: ${line}\n`),
    };
  }
  let lag: number | null = null;
  let served: ServedDashboard | null = null;
  if (web !== null && detection !== null) {
    try {
      served = await serveWebDashboard(detection.session, web, {
        command: 'loglab stream --detect',
        source,
        lag: () => lag,
      });
    } catch (err) {
      await broker.close();
      await store?.close();
      throw err;
    }
  }
  const interrupts = handleInterrupts(2);
  const [stopProducing, stopConsuming] = interrupts.stages;
  stopConsuming.addEventListener('abort', () => outageStop.abort(), { once: true });
  const handlers: StreamHandler[] = [];
  if (detection !== null) handlers.push(detection.handler(broker, stopConsuming));
  // The dashboard shows the same figures and more: no status line under it.
  const drawing = detection?.session.drawsDashboard === true;
  const status = createStatusLine();
  let summary: StreamSummary;
  try {
    if (detection !== null) {
      await detection.session.startDashboard('loglab stream --detect', source, () => null);
    }
    summary = await runStream(broker, {
      generate,
      topic: flags.topic,
      archive,
      partitions,
      groupId: flags.group,
      resume: flags.resume === true,
      // The generator's rate is per simulated second: the pace is --rate lines of wall time.
      rate: flags.rate === undefined ? undefined : Number(flags.rate),
      batchSize,
      timestamps: flags.timestamp,
      handlers,
      stopProducing,
      stopConsuming,
      sampleMs: status.enabled ? 250 : 1000,
      // On Kafka with kafkajs the producing side takes a thread of its own (run-stream.ts).
      producerThread:
        broker.engine === 'cluster'
          ? (await import('../../config')).loadConfig(cliIo().env)
          : undefined,
      producerThreadOutage:
        waitMs === 0 ? undefined : { waitMs, prefix: 'loglab stream: ', stop: outageStop.signal },
      onSample(sample) {
        lag = sample.lag;
        if (drawing) return;
        if (status.enabled) status.show(formatSample(sample));
        else cliIo().stderr.write(`${formatSample(sample)}\n`);
      },
    });
  } catch (err) {
    await served?.close();
    interrupts.dispose();
    throw err;
  } finally {
    detection?.session.stopDashboard(true);
    status.clear();
    await broker.close();
    await store?.close();
  }
  const io = cliIo();
  if (summary.partitions !== partitions) {
    io.stderr.write(
      `loglab stream: ${summary.topic} already had ${summary.partitions} partitions; --partitions applies only when it is created\n`,
    );
  }
  // With --detect stdout carries the alerts: the summary goes to stderr.
  const summaryOut = detection !== null ? io.stderr : io.stdout;
  summaryOut.write(flags.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  if (detection !== null) {
    io.stderr.write(`${detection.counts()}\n`);
    io.stderr.write(formatEndToEnd(summary));
  }
  if (served !== null) {
    // The first Ctrl-C stage, still on: it stops the page once the run is over.
    await keepServing(served, stopProducing);
    await served.close();
  }
  interrupts.dispose();
  const incomplete = incompleteRun(summary);
  if (incomplete !== null && !stopConsuming.aborted) {
    // Not a usage error and not a crash: something was lost or changed on the way (exit 1).
    io.stderr.write(`loglab stream: ${incomplete}\n`);
    io.exitCode = 1;
  }
}

/**
 * What went wrong when the run did not consume exactly what it produced, and the likely why:
 * another member of its group read some partitions (all the time, or after it joined); null
 * when the counts and checksums agree.
 */
export function incompleteRun(s: StreamSummary): string | null {
  if (s.consumed === s.produced && s.checksum.equal) return null;
  const what =
    s.consumed !== s.produced
      ? `consumed ${s.consumed} lines for ${s.produced} produced`
      : `consumed as many lines as were produced (${s.produced}), but not the same ones: the checksums differ`;
  let why = sharedGroupNote(s.partitionsRead, s.partitions);
  const left = s.partitionsLeft;
  if (why === '' && left.length > 0) {
    const one = left.length === 1;
    why = `; partition${one ? '' : 's'} ${left.join(', ')} left this member during the run: another member of the group may have read part of ${one ? 'it' : 'them'}`;
  }
  return `${what}${why}`;
}

/**
 * The lake of `--archive`: the --lake directory on the embedded engine, HDFS on a cluster. The
 * embedded broker numbers offsets from 0 in every process, so a lake that already holds the
 * topic would make the archiver skip this run's lines as stored: refused, in one line.
 */
async function openLake(broker: Broker, flags: StreamFlags): Promise<Store> {
  const [
    { createStore, DEFAULT_LAKE_DIR, hdfsLakeDir, loadConfig },
    { lakeNextOffsets },
    { claimLakeSource },
    { badInput, describeFsError, isLoglabError },
  ] = await Promise.all([
    import('../../config'),
    import('../../pipeline/lake-recovery'),
    import('../../pipeline/lake-source'),
    import('../../errors'),
  ]);
  const lakeDir = flags.lake ?? DEFAULT_LAKE_DIR;
  const hdfsDir =
    broker.engine === 'cluster' && flags.lake !== undefined
      ? await hdfsLakeDir(flags.lake)
      : undefined;
  const store = await createStore(broker.engine, loadConfig(cliIo().env), {
    lakeDir,
    hdfsDir,
  }).catch((err: unknown) => {
    if (isLoglabError(err) || broker.engine === 'cluster') throw err;
    throw badInput(`cannot use ${lakeDir} as the lake directory: ${describeFsError(err)}`);
  });
  if (broker.engine === 'embedded' && (await lakeNextOffsets(store, flags.topic)).size > 0) {
    await store.close();
    throw badInput(
      `${lakeDir} already holds ${flags.topic} from an earlier run; the embedded broker starts its offsets at 0 again: use another --lake or --topic`,
    );
  }
  // Files archived under the topic's name: refused before the stream starts, not by the archiver.
  await claimLakeSource(store, flags.topic, 'kafka').catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  return store;
}

/** `--detect`: the detector of `loglab detect` as one more batch handler of the consumer side. */
async function openDetection(flags: StreamFlags) {
  const [{ openDetectSession, windowFlags }, { streamDetection }, { formatDetectCounts }] =
    await Promise.all([
      import('../detect-session'),
      import('../../pipeline/stream-detection'),
      import('../../realtime/detect-counts'),
    ]);
  const settings = await windowFlags(flags);
  const session = await openDetectSession(settings, 'auto', flags.dashboard === true);
  const { detector } = session;
  let detection: ReturnType<typeof streamDetection> | null = null;
  const on = (broker: Broker, signal?: AbortSignal) => {
    // Alerts go out through the outbox (pipeline/stream-detection.ts), after the text lines.
    detection ??= streamDetection(broker, detector, {
      topic: flags.topic,
      groupId: flags.group,
      signal,
      log: (line) => cliIo().stderr.write(`loglab stream: ${line}\n`),
      onAlerts: () => session.writeAlerts(),
    });
    return detection;
  };
  return {
    session,
    /**
     * Detects on each poll's batches; alerts are written before the batches are committed, and
     * the last ones when the stream stops. `signal` (Ctrl-C) ends a wait for the broker during
     * an outage.
     */
    handler(broker: Broker, signal?: AbortSignal): StreamHandler {
      return on(broker, signal);
    },
    counts: () => formatDetectCounts(detector.counts()),
  };
}
