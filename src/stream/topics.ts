/**
 * The pipeline's topics and the shape of a dead letter.
 *
 * - `weblogs.raw`: one access-log line per message, key = client IP, so one client's requests
 *   stay in order on one partition and per-IP detectors see all of them in one consumer.
 * - `weblogs.alerts`: detector output, one partition so the dashboard reads alerts in order.
 * - `weblogs.deadletter`: lines that failed to parse, with the reason, so nothing is dropped
 *   silently. The key is the original message's key; the value is JSON (see `DeadLetter`), one
 *   self-describing object that any consumer, kcat included, can read without knowing headers.
 */
import { badInput } from '../errors';
import type { Rejection, RejectReason } from '../log/record';
import type {
  Broker,
  CreateTopicsResult,
  ProduceMessage,
  TopicPartition,
  TopicSpec,
} from './broker';

export const RAW_TOPIC = 'weblogs.raw';
export const ALERTS_TOPIC = 'weblogs.alerts';
export const DEADLETTER_TOPIC = 'weblogs.deadletter';

/** Partitions of `weblogs.raw` unless asked otherwise: room for six consumers in a group. */
export const DEFAULT_PARTITIONS = 6;

export function standardTopics(rawPartitions: number = DEFAULT_PARTITIONS): TopicSpec[] {
  return [
    { name: RAW_TOPIC, partitions: rawPartitions },
    { name: ALERTS_TOPIC, partitions: 1 },
    { name: DEADLETTER_TOPIC, partitions: 1 },
  ];
}

/** Creates the pipeline's topics where they are missing; existing ones are left alone. */
export function ensureStandardTopics(
  broker: Broker,
  rawPartitions: number = DEFAULT_PARTITIONS,
): Promise<CreateTopicsResult> {
  return broker.createTopics(standardTopics(rawPartitions));
}

// A record, not a list, so the compiler flags a reason added to RejectReason but missing here.
const KNOWN_REASONS: Readonly<Record<RejectReason, true>> = {
  'empty-line': true,
  'bad-host': true,
  'bad-timestamp': true,
  'bad-request': true,
  'bad-status': true,
  'bad-bytes': true,
  'bad-quoted-field': true,
  'trailing-garbage': true,
  'bad-json': true,
  'missing-field': true,
  'unknown-format': true,
};

function isRejectReason(value: unknown): value is RejectReason {
  return typeof value === 'string' && Object.hasOwn(KNOWN_REASONS, value);
}

/** The value of a `weblogs.deadletter` message, as JSON. */
export interface DeadLetter {
  /** Stable code from the parser, e.g. "bad-timestamp". */
  readonly reason: RejectReason;
  /** One human sentence. */
  readonly message: string;
  /** The line exactly as it was read. */
  readonly line: string;
  /** Where the line was read from, when it came from a topic. */
  readonly source?: TopicPartition & { readonly offset: number };
}

export function deadLetterMessage(
  line: string,
  rejection: Rejection,
  options: { key?: string | null; source?: DeadLetter['source']; timestamp?: number } = {},
): ProduceMessage {
  const letter: DeadLetter = {
    reason: rejection.reason,
    message: rejection.message,
    line,
    ...(options.source ? { source: options.source } : {}),
  };
  return {
    key: options.key ?? null,
    value: JSON.stringify(letter),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  };
}

/** Reads a dead-letter value back; a value that is not one is bad input. */
export function parseDeadLetter(value: string | Buffer): DeadLetter {
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badInput('dead letter is not JSON', { topic: DEADLETTER_TOPIC });
  }
  const o = parsed as Record<string, unknown>;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.line !== 'string' ||
    typeof o.message !== 'string' ||
    !isRejectReason(o.reason)
  ) {
    throw badInput('dead letter lacks a string "line", "message" or a known "reason"', {
      topic: DEADLETTER_TOPIC,
    });
  }
  const letter: DeadLetter = {
    reason: o.reason,
    message: o.message,
    line: o.line,
  };
  const s = o.source as Record<string, unknown> | undefined;
  if (
    s &&
    typeof s.topic === 'string' &&
    typeof s.partition === 'number' &&
    typeof s.offset === 'number'
  ) {
    return { ...letter, source: { topic: s.topic, partition: s.partition, offset: s.offset } };
  }
  return letter;
}
