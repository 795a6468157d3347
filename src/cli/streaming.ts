/**
 * What the streaming commands (produce, consume, topics, stream, detect) share: the --engine flag
 * and opening the broker it names, counts and rates from flags, Ctrl-C handling, and the status
 * line on a terminal.
 */
import { Option } from 'commander';
import { badFlag, LoglabError } from '../errors';
import { type Broker, ENGINES, type Engine } from '../stream/broker';
import { withCommandHint } from './broker-hint';
import { cliIo, type OutStream } from './context';

/** How a command without --engine picks one. */
export type EngineDefault =
  /** flag → LOGLAB_ENGINE → cluster if a broker answers → otherwise one line saying how to start one. */
  | 'cluster-if-up'
  /** flag → LOGLAB_ENGINE → embedded. */
  | 'embedded';

export function engineOption(defaults: EngineDefault): Option {
  const how =
    defaults === 'embedded'
      ? 'default: LOGLAB_ENGINE, else embedded'
      : 'default: LOGLAB_ENGINE, else cluster when a Kafka broker answers at LOGLAB_KAFKA_BROKERS (127.0.0.1:9092)';
  return new Option('--engine <engine>', `embedded or cluster (${how})`).choices([...ENGINES]);
}

/** Help text of produce, consume and topics about the two engines. */
export const ENGINE_HELP = `
Engines: "cluster" is a real Apache Kafka broker (start one with \`npm run cluster -- up\`;
LOGLAB_KAFKA_BROKERS=host:port[,…] points elsewhere). "embedded" is the in-process broker: it
lives in this one process and is gone when it exits, so with it this command is a toy that
shows the output format; \`loglab stream\` runs generate → produce → consume in one process
on either engine.`;

/** Where the streaming commands' help explains --timestamp. */
export const TIMESTAMP_HELP = `--timestamp event stamps each message with its line's time, so consumers window by event
time; --timestamp now stamps it with the time of sending. With Kafka's defaults a broker deletes
messages whose timestamp is over 7 days old and refuses ones more than 1 h ahead of its clock;
the cluster that \`npm run cluster\` starts keeps messages by size and takes any timestamp, so
old logs keep their times there. On a broker with the defaults, produce an old or future log
with --timestamp now to keep all of it. A broker also forgets a producer whose last message on a
partition is stamped a day or more ago (producer.id.expiration.ms), at a regular check and each
time it restarts: a batch it wrote but never acknowledged before a restart is then stored twice
when it is sent again. With --timestamp now it is stored once.`;

export interface OpenedBroker {
  readonly engine: Engine;
  readonly broker: Broker;
}

/** The broker for a command's --engine flag, or one LoglabError saying how to get one. */
export async function openBroker(
  flag: string | undefined,
  defaults: EngineDefault,
  options: import('../config').CreateBrokerOptions = {},
): Promise<OpenedBroker> {
  const [{ chooseEngine, createBroker, loadConfig }, { kafkaAnswers }, { START_BROKER_HINT }] =
    await Promise.all([
      import('../config'),
      import('../stream/kafka-broker'),
      import('../stream/kafka-errors'),
    ]);
  const config = loadConfig(cliIo().env);
  const engine =
    defaults === 'embedded'
      ? await chooseEngine(flag, config, 'embedded', async () => false)
      : await chooseEngine(flag, config, 'cluster', async (brokers) => {
          if (await kafkaAnswers(brokers)) return true;
          throw new LoglabError(
            'SERVICE_DOWN',
            `no Kafka broker answers at ${brokers.join(',')}; ${START_BROKER_HINT}`,
            { retriable: true },
          );
        });
  return { engine, broker: createBroker(engine, config, options) };
}

/** How long a broker that went away is waited for, when --broker-wait does not say. */
export const DEFAULT_BROKER_WAIT = '5m';

/**
 * `--broker-wait`, the same on every command that talks to Kafka for long. `when` names the
 * case it is for on a command that also runs without Kafka ("with --topic"); it then has no
 * default of its own, so that giving it in the other case can be refused.
 */
export function brokerWaitOption(when?: string): Option {
  const what =
    'how long to wait for a Kafka broker that went away before exiting 2 (0: the client retries only';
  if (when === undefined)
    return new Option('--broker-wait <duration>', `${what})`).default(DEFAULT_BROKER_WAIT);
  return new Option(
    '--broker-wait <duration>',
    `${what}; ${when}; default ${DEFAULT_BROKER_WAIT})`,
  );
}

/** The longest --broker-wait: a day (librdkafka's delivery timeout must fit in 32 bits). */
const MAX_BROKER_WAIT_MS = 86_400_000;

