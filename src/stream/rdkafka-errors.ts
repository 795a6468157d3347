/**
 * librdkafka errors → the same LoglabErrors as kafkajs's (kafka-errors.ts): a broker that does
 * not answer is SERVICE_DOWN with the same sentence and hint, a missing topic NOT_FOUND, a
 * message over the broker's limit BAD_INPUT, a group that is rebalancing a `rebalancing` commit.
 * Codes are librdkafka's `rd_kafka_resp_err_t` (negative: the client's own; positive: Kafka's).
 */
import { isLoglabError, LoglabError } from '../errors';
import { START_BROKER_HINT } from './kafka-errors';

/** The client gave up reaching a broker, or waited too long for one. */
const DOWN = new Map<number, string>([
  [-195, 'broker transport failure'],
  [-193, 'host resolution failure'],
  [-192, 'message timed out'],
  [-187, 'all brokers down'],
  [-185, 'timed out'],
]);
const UNKNOWN_TOPIC = new Set([3, -188, -190]);
const TOO_LARGE = new Set([10, 18]);
/** ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, NOT_COORDINATOR, STALE_MEMBER_EPOCH, ASSIGNMENT_LOST, STATE. */
const REBALANCE = new Set([22, 25, 27, 16, 113, -142, -172]);
/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE. */
const COORDINATOR_STARTING = new Set([14, 15]);
/** The queue of messages waiting to be sent is full: wait for delivery reports, then retry. */
export const RD_QUEUE_FULL = -184;

function codeOf(err: unknown): number | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}

export function isRdRebalanceError(err: unknown): boolean {
  const c = codeOf(err);
  return c !== undefined && REBALANCE.has(c);
}

/** WAIT_COORD: the member does not know its group's coordinator yet (after a broker restart). */
const NO_COORDINATOR_YET = new Set([-180, ...COORDINATOR_STARTING]);

/**
 * A commit the group cannot take now but may take soon, so to be sent again rather than end the
 * member: the group is rebalancing, its coordinator is not known yet or still loading (a broker
 * restarting), or no broker answers. librdkafka's member rides a broker outage out by itself
 * (it reconnects and finds the coordinator again); before, the first commit after a restart was
 * answered "Local: Waiting for coordinator" and ended `loglab stream` on this client.
 */
export function isRdCommitRefusedForNow(err: unknown): boolean {
  const c = codeOf(err);
  return c !== undefined && (REBALANCE.has(c) || NO_COORDINATOR_YET.has(c) || DOWN.has(c));
}

export function isRdCoordinatorStarting(err: unknown): boolean {
  const c = codeOf(err);
  return c !== undefined && COORDINATOR_STARTING.has(c);
}

export function rdkafkaError(
  err: unknown,
  address: string,
  context: Record<string, string | number> = {},
): LoglabError {
  if (isLoglabError(err)) return err;
  const code = codeOf(err);
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' && message !== '' ? message : String(err);
  if (code !== undefined && DOWN.has(code)) {
    return new LoglabError(
      'SERVICE_DOWN',
      `no Kafka broker answers at ${address} (${DOWN.get(code)}); ${START_BROKER_HINT}`,
      { retriable: true, cause: err, context: { broker: address, ...context } },
    );
  }
  if (code !== undefined && UNKNOWN_TOPIC.has(code)) {
    const topic = context.topic === undefined ? 'the topic' : `topic "${context.topic}"`;
    return new LoglabError(
      'NOT_FOUND',
      `${topic} does not exist on the Kafka broker at ${address}`,
      { cause: err, context },
    );
  }
  if (code !== undefined && TOO_LARGE.has(code)) {
    return new LoglabError(
      'BAD_INPUT',
      `the Kafka broker at ${address} refused a message larger than its message.max.bytes`,
      { cause: err, context },
    );
  }
  return new LoglabError('INTERNAL', `the Kafka broker at ${address} failed: ${text}`, {
    retriable: (err as { isRetriable?: boolean } | null)?.isRetriable === true,
    cause: err,
    context,
  });
}
