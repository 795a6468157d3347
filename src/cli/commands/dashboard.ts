/**
 * `loglab dashboard`: the live detection view of a running pipeline, on a terminal or (--web) as a
 * page in a browser.
 *
 * On the cluster it follows weblogs.raw as a consumer in a group of its own (loglab-dashboard),
 * beside the "realtime" detector and the archiver, through the same detection consumer loop
 * (pipeline/run-detection.ts; the pipeline's shape: pipeline/index.ts). It only watches: its
 * alerts are shown, and written to stdout as NDJSON when stdout is free, never produced to
 * weblogs.alerts, which the "realtime" group owns. A new group starts at the end of the topic
 * (what happens from now on) unless --from-beginning. With a FILE (or - for stdin) it shows the
 * detection of those lines, which is how the page is tried without a cluster:
 * `loglab generate --rate 500 --incidents all | loglab dashboard - --web`.
 */
import { type Command, Option } from 'commander';
import { badFlag } from '../../errors';
import type { Broker } from '../../stream/broker';
import { RAW_TOPIC } from '../../stream/topics';
import { cliIo } from '../context';
import { chooseOutput, openDetectSession, windowFlags } from '../detect-session';
import { engineOption, handleInterrupts, openBroker } from '../streaming';
import {
  addWebOptions,
  keepServing,
  type ServedDashboard,
  serveWebDashboard,
  WEB_HELP,
  type WebFlags,
  webSettings,
} from '../web-dashboard';

type Io = typeof import('../io');

/** The consumer group of `loglab dashboard`: its own, so it takes nothing from "realtime". */
export const DASHBOARD_GROUP = 'loglab-dashboard';

const FORMATS = ['auto', 'combined', 'combined-time', 'common', 'json'];

interface DashboardFlags extends WebFlags {
  topic: string;
  group: string;
  fromBeginning?: boolean;
  engine?: string;
  window: string;
  hop: string;
  lateness: string;
  format: string;
}

const EXAMPLES = `
Examples:
  loglab dashboard --web --engine cluster          follow weblogs.raw on Kafka in a browser
  loglab dashboard --engine cluster                the same on this terminal
  loglab generate --rate 500 --speedup 10 --incidents all | loglab dashboard - --web
                                                   the page without a cluster

Without FILE it reads --topic (weblogs.raw) as consumer group loglab-dashboard (--group), which
starts at the end of the topic unless --from-beginning, commits what it has shown, and sends
nothing to weblogs.alerts: the detectors of group "realtime" (loglab detect --topic) do that.
Without --engine it uses Kafka when a broker answers at LOGLAB_KAFKA_BROKERS (127.0.0.1:9092).
The embedded broker lives inside one process, so there the dashboard reads a FILE or stdin;
\`loglab stream --detect --web\` shows the embedded pipeline's own run.
Alerts also go to stdout as NDJSON unless the terminal view takes stdout. Without --web the
view is drawn on a terminal (stdout, else stderr); with neither, it says so and exits 2.
Ctrl-C stops reading (and the page); a second Ctrl-C exits at once with 130.

${WEB_HELP}
`;

export function registerDashboard(program: Command): void {
  const command = program
    .command('dashboard')
    .description(
      'The live detection dashboard of weblogs.raw (or of a FILE), on a terminal or as a web page.',
    )
    .argument('[file]', 'log file to read, or - for stdin, instead of the topic')
    .option('--topic <name>', 'topic to follow', RAW_TOPIC)
    .option('--group <id>', 'consumer group', DASHBOARD_GROUP)
    .option('--from-beginning', 'a group without commits starts at the oldest record')
    .addOption(engineOption('cluster-if-up'))
    .option('--window <duration>', 'window length', '5m')
    .option('--hop <duration>', 'how often a window closes', '1m')
    .option('--lateness <duration>', 'allowed lateness', '30s')
    .addOption(
      new Option('--format <format>', 'log format of the lines; auto decides per line')
        .choices(FORMATS)
        .default('auto'),
    );
  addWebOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, flags: DashboardFlags) => {
      await runDashboard(file, flags);
    });
}

async function runDashboard(file: string | undefined, flags: DashboardFlags): Promise<void> {
  const settings = await windowFlags(flags);
  const web = webSettings(flags);
  if (flags.topic.trim() === '') throw badFlag('--topic must not be empty');
  if (flags.group.trim() === '') throw badFlag('--group must not be empty');
  if (file !== undefined && flags.fromBeginning) {
    throw badFlag('--from-beginning is for the topic, not a FILE');
  }
  if (web === null && chooseOutput(true).dashboard === null) {
    throw badFlag('no terminal to draw the dashboard on: add --web to serve it as a page');
  }
  const [io, pipeline, { formatDetectCounts }, session] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../pipeline/index'),
    import('../../realtime/detect-counts'),
    openDetectSession(settings, flags.format, web === null),
  ]);
  const { detector, writeAlerts } = session;
  let broker: Broker | null = null;
  let cluster = false;
  if (file === undefined) {
    const opened = await openBroker(flags.engine, 'cluster-if-up');
    if (opened.engine !== 'cluster') {
      await opened.broker.close();
      throw badFlag(
        'the embedded broker lives inside one process: give a FILE or - (stdin), or use loglab stream --detect --web',
      );
    }
    broker = opened.broker;
    cluster = true;
  }
  const source =
    file === undefined
      ? `${flags.topic} on Kafka ${broker?.address}, group ${flags.group}`
      : file === '-'
        ? 'stdin'
        : file;
  let served: ServedDashboard | null = null;
  try {
    if (broker !== null) {
      // A missing topic is one clear line before anything is served.
      await broker.describeTopic(flags.topic);
    }
    if (web !== null) {
      served = await serveWebDashboard(session, web, {
        command: 'loglab dashboard',
        source,
        lag: () => (cluster ? detector.lag() : null),
      });
    }
  } catch (err) {
    await broker?.close();
    throw err;
  }
  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  let input: ReturnType<Io['openInput']> | null = null;
  let ended = false;
  try {
    await session.startDashboard('loglab dashboard', source, () =>
      cluster ? detector.lag() : null,
    );
    if (broker === null) {
      input = io.openInput(file ?? '-');
      input.stream.on('error', () => {
        // Reported by the read loop; this only keeps an unhandled 'error' from crashing.
      });
      for await (const batch of io.readLinesUntil(input, stop)) {
        detector.addLines(batch);
        await writeAlerts();
        if (stop.aborted) break;
      }
      detector.finish();
      await writeAlerts();
    } else {
      await pipeline.runDetection(broker, detector, {
        topic: flags.topic,
        groupId: flags.group,
        fromBeginning: flags.fromBeginning === true,
        signal: stop,
        alertsTopic: null,
        deadLetterTopic: null,
        clientId: 'loglab-dashboard',
        onPoll: writeAlerts,
        log: (line) => cliIo().stderr.write(`loglab dashboard: ${line}\n`),
      });
      await writeAlerts();
    }
    ended = true;
  } catch (err) {
    await served?.close();
    interrupts.dispose();
    throw err;
  } finally {
    session.stopDashboard(ended);
    input?.stream.destroy();
    if (broker !== null) await broker.close();
  }
  const from = file === undefined ? ` from ${flags.topic} (group ${flags.group})` : '';
  cliIo().stderr.write(`${formatDetectCounts(detector.counts())}${from}\n`);
  if (served !== null) {
    // The same Ctrl-C handler, still on: no moment where a Ctrl-C kills the process instead.
    await keepServing(served, stop);
    await served.close();
  }
  interrupts.dispose();
}
