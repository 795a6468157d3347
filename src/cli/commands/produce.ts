/**
 * `loglab produce`: access-log lines from a file or stdin onto a topic, keyed by client IP, with
 * the line producer (stream/line-producer.ts, where the messages and the batching are described);
 * lines that do not parse go to the dead-letter topic.
 */
import { type Command, Option } from 'commander';
import { badFlag, LoglabError } from '../../errors';
import { LOG_FORMATS } from '../../log/record';
import type { Broker } from '../../stream/broker';
import {
  createLineProducer,
  DEFAULT_BATCH,
  TIMESTAMP_SOURCES,
  type TimestampSource,
} from '../../stream/line-producer';
// Light: names only, no adapter.
import { DEADLETTER_TOPIC, RAW_TOPIC, standardTopics } from '../../stream/topics';
import { cliIo } from '../context';
import { parseCount, parseRate } from '../flags';
import {
  brokerOutageOptions,
  brokerWaitMs,
  brokerWaitOption,
  createStatusLine,
  ENGINE_HELP,
  engineOption,
  handleInterrupts,
  openBroker,
  TIMESTAMP_HELP,
  thousands,
} from '../streaming';

// The broker, the parsers and the output helpers are imported by the actions, not here: every
// other command (and --help) would pay for kafkajs at start-up.
type Io = typeof import('../io');

/**
 * What the embedded broker keeps per partition when `produce` runs on it. Nothing can read that
 * broker once this process ends, so it keeps only a little, as a topic with a small
 * `retention.bytes` would: with the default 64 MiB a 10M-line file held ~380 MB of messages and
 * the process peaked at 1.6 GB.
 */
export const ONE_SHOT_RETENTION_BYTES = 1024 * 1024;

/** PARSE_FORMATS of log/parser, without loading the parsers. */
const PARSE_FORMATS: string[] = ['auto', ...LOG_FORMATS];

// ---------------------------------------------------------------------------------------------
// The command

interface ProduceFlags {
  topic: string;
  rate?: string;
  engine?: string;
  format: string;
  batch: string;
  timestamp: TimestampSource;
  brokerWait: string;
}

const EXAMPLES = `
Examples:
  loglab generate --lines 100000 | loglab produce -
  loglab produce access.log --topic weblogs.raw
  loglab generate --rate 50 --incidents all | loglab produce - --rate 50

Every line is parsed to find its key (the client IP) and its time, which becomes the message
timestamp (see --timestamp below); the value is the line as read. A line that does not parse goes to weblogs.deadletter
as {"reason","message","line"}. The standard topics (weblogs.raw with 6 partitions,
weblogs.alerts, weblogs.deadletter) and --topic are created when missing.
A line over 1,000,000 bytes goes there too, as reason too-large with its first 4,096
characters. The last line on stderr counts only what the broker acknowledged:
  produced N to weblogs.raw, M to weblogs.deadletter
Ctrl-C stops taking lines (at once, even in the middle of a paced run), sends those taken,
prints that line with "; stopped after line K of the input" (resume from line K + 1) and exits
0; a second Ctrl-C exits at once with 130. On the embedded engine the topic keeps the last
1 MiB of each partition (nothing reads it after this process), and the line says so when it
dropped older messages.
A broker that stops answering (Kafka restarting) is waited for, up to --broker-wait (5
minutes; Ctrl-C stops waiting), with one line on stderr when it goes and one when it answers
again; then the batch it refused is sent again and the run goes on, each line stored once
(with LOGLAB_KAFKA_CLIENT=rdkafka librdkafka keeps the batch for that long itself, and its
second line ends "delivered"; only a second Ctrl-C, which exits at once with 130, ends its wait):
Kafka's idempotent producer, which produce uses, matches its producer id and per-partition
sequence numbers, so the broker drops a copy of what it had written before its answer was lost
(while it remembers the producer: see --timestamp below).
(With a cluster of several brokers whose partition leaders move during the outage, part of a
batch may be written twice: at least once, never lost.)
Past the wait, the command exits 2 with one line that also says what had been acknowledged.
The batch that was in flight then (up to --batch lines after those) may be stored although
its answer never came, so producing again from the first line not acknowledged is at least
once: those lines can be on the topic twice (a new process has a new producer id, which the
broker does not match). To resume without duplicates, first compare what the topic holds with
the lines after those acknowledged (loglab consume --from-beginning --group NEW reads all of it).

${TIMESTAMP_HELP}
${ENGINE_HELP}
`;

