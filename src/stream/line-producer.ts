/**
 * The line producer: access-log lines onto a topic, keyed by client IP, in batches.
 *
 *   lines ──parse──▶ record ──▶ weblogs.raw      key = client IP, timestamp = the line's time
 *                  └ rejection ──▶ weblogs.deadletter   the line and the reason, as JSON
 *   (a line over MAX_LINE_BYTES is a too-large dead letter without being parsed)
 *
 * Each line is parsed only to find its key and time and to send what does not parse to the
 * dead-letter topic; the message value is the line exactly as read. Messages go out in batches,
 * one batch in flight while the next is parsed, and are counted only once the broker has
 * acknowledged them. `loglab produce` feeds it a file or stdin; `runStream` feeds it the
 * generator.
 */
import { isRejection, type ParseOutcome } from '../log/record';
import type { Broker, ProduceMessage } from './broker';
import { DEADLETTER_TOPIC, deadLetterMessage, oversizeBytes, tooLargeLetter } from './topics';

/** Messages per produce request unless asked otherwise. */
export const DEFAULT_BATCH = 1000;

export interface LineProducerOptions {
  readonly topic: string;
  readonly parse: (line: string) => ParseOutcome;
  /** Messages per produce request (1,000). */
  readonly batchSize?: number;
  /** Message timestamps: the line's own time (the default) or the time of sending. */
  readonly timestamps?: TimestampSource;
  /** Lines per second at most; as fast as the broker takes them when absent. */
  readonly rate?: number;
  /**
   * Stops taking lines (Ctrl-C): `add` returns at the first line after it aborts, and a wait for
   * the pace ends at once. Lines taken before still go out on `flush`; `counts.read` says how
   * many were taken.
   */
  readonly signal?: AbortSignal;
  /** Called with each batch of `topic` once it is acknowledged (for checksums). */
  readonly onAcked?: (messages: readonly ProduceMessage[]) => void;
  readonly now?: () => number;
}

export type TimestampSource = 'event' | 'now';
export const TIMESTAMP_SOURCES: readonly TimestampSource[] = ['event', 'now'];

/** What was read, and what the broker acknowledged. */
export interface ProduceCounts {
  read: number;
  produced: number;
  deadLettered: number;
}

export interface LineProducer {
  readonly counts: Readonly<ProduceCounts>;
  /**
   * Parses the lines and sends every full batch; resolves when the last one is handed over, or
   * early, with the lines after that not taken, once the signal has aborted.
   */
  add(lines: readonly string[]): Promise<void>;
  /** Sends what is left and waits until everything is acknowledged. */
  flush(): Promise<void>;
}

/**
 * Lines → keyed messages, in batches, with at most one produce request in flight: kafkajs's
 * idempotent producer numbers a partition's batches when it sends them, and two sends at once
 * would take the same sequence numbers. The next batch is parsed while one is in flight.
 * A failed request rejects the next `add` or `flush`; its messages are not counted.
 */
export function createLineProducer(broker: Broker, options: LineProducerOptions): LineProducer {
  const { topic, parse, rate, signal, onAcked } = options;
  const eventTime = (options.timestamps ?? 'event') === 'event';
  const now = options.now ?? Date.now;
  let batchSize = options.batchSize ?? DEFAULT_BATCH;
  // Paced, a batch is what comes due in ~50 ms, so that a slow rate still sends steadily.
  if (rate !== undefined) batchSize = Math.max(1, Math.min(batchSize, Math.ceil(rate / 20)));
  const counts: ProduceCounts = { read: 0, produced: 0, deadLettered: 0 };
  let raw: ProduceMessage[] = [];
  let dead: ProduceMessage[] = [];
  let inFlight: Promise<void> | null = null;
  let started = -1;

  async function send(rawBatch: ProduceMessage[], deadBatch: ProduceMessage[]): Promise<void> {
    if (rawBatch.length > 0) {
      await broker.produce(topic, rawBatch);
      counts.produced += rawBatch.length;
      onAcked?.(rawBatch);
    }
    if (deadBatch.length > 0) {
      await broker.produce(DEADLETTER_TOPIC, deadBatch);
      counts.deadLettered += deadBatch.length;
    }
  }

  async function dispatch(): Promise<void> {
    const rawBatch = raw;
    const deadBatch = dead;
    raw = [];
    dead = [];
    if (rate !== undefined) {
      if (started < 0) started = now();
      await sleep(started + (counts.read / rate) * 1000 - now(), signal);
    }
    if (inFlight !== null) await inFlight;
    const sending = send(rawBatch, deadBatch);
    // Awaited by the next dispatch or flush; until then a failure must not count as unhandled.
    sending.catch(() => undefined);
    inFlight = sending;
  }

  return {
    counts,
    async add(lines) {
      for (let i = 0; i < lines.length; i++) {
        // Ctrl-C mid-chunk: a chunk is up to 1 MiB of lines, which must not go out unpaced.
        if (signal?.aborted) return;
        counts.read++;
        routeLine(lines[i], parse, eventTime, raw, dead);
        if (raw.length + dead.length >= batchSize) await dispatch();
      }
    },
    async flush() {
      if (raw.length + dead.length > 0) await dispatch();
      if (inFlight !== null) await inFlight;
    },
  };
}

/**
 * Puts one line where it belongs: onto `messages` keyed by client IP, with the line's time as
 * timestamp when `eventTime`, or onto `deadLetters` when it is too large to be a message
 * (checked first, without parsing) or does not parse (with the parser's reason).
 */
export function routeLine(
  line: string,
  parse: (line: string) => ParseOutcome,
  eventTime: boolean,
  messages: ProduceMessage[],
  deadLetters: ProduceMessage[],
): void {
  const oversize = oversizeBytes(line);
  if (oversize >= 0) {
    deadLetters.push(tooLargeLetter(line, oversize));
    return;
  }
  const outcome = parse(line);
  if (isRejection(outcome)) {
    deadLetters.push(deadLetterMessage(line, outcome));
  } else {
    messages.push(
      eventTime
        ? { key: outcome.ip, value: line, timestamp: outcome.time }
        : { key: outcome.ip, value: line },
    );
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
