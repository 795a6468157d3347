/**
 * `loglab detect`: incidents found in event-time windows, as NDJSON alerts on stdout.
 *
 * A FILE or stdin goes line by line through the stream detector; --topic reads weblogs.raw as
 * group "realtime" through the detection consumer loop, which writes alerts to weblogs.alerts and
 * unparseable lines to weblogs.deadletter on the cluster (the pipeline's shape: pipeline/index.ts).
 *
 * From a file the alerts are exactly those of the engine run over the file's records in order,
 * so `loglab detect day.log | loglab evaluate --alerts - --truth truth.json` measures the
 * engine. From a topic the records of all partitions are merged back into event-time order
 * (realtime/partition-merge.ts) before the engine sees them. --dashboard draws the live view on
 * a terminal; without one the output stays plain alert lines.
 */
import { type Command, Option } from 'commander';
import { badFlag } from '../../errors';
import type { StreamDetector } from '../../pipeline/stream-detector';
import type { Broker } from '../../stream/broker';
import { ALERTS_TOPIC, DEADLETTER_TOPIC, RAW_TOPIC } from '../../stream/topics';
import { cliIo } from '../context';
import { openDetectSession, windowFlags } from '../detect-session';
import {
  brokerWaitMs,
  brokerWaitOption,
  handleInterrupts,
  openBroker,
  sharedGroupNote,
} from '../streaming';

type Io = typeof import('../io');

/** The consumer group of `loglab detect --topic` (the "realtime" group of the design). */
export const DETECT_GROUP = 'realtime';

const FORMATS = ['auto', 'combined', 'combined-time', 'common', 'json'];

interface DetectFlags {
  topic?: string | true;
  group: string;
  fromBeginning?: boolean;
  toEnd?: boolean;
  engine?: string;
  window: string;
  hop: string;
  lateness: string;
  dashboard?: boolean;
  format: string;
  alertsTopic: string;
  brokerWait?: string;
}

const EXAMPLES = `
Examples:
  loglab generate --format combined-time --incidents all --truth truth.json > day.log
  loglab detect day.log > alerts.ndjson
  loglab evaluate --alerts alerts.ndjson --truth truth.json
  loglab generate --rate 200 --speedup 10 --incidents all | loglab detect - --dashboard
  loglab detect --topic --to-end                 replay weblogs.raw (Kafka) up to its end
  loglab detect --topic --dashboard              follow weblogs.raw live, until Ctrl-C

Each alert line is {"kind","key","windowStart","windowEnd","observed","threshold","severity",
"firstSeen","lastSeen","state"} with times in epoch ms of event time; kind is error-spike,
ip-flood, scanner, prefix-flood (key a /24 or /64 prefix), slow-scan (over a sliding hour),
slow-page (key a URL path; its p95 request time against its own normal: a log with request
times, combined-time or json, is needed) or anomaly (key requests-spike, requests-drop or error-ratio-spike); state is "open" (also
when a warning becomes critical) or "resolved". Windows close when the watermark (the newest
event time minus --lateness) passes their end; records behind it are counted as late.
At the end of the input every window closes and every open alert resolves. The last line on
stderr counts what was read: read N, parsed N, rejected N, late N, alerts N (opened: …); with
--topic, when other members of the group own some of its partitions (the group splits them),
it ends saying which partitions this run read: its counts, and --to-end, cover those only.

From a FILE (or - for stdin) no broker is used unless --engine cluster is given, which also
sends the alerts to weblogs.alerts. With --topic the records are read as consumer group
"realtime" (--group), committed only once they reached the detector and its alerts are
written (at most once a second while records flow); on the cluster alerts go to weblogs.alerts and unparseable lines to weblogs.deadletter.
Without --engine, --topic uses Kafka when a broker answers at LOGLAB_KAFKA_BROKERS
(127.0.0.1:9092), and otherwise says how to start one. Ctrl-C stops reading, closes the windows,
commits and prints the counts (exit 0); a second Ctrl-C exits at once with 130. A broker that
goes away once the group is joined (a restart) is waited for up to --broker-wait (5 minutes),
with a line on stderr;
then the group is joined again and detection goes on with its windows, skipping the records it
already had. Alerts and dead letters whose produce failed then are sent again without those the
broker had stored after all (read back from their topic), so each is on its topic once; a group
without commits that starts at the end commits that start at once, so a join after the outage
reads what came in between.

--dashboard redraws a live view about four times a second: the current time, the window, logs
processed and their rate, the open alerts of each detector (error-spike, ip-flood, scanner,
anomaly, and prefix-flood and slow-scan while they have one), top URLs and IPs of the window, requests and 5xx per minute, the watermark, late
events and (with --topic) the consumer lag. It is drawn on stdout when that is a terminal, on
stderr when only stderr is one (the alerts still go to stdout), and not at all otherwise: then
the output is the plain alert lines. Paths and addresses show control characters as \\xHH.
`;

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description(
      'Detect error spikes, IP and network floods, fast and slow scanners and traffic anomalies in event-time windows; alerts as NDJSON.',
    )
    .argument('[file]', 'log file to read, or - for stdin (the default without --topic)')
    .option('--topic [name]', `read this topic instead of a file (${RAW_TOPIC} without a name)`)
    .option('--group <id>', 'consumer group with --topic', DETECT_GROUP)
    .option('--from-beginning', 'with --topic: a group without commits starts at the oldest record')
    .option(
      '--to-end',
      'with --topic: stop at the end offsets the topic has at the start (a replay; from the oldest record for a new group)',
    )
    .addOption(
      new Option(
        '--engine <engine>',
        'embedded or cluster (default: a file needs no broker; --topic uses Kafka when one answers)',
      ).choices(['embedded', 'cluster']),
    )
    .option('--window <duration>', 'window length', '5m')
    .option('--hop <duration>', 'how often a window closes (the window slides by this)', '1m')
    .option('--lateness <duration>', 'allowed lateness: how far behind the newest event', '30s')
    .option('--alerts-topic <name>', 'on the cluster, the topic alerts are sent to', ALERTS_TOPIC)
    .option('--dashboard', 'draw the live dashboard on a terminal')
    .addOption(brokerWaitOption('with --topic'))
    .addOption(
      new Option('--format <format>', 'log format of the lines; auto decides per line')
        .choices(FORMATS)
        .default('auto'),
    )
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, flags: DetectFlags) => {
      await runDetect(file, flags);
    });
}

