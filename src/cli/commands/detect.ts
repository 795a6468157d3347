/**
 * `loglab detect`: incidents found in event-time windows, as NDJSON alerts on stdout.
 *
 *   FILE | stdin ──lines──────────────▶ parse ─▶ engine ─▶ alerts ─▶ stdout (NDJSON)
 *   --topic weblogs.raw ──records──▶ partition merge ─┘        └──▶ weblogs.alerts (cluster)
 *   (group "realtime", commit after processing)  rejected ─▶ weblogs.deadletter (cluster)
 *
 * From a file the alerts are exactly those of the engine run over the file's records in order,
 * so `loglab detect day.log | loglab evaluate --alerts - --truth truth.json` measures the
 * engine. From a topic the records of all partitions are merged back into event-time order
 * (realtime/partition-merge.ts) before the engine sees them. --dashboard draws the live view on
 * a terminal; without one the output stays plain alert lines.
 */
import { type Command, Option } from 'commander';
import { badFlag } from '../../errors';
import { type Alert, formatAlert } from '../../realtime/alert';
import type { StreamDetector } from '../../realtime/detect-stream';
import type { Broker } from '../../stream/broker';
import { ALERTS_TOPIC, DEADLETTER_TOPIC, RAW_TOPIC } from '../../stream/topics';
import { handleInterrupts, openBroker } from '../streaming';

type Io = typeof import('../io');

/** The consumer group of `loglab detect --topic` (the "realtime" group of the design). */
export const DETECT_GROUP = 'realtime';

const FORMATS = ['auto', 'combined', 'common', 'json'];

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
}

