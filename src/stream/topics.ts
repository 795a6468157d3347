/**
 * The pipeline's topics and the shape of a dead letter.
 *
 * - `weblogs.raw`: one access-log line per message, key = client IP, so one client's requests
 *   stay in order on one partition and per-IP detectors see all of them in one consumer.
 * - `weblogs.alerts`: detector output, one partition so the dashboard reads alerts in order.
 * - `weblogs.deadletter`: lines that failed to parse, with the reason, so nothing is dropped
 *   silently; also lines too large to be one message (`too-large`, the line's start kept). The key is the original message's key; the value is JSON (see `DeadLetter`), one
 *   self-describing object that any consumer, kcat included, can read without knowing headers.
 */
import { badFlag, badInput } from '../errors';
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

/** Why a line is a dead letter: the parser's reason, or too large to be one message. */
export type DeadLetterReason = RejectReason | 'too-large';

/**
 * The largest line sent as one message, in UTF-8 bytes: under Kafka's default message.max.bytes
 * (1 MiB, the batch's framing included) and the embedded broker's limit, with room for the key.
 */
export const MAX_LINE_BYTES = 1_000_000;
/** Characters of a too-large line kept in its dead letter. */
export const TOO_LARGE_KEPT_CHARS = 4096;

/**
 * The line's size in UTF-8 bytes when it is larger than `MAX_LINE_BYTES`, else -1. Cheap for
 * ordinary lines: a line of n UTF-16 units has at most 3n bytes, so only long ones are measured.
 */
export function oversizeBytes(line: string): number {
  if (line.length * 3 <= MAX_LINE_BYTES) return -1;
  const bytes = Buffer.byteLength(line, 'utf8');
  return bytes > MAX_LINE_BYTES ? bytes : -1;
}

/** A letter's JSON keeping only the start of its line, with the whole line's size. */
function shortened(letter: DeadLetter, line: string, bytes: number): string {
  return JSON.stringify({
    ...letter,
    line: line.slice(0, TOO_LARGE_KEPT_CHARS),
    bytes,
  } satisfies DeadLetter);
}

/** The dead letter of a line too large to be a message: its start, its size and the reason. */
export function tooLargeLetter(line: string, bytes: number): ProduceMessage {
  const message = `line of ${bytes} bytes is larger than one message may be (${MAX_LINE_BYTES}); its first ${TOO_LARGE_KEPT_CHARS} characters are kept`;
  return { key: null, value: shortened({ reason: 'too-large', message, line }, line, bytes) };
}

// A record, not a list, so the compiler flags a reason added to RejectReason but missing here.
const KNOWN_REASONS: Readonly<Record<DeadLetterReason, true>> = {
  'too-large': true,
  'empty-line': true,
  'bad-host': true,
  'bad-timestamp': true,
  'bad-request': true,
  'bad-status': true,
  'bad-bytes': true,
  'bad-duration': true,
  'bad-quoted-field': true,
  'trailing-garbage': true,
  'bad-json': true,
  'missing-field': true,
  'unknown-format': true,
};

function isDeadLetterReason(value: unknown): value is DeadLetterReason {
  return typeof value === 'string' && Object.hasOwn(KNOWN_REASONS, value);
}

/** The value of a `weblogs.deadletter` message, as JSON. */
export interface DeadLetter {
  /** Stable code from the parser, e.g. "bad-timestamp", or "too-large". */
  readonly reason: DeadLetterReason;
  /** One human sentence. */
  readonly message: string;
  /** The line exactly as it was read; only its start when `reason` is "too-large". */
  readonly line: string;
  /** The whole line's size in UTF-8 bytes, when only its start is kept ("too-large"). */
  readonly bytes?: number;
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
  let value = JSON.stringify(letter);
  // JSON escapes can make a letter several times its line: then keep the line's start, as for
  // a too-large line, so that the letter itself still fits in a message.
  const bytes = value.length * 3 > MAX_LINE_BYTES ? Buffer.byteLength(value, 'utf8') : 0;
  if (bytes > MAX_LINE_BYTES) value = shortened(letter, line, Buffer.byteLength(line, 'utf8'));
  return {
    key: options.key ?? null,
    value,
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
    !isDeadLetterReason(o.reason)
  ) {
    throw badInput('dead letter lacks a string "line", "message" or a known "reason"', {
      topic: DEADLETTER_TOPIC,
    });
  }
  const letter: DeadLetter = {
    reason: o.reason,
    message: o.message,
    line: o.line,
    ...(typeof o.bytes === 'number' ? { bytes: o.bytes } : {}),
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

/** Kafka's longest topic name (its Topic.MAX_NAME_LENGTH). */
const MAX_TOPIC_NAME = 249;

/**
 * Why Kafka refuses `name` as a topic name, or null when it takes it: 1 to 249 characters, each
 * a letter, a digit, '.', '_' or '-', and neither "." nor ".." (Kafka's Topic.validate). The
 * embedded broker refuses what Kafka refuses, so a topic that works here works on the cluster.
 */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name === '.' || name === '..') return 'it may not be "." or ".."';
  if (name.length > MAX_TOPIC_NAME) {
    return `it has ${name.length} characters, at most ${MAX_TOPIC_NAME} are allowed`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return "only letters, digits, '.', '_' and '-' are allowed";
  }
  return null;
}

/** Throws BAD_FLAG naming a topic name Kafka refuses (topicNameProblem), on either engine. */
export function checkTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== null) {
    throw badFlag(`topic name ${JSON.stringify(name)} is not one Kafka accepts: ${problem}`);
  }
}
