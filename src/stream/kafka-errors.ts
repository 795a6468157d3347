/**
 * kafkajs errors → one LoglabError with one clear sentence. kafkajs wraps the error that matters
 * (a refused connection, an unknown topic) in retry and non-retriable wrappers, so the whole
 * `cause` chain is searched.
 */
import { isLoglabError, LoglabError } from '../errors';

interface KafkaJsLike {
  name?: string;
  message?: string;
  type?: string;
  code?: string;
  broker?: string;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

/** How to get a broker when none answers; the same advice everywhere. */
export const START_BROKER_HINT = 'start one with `npm run cluster -- up`, or use --engine embedded';

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
]);
const REBALANCE_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
]);
/**
 * Refusals of a coordinator that is still starting (loading offsets) or not yet chosen. A broker
 * restarted a moment ago also answers NOT_COORDINATOR until it leads the group's partition of
 * `__consumer_offsets` again: a member rejoining after the outage met it once the broker answered
 * (`loglab detect` in the fault run) and failed where it should wait. It stays a rebalance
 * refusal for a commit (the records come again), as before.
 */
const COORDINATOR_STARTING_TYPES = new Set([
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
]);
/**
 * The same refusals met while joining: kafkajs (2.2.4, pinned) wraps a rebalance refusal of its
 * join in a plain KafkaJSError that keeps the protocol error's message and drops its type, and
 * after its retries that is what the member crashes with.
 */
const COORDINATOR_STARTING_MESSAGES = new Set([
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
]);
const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
/**
 * A partition without a leader, or whose leader the client's metadata has wrong: what a broker
 * that has just started answers until its election is over.
 */
const LEADER_ELECTION_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
]);

/** The error and everything it wraps, outermost first. */
export function errorChain(err: unknown): KafkaJsLike[] {
  const out: KafkaJsLike[] = [];
  const todo: unknown[] = [err];
  while (todo.length > 0 && out.length < 32) {
    const e = todo.shift();
    if (typeof e !== 'object' || e === null || out.includes(e as KafkaJsLike)) continue;
    const k = e as KafkaJsLike;
    out.push(k);
    if (k.cause !== undefined) todo.push(k.cause);
    if (k.originalError !== undefined) todo.push(k.originalError);
    if (Array.isArray(k.errors)) todo.push(...k.errors);
  }
  return out;
}

/** True when the group coordinator refused because the group is rebalancing. */
export function isRebalanceError(err: unknown): boolean {
  return errorChain(err).some((e) => e.type !== undefined && REBALANCE_TYPES.has(e.type));
}

/** True when a group's coordinator refused because it is still starting. */
export function isCoordinatorStarting(err: unknown): boolean {
  return errorChain(err).some((e) =>
    e.type !== undefined
      ? COORDINATOR_STARTING_TYPES.has(e.type)
      : e.name === 'KafkaJSError' && COORDINATOR_STARTING_MESSAGES.has(String(e.message)),
  );
}

/** True when a partition had no leader, or another one than the client thought (an election). */
export function isLeaderElection(err: unknown): boolean {
  return errorChain(err).some((e) => e.type !== undefined && LEADER_ELECTION_TYPES.has(e.type));
}

export function hasErrorType(err: unknown, type: string): boolean {
  return errorChain(err).some((e) => e.type === type);
}

export function kafkaError(
  err: unknown,
  address: string,
  context: Record<string, string | number> = {},
): LoglabError {
  if (isLoglabError(err)) return err;
  const chain = errorChain(err);
  const innermost = chain[chain.length - 1] ?? {};
  const down = chain.find(
    (e) =>
      (e.name !== undefined && CONNECTION_ERRORS.has(e.name)) ||
      (e.code !== undefined && /^E[A-Z]+$/.test(e.code)),
  );
  if (down) {
    const where = chain.find((e) => typeof e.broker === 'string')?.broker ?? address;
    const why = down.code ?? (down.message ?? 'no answer').replace(/^Connection error: /, '');
    return new LoglabError(
      'SERVICE_DOWN',
      `no Kafka broker answers at ${where} (${why}); ${START_BROKER_HINT}`,
      { retriable: true, cause: err, context: { broker: where, ...context } },
    );
  }
  if (chain.some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION')) {
    const topic = context.topic === undefined ? 'the topic' : `topic "${context.topic}"`;
    return new LoglabError(
      'NOT_FOUND',
      `${topic} does not exist on the Kafka broker at ${address}`,
      {
        cause: err,
        context,
      },
    );
  }
  if (chain.some((e) => e.type !== undefined && TOO_LARGE_TYPES.has(e.type))) {
    return new LoglabError(
      'BAD_INPUT',
      `the Kafka broker at ${address} refused a message larger than its message.max.bytes`,
      { cause: err, context },
    );
  }
  // Whether trying again can help is the innermost error's call, not its retry wrappers'.
  return new LoglabError(
    'INTERNAL',
    `the Kafka broker at ${address} failed: ${innermost.message ?? String(err)}`,
    { retriable: innermost.retriable === true, cause: err, context },
  );
}