export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description(
      'Send access-log lines to a Kafka topic, keyed by client IP; bad lines to the dead-letter topic.',
    )
    .argument('[file]', 'log file to read, or - for stdin', '-')
    .option('--topic <name>', 'topic for the parsed lines', RAW_TOPIC)
    .option('--rate <r>', 'at most this many lines per second')
    .addOption(engineOption('cluster-if-up'))
    .addOption(
      new Option('--format <format>', 'log format of the lines; auto decides per line')
        .choices(PARSE_FORMATS)
        .default('auto'),
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
    .addOption(brokerWaitOption())
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: ProduceFlags) => {
      await runProduce(file, flags);
    });
}

async function runProduce(file: string, flags: ProduceFlags): Promise<void> {
  const rate = flags.rate === undefined ? undefined : parseRate(flags.rate);
  const batchSize = parseCount(flags.batch, '--batch', 1);
  if (flags.topic.trim() === '') throw badFlag('--topic must not be empty');
  const waitMs = await brokerWaitMs(flags.brokerWait);
  const [io, { getParser }] = await Promise.all([
    import('../io') as Promise<Io>,
    import('../../log/index'),
  ]);
  const input = io.openInput(file);
  input.stream.on('error', () => {
    // Reported by the read loop below; this only keeps an unhandled 'error' from crashing.
  });
  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  const { engine, broker } = await openBroker(flags.engine, 'cluster-if-up', {
    memory: { retentionBytes: ONE_SHOT_RETENTION_BYTES },
    ...brokerOutageOptions('produce', stop, waitMs),
  }).catch((err: unknown) => {
    interrupts.dispose();
    throw err;
  });
  const status = createStatusLine();
  const producer = createLineProducer(broker, {
    topic: flags.topic,
    parse: getParser(flags.format as 'auto'),
    batchSize,
    timestamps: flags.timestamp,
    rate,
    signal: stop,
  });
  const counts = producer.counts;
  const summary = () =>
    `produced ${counts.produced} to ${flags.topic}, ${counts.deadLettered} to ${DEADLETTER_TOPIC}`;
  let kept: number | null = null;
  const started = Date.now();
  const timer = status.enabled
    ? setInterval(() => {
        const s = (Date.now() - started) / 1000;
        status.show(`${summary()}  (${thousands(counts.produced / Math.max(s, 0.001))} lines/s)`);
      }, 250)
    : null;
  try {
    const standard = standardTopics();
    const extra = standard.some((t) => t.name === flags.topic) ? [] : [{ name: flags.topic }];
    await broker.createTopics([...standard, ...extra]);
    for await (const batch of io.readLinesUntil(input, stop)) {
      await producer.add(batch);
      if (stop.aborted) break;
    }
    await producer.flush();
    if (engine === 'embedded') kept = await heldMessages(broker, flags.topic);
  } catch (err) {
    if (!(err instanceof LoglabError) || counts.produced + counts.deadLettered === 0) throw err;
    throw new LoglabError(err.code, `${err.message}; acknowledged before that: ${summary()}`, {
      retriable: err.retriable,
      cause: err,
      context: err.context,
    });
  } finally {
    if (timer !== null) clearInterval(timer);
    status.clear();
    interrupts.dispose();
    input.stream.destroy();
    await broker.close();
  }
  const where = stop.aborted ? `; stopped after line ${counts.read} of the input` : '';
  const retained =
    kept !== null && kept < counts.produced
      ? `; the embedded broker kept the last ${kept} (${ONE_SHOT_RETENTION_BYTES / 1024 / 1024} MiB a partition) and ends with this process`
      : '';
  cliIo().stderr.write(`${summary()}${retained}${where}\n`);
}

/** Messages a topic still holds (its retention may have dropped older ones). */
async function heldMessages(broker: Broker, topic: string): Promise<number> {
  const { partitions } = await broker.describeTopic(topic);
  let held = 0;
  for (const p of partitions) held += p.end - p.start;
  return held;
}