const EXAMPLES = `
Examples:
  loglab generate --incidents all --truth truth.json > day.log
  loglab detect day.log > alerts.ndjson
  loglab evaluate --alerts alerts.ndjson --truth truth.json
  loglab generate --rate 200 --speedup 10 --incidents all | loglab detect - --dashboard
  loglab detect --topic --to-end                 replay weblogs.raw (Kafka) up to its end
  loglab detect --topic --dashboard              follow weblogs.raw live, until Ctrl-C

Each alert line is {"kind","key","windowStart","windowEnd","observed","threshold","severity",
"firstSeen","lastSeen","state"} with times in epoch ms of event time; state is "open" (also
when a warning becomes critical) or "resolved". Windows close when the watermark (the newest
event time minus --lateness) passes their end; records behind it are counted as late.
At the end of the input every window closes and every open alert resolves. The last line on
stderr counts what was read: read N, parsed N, rejected N, late N, alerts N (opened: …).

From a FILE (or - for stdin) no broker is used unless --engine cluster is given, which also
sends the alerts to weblogs.alerts. With --topic the records are read as consumer group
"realtime" (--group), committed only once they reached the detector and its alerts are
written; on the cluster alerts go to weblogs.alerts and unparseable lines to weblogs.deadletter.
Without --engine, --topic uses Kafka when a broker answers at LOGLAB_KAFKA_BROKERS
(127.0.0.1:9092), and otherwise says how to start one. Ctrl-C stops reading, closes the windows,
commits and prints the counts (exit 0); a second Ctrl-C exits at once with 130.

--dashboard redraws a live view about four times a second: the current time, the window, logs
processed and their rate, the open alerts of each detector (error-spike, ip-flood, scanner,
anomaly), top URLs and IPs of the window, requests and 5xx per minute, the watermark, late
events and (with --topic) the consumer lag. It is drawn on stdout when that is a terminal, on
stderr when only stderr is one (the alerts still go to stdout), and not at all otherwise: then
the output is the plain alert lines. Paths and addresses show control characters as \\xHH.
`;

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description(
      'Detect error spikes, IP floods, scanners and traffic anomalies in event-time windows; alerts as NDJSON.',
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

/** A duration flag in ms; `zero` allows "0" (a lateness of nothing). */
export async function durationFlag(text: string, flag: string, zero: boolean): Promise<number> {
  const { parseDuration } = await import('../../generate/duration');
  if (zero && /^\s*0+(\.0*)?\s*(ms|s|m|h|d)?\s*$/i.test(text)) return 0;
  const ms = parseDuration(text);
  if (ms === null) {
    throw badFlag(`${flag} must be a duration such as 30s, 5m or 1h, got "${text}"`);
  }
  return ms;
}

/** The engine's window settings from the flags, checked (one line for a bad value). */
export async function windowFlags(flags: {
  window: string;
  hop: string;
  lateness: string;
}): Promise<{ windowMs: number; hopMs: number; latenessMs: number }> {
  const windowMs = await durationFlag(flags.window, '--window', false);
  const hopMs = await durationFlag(flags.hop, '--hop', false);
  const latenessMs = await durationFlag(flags.lateness, '--lateness', true);
  if (hopMs > windowMs) {
    throw badFlag(`--hop (${flags.hop}) must not be longer than --window (${flags.window})`);
  }
  const { detectionSettings } = await import('../../realtime/settings');
  detectionSettings({ windowMs, hopMs, latenessMs });
  return { windowMs, hopMs, latenessMs };
}

/** Where alerts and the dashboard go, given which outputs are terminals. */
export interface DetectOutput {
  /** NDJSON alert lines on stdout (false only when the dashboard takes stdout). */
  readonly alertLines: boolean;
  /** The terminal the dashboard is drawn on, or null. */
  readonly dashboard: NodeJS.WriteStream | null;
}

export function chooseOutput(wanted: boolean): DetectOutput {
  if (wanted && process.stdout.isTTY) return { alertLines: false, dashboard: process.stdout };
  if (wanted && process.stderr.isTTY) return { alertLines: true, dashboard: process.stderr };
  return { alertLines: true, dashboard: null };
}

/**
 * The detector of a command with its outputs: NDJSON alert lines on stdout (unless the
 * dashboard takes stdout) and, when asked and a terminal is there, the live dashboard. Shared
 * by `loglab detect` and `loglab stream --detect`.
 */
export interface DetectSession {
  readonly detector: StreamDetector;
  /** A dashboard was asked for and a terminal is there to draw it on. */
  readonly drawsDashboard: boolean;
  /** Writes the alert lines gathered since the last call to stdout, with backpressure. */
  writeAlerts(): Promise<void>;
  /**
   * Starts the dashboard when one was asked for and a terminal is there; a no-op otherwise.
   * `command` opens its title ("loglab detect"), `source` says what is read.
   */
  startDashboard(command: string, source: string, lag: () => number | null): Promise<void>;
  /** Stops the dashboard (the last frame stays), marked final when the input ended. */
  stopDashboard(ended: boolean): void;
}

export async function openDetectSession(
  settings: { windowMs: number; hopMs: number; latenessMs: number },
  format: string,
  dashboardWanted: boolean,
): Promise<DetectSession> {
  const [io, { getParser }, detectStream, dashboard] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../log/parser'),
    import('../../realtime/detect-stream'),
    import('../../realtime/dashboard/index'),
  ]);
  const output = chooseOutput(dashboardWanted);
  const recent = new dashboard.RecentAlerts(8);
  let text = '';
  const detector = detectStream.createStreamDetector({
    ...settings,
    parse: getParser(format as 'auto'),
    onAlert(alert: Alert) {
      if (output.alertLines) text += formatAlert(alert);
      recent.push(alert);
    },
  });
  let live: import('../../realtime/dashboard/driver').LiveDashboard | null = null;
  let ended = false;
  return {
    detector,
    drawsDashboard: output.dashboard !== null,
    async writeAlerts() {
      if (text === '') return;
      const chunk = text;
      text = '';
      const wait = io.writeChunk(process.stdout, chunk);
      if (wait !== undefined) await wait;
    },
    async startDashboard(command, source, lag) {
      if (output.dashboard === null || live !== null) return;
      const meter = dashboard.createRateMeter();
      const color = (await import('picocolors')).default.isColorSupported;
      live = await dashboard.startLiveDashboard({
        stream: output.dashboard,
        frame: (width, rows) => {
          const counts = detector.counts();
          return dashboard.renderDashboard(
            detector.engine.snapshot(5),
            {
              command,
              now: Date.now(),
              source,
              counts,
              rate: meter.sample(counts.read),
              lag: lag(),
              ...settings,
              recent: recent.list,
              done: ended,
              color,
              rows,
            },
            width,
          );
        },
      });
    },
    stopDashboard(inputEnded) {
      ended = inputEnded;
      live?.stop();
      live = null;
    },
  };
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
  const [io, detectStream, session] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../realtime/detect-stream'),
    openDetectSession(settings, flags.format, flags.dashboard === true),
  ]);
  const { detector, writeAlerts } = session;
  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  let broker: Broker | null = null;
  let input: ReturnType<Io['openInput']> | null = null;
  let ended = false;
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
      await detectStream.runDetection(broker, detector, {
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
      });
      await writeAlerts();
    }
    ended = true;
  } finally {
    session.stopDashboard(ended);
    interrupts.dispose();
    input?.stream.destroy();
    if (broker !== null) await broker.close();
  }
  const from = topic === undefined ? '' : ` from ${topic} (group ${flags.group})`;
  process.stderr.write(`${detectStream.formatDetectCounts(detector.counts())}${from}\n`);
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
  m: typeof import('../../realtime/detect-stream'),
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