async function runDetect(file: string | undefined, flags: DetectFlags): Promise<void> {
  const settings = await windowFlags(flags);
  const topic = flags.topic === true ? RAW_TOPIC : flags.topic;
  if (topic !== undefined && file !== undefined) {
    throw badFlag('give either a FILE or --topic, not both');
  }
  if (topic !== undefined && topic.trim() === '') throw badFlag('--topic must not be empty');
  if (flags.group.trim() === '') throw badFlag('--group must not be empty');
  if (flags.alertsTopic.trim() === '') throw badFlag('--alerts-topic must not be empty');
  if (topic === undefined && (flags.fromBeginning || flags.toEnd)) {
    throw badFlag(`${flags.toEnd ? '--to-end' : '--from-beginning'} needs --topic`);
  }
  if (topic === undefined && flags.brokerWait !== undefined) {
    throw badFlag('--broker-wait needs --topic');
  }
  const brokerWait = await brokerWaitMs(flags.brokerWait);
  const [io, detectStream, { formatDetectCounts }, session] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../pipeline/index'),
    import('../../realtime/detect-counts'),
    openDetectSession(settings, flags.format, flags.dashboard === true),
  ]);
  const { detector, writeAlerts } = session;
  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  let broker: Broker | null = null;
  let input: ReturnType<Io['openInput']> | null = null;
  let ended = false;
  /** Said after the counts when other members of the group read some of the partitions. */
  let shared = '';
  try {
    if (topic === undefined) {
      input = io.openInput(file ?? '-');
      input.stream.on('error', () => {
        // Reported by the read loop below; this only keeps an unhandled 'error' from crashing.
      });
      if (flags.engine === 'cluster') {
        broker = (await openBroker('cluster', 'cluster-if-up')).broker;
        await createTopics(broker, flags.alertsTopic);
      }
      await session.startDashboard('loglab detect', input.name, () => null);
      const alertsTo = broker;
      await detectLines(input, detector, stop, io, async () => {
        await writeAlerts();
        if (alertsTo !== null)
          await produceAlerts(alertsTo, flags.alertsTopic, detector, detectStream);
      });
      detector.finish();
      await writeAlerts();
      if (alertsTo !== null)
        await produceAlerts(alertsTo, flags.alertsTopic, detector, detectStream);
    } else {
      const opened = await openBroker(flags.engine, 'cluster-if-up');
      broker = opened.broker;
      const cluster = opened.engine === 'cluster';
      await createTopics(broker, flags.alertsTopic);
      // A missing topic is one clear line before anything is drawn.
      await broker.describeTopic(topic);
      await session.startDashboard(
        'loglab detect',
        `${topic} on ${cluster ? `Kafka ${broker.address}` : 'the embedded broker'}, group ${flags.group}`,
        () => detector.lag(),
      );
      const run = await detectStream.runDetection(broker, detector, {
        topic,
        groupId: flags.group,
        fromBeginning: flags.fromBeginning === true,
        toEnd: flags.toEnd === true,
        // The embedded broker of a new process is empty: nothing will ever arrive.
        stopWhenIdle: !cluster,
        signal: stop,
        alertsTopic: cluster ? flags.alertsTopic : null,
        deadLetterTopic: cluster ? DEADLETTER_TOPIC : null,
        onPoll: writeAlerts,
        brokerWaitMs: brokerWait,
        log: (line) => cliIo().stderr.write(`loglab detect: ${line}\n`),
      });
      await writeAlerts();
      shared = sharedGroupNote(run.partitionsOwned, run.topicPartitions);
    }
    ended = true;
  } finally {
    session.stopDashboard(ended);
    interrupts.dispose();
    input?.stream.destroy();
    if (broker !== null) await broker.close();
  }
  const from = topic === undefined ? '' : ` from ${topic} (group ${flags.group})`;
  cliIo().stderr.write(`${formatDetectCounts(detector.counts())}${from}${shared}\n`);
}

/** The standard topics where missing, and the alerts topic (one partition: alerts in order). */
async function createTopics(broker: Broker, alertsTopic: string): Promise<void> {
  const { standardTopics } = await import('../../stream/topics');
  const topics = standardTopics();
  if (!topics.some((t) => t.name === alertsTopic))
    topics.push({ name: alertsTopic, partitions: 1 });
  await broker.createTopics(topics);
}

async function produceAlerts(
  broker: Broker,
  topic: string,
  detector: StreamDetector,
  m: typeof import('../../pipeline/index'),
): Promise<void> {
  const alerts = detector.takeAlerts();
  if (alerts.length > 0) await broker.produce(topic, alerts.map(m.alertMessage));
}

/** Lines of a file or stdin through the detector, chunk by chunk, until the end or Ctrl-C. */
async function detectLines(
  input: ReturnType<Io['openInput']>,
  detector: StreamDetector,
  stop: AbortSignal,
  io: Io,
  afterChunk: () => Promise<void>,
): Promise<void> {
  for await (const batch of io.readLinesUntil(input, stop)) {
    detector.addLines(batch);
    await afterChunk();
    if (stop.aborted) break;
  }
}