/** --broker-wait in milliseconds, checked (one line for a bad value); absent, the default. */
export async function brokerWaitMs(text: string | undefined): Promise<number> {
  const { durationFlag } = await import('./detect-session');
  const ms = await durationFlag(text ?? DEFAULT_BROKER_WAIT, '--broker-wait', true);
  if (ms > MAX_BROKER_WAIT_MS) throw badFlag(`--broker-wait must be at most 1d, got "${text}"`);
  return ms;
}

/**
 * Broker options for a command that rides out a broker outage for up to `waitMs`: on kafkajs
 * its consumers (kafka-consumer.ts) and its producer (kafka-broker.ts) wait, with two lines (the
 * broker went away, it answers again) on stderr as `loglab <command>:`, and `signal` (Ctrl-C)
 * ends the wait; on librdkafka, which reconnects by itself, the producer keeps a message that
 * long (its delivery timeout), with the same two lines, and the signal does not end that wait
 * (a second Ctrl-C, which exits at once, does). `waitMs` 0: neither waits past the client's own retries.
 */
export function brokerOutageOptions(
  command: string,
  signal: AbortSignal,
  waitMs: number,
): import('../config').CreateBrokerOptions {
  if (waitMs === 0) return {};
  const wait = {
    log: (line: string) =>
      cliIo().stderr.write(`loglab ${command}: ${withCommandHint(command, line)}\n`),
    signal,
    totalWaitMs: waitMs,
  };
  return {
    kafka: { consumerOutage: wait, producerOutage: wait },
    // librdkafka refuses a message timeout below its linger time (5 ms): a second at least.
    rdkafka: { deliveryTimeoutMs: Math.max(waitMs, 1000) },
  };
}

/**
 * Signals this close together are one Ctrl-C. Under `npx loglab` (and `npm run`, and tsx) the
 * terminal sends SIGINT to the whole process group and npm passes it on to its child as well,
 * so the program gets one Ctrl-C twice, a few milliseconds apart; a person pressing Ctrl-C
 * again takes longer than this.
 */
export const SAME_SIGNAL_MS = 250;

/**
 * Ctrl-C (SIGINT) and SIGTERM as AbortSignals: the first signal aborts `stages[0]`, the next
 * `stages[1]`, and so on; one more after the last ends the process at once with 130. A signal
 * within SAME_SIGNAL_MS of the last one counted is the same Ctrl-C and is ignored, also just
 * after `dispose`, so the copy npm forwards cannot end the process with 130 as it finishes.
 */
export interface Interrupts {
  readonly stages: readonly AbortSignal[];
  dispose(): void;
}

export function handleInterrupts(
  stages = 1,
  now: () => number = performance.now.bind(performance),
): Interrupts {
  const controllers = Array.from({ length: stages }, () => new AbortController());
  let count = 0;
  let last = Number.NEGATIVE_INFINITY;
  const onSignal = () => {
    const at = now();
    if (at - last < SAME_SIGNAL_MS) return;
    last = at;
    if (count < controllers.length) controllers[count++].abort();
    else process.exit(130);
  };
  const listen = (on: boolean) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      if (on) process.on(signal, onSignal);
      else process.off(signal, onSignal);
    }
  };
  listen(true);
  return {
    stages: controllers.map((c) => c.signal),
    dispose() {
      const left = last + SAME_SIGNAL_MS - now();
      if (left <= 0) {
        listen(false);
        return;
      }
      // A copy of the last Ctrl-C may still be on its way: swallow it, then let go.
      controllers.length = 0;
      count = 0;
      setTimeout(() => listen(false), left).unref();
    },
  };
}

/** One line on stderr that redraws itself, only when stderr is a terminal; otherwise no-ops. */
export interface StatusLine {
  readonly enabled: boolean;
  show(text: string): void;
  /** Clears the line, so that what is printed next starts on a clean line. */
  clear(): void;
}

/** On `out` (stderr) when it is a terminal; `null` for none. */
export function createStatusLine(out: OutStream | null = cliIo().stderr): StatusLine {
  if (out === null || !out.isTTY) return { enabled: false, show() {}, clear() {} };
  let shown = false;
  return {
    enabled: true,
    show(text) {
      const width = out.columns ?? 120;
      out.write(`\r\x1b[2K${text.length >= width ? text.slice(0, width - 1) : text}`);
      shown = true;
    },
    clear() {
      if (shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** 1234567 → "1,234,567". */
export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * What the counts line adds when the group gave this member only some of the topic's partitions:
 * other members read the rest, so the counts (and a replay --to-end) cover part of the topic.
 */
export function sharedGroupNote(owned: readonly number[], partitions: number): string {
  if (owned.length >= partitions) return '';
  const which =
    owned.length === 0
      ? 'none'
      : `${owned.length === 1 ? 'partition' : 'partitions'} ${owned.join(', ')}`;
  return `; this member read ${which} of ${partitions}: other members of the group own the rest`;
}
