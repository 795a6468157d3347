/**
 * Bookkeeping both Kafka consumer adapters (kafkajs and librdkafka) share: the results a poll
 * returns without records, the check of its record limit, and the positions a commit stores.
 * The clients differ in how they fetch; what a poll promises the port's caller does not.
 */
import { badFlag, LoglabError } from '../errors';
import {
  DEFAULT_POLL_RECORDS,
  type PollOptions,
  type RawPollResult,
  type TopicPartitionOffset,
} from './broker';

export type NoRecords = Exclude<RawPollResult, { kind: 'records' }>;

export const STOPPED_CLOSED: NoRecords = { kind: 'stopped', reason: 'closed' };
export const STOPPED_ABORTED: NoRecords = { kind: 'stopped', reason: 'aborted' };
export const IDLE: NoRecords = { kind: 'idle' };

/** One map key per topic and partition. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * The records a poll may return, checked; and the one-waiter rule: a poll while another waits
 * is a programming error.
 */
export function pollLimit(options: PollOptions, waiting: boolean): number {
  const max = options.maxRecords ?? DEFAULT_POLL_RECORDS;
  if (!Number.isInteger(max) || max < 1) {
    throw badFlag(`maxRecords must be a positive integer, got ${max}`);
  }
  if (waiting) throw new LoglabError('INTERNAL', 'poll called while another poll is waiting');
  return max;
}

/**
 * Moves a partition's position to `next`, never back: after a rejoin or a rebalance both
 * clients read again from the committed offset, so records this member already returned come
 * once more and must not move the commit position back.
 */
export function advancePosition(
  positions: Map<string, TopicPartitionOffset>,
  topic: string,
  partition: number,
  next: number,
): void {
  const key = tpKey(topic, partition);
  const before = positions.get(key);
  if (before === undefined || next > before.offset) {
    positions.set(key, { topic, partition, offset: next });
  }
}
