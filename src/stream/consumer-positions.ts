/**
 * Bookkeeping both Kafka consumer adapters (kafkajs and librdkafka) share: the results a poll
 * returns without records, the check of its record limit, the positions a commit stores, and
 * what a commit sends and reports lost.
 * The clients differ in how they fetch; what a poll promises the port's caller does not.
 */
import { badFlag, LoglabError } from '../errors';
import {
  DEFAULT_POLL_RECORDS,
  type PollOptions,
  type RawPollResult,
  type TopicPartition,
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

/**
 * Partitions a member lost in a rebalance with records polled but not committed: the first
 * commit that goes through reports them (CommitResult's `revoked`); a refused or failed one
 * puts them back for the next.
 */
export class LostPartitions {
  private list: TopicPartition[] = [];

  /** Noted once, however many rebalances pass before a commit reports it. */
  note(tp: TopicPartition): void {
    if (this.list.some((r) => r.topic === tp.topic && r.partition === tp.partition)) return;
    this.list.push({ topic: tp.topic, partition: tp.partition });
  }

  /** What a commit reports: taken off the list until the commit puts it back. */
  take(): TopicPartition[] {
    const taken = this.list;
    this.list = [];
    return taken;
  }

  putBack(taken: readonly TopicPartition[]): void {
    this.list = [...taken, ...this.list];
  }
}

/** What one commit sends, and what it reports lost. */
export interface CommitPlan {
  /** The given offsets of partitions still owned, or every position not committed yet. */
  readonly list: TopicPartitionOffset[];
  /** Partitions lost since the last commit that went through, and given ones not owned. */
  readonly lost: TopicPartition[];
  /** The commit was refused or failed: its lost partitions go to the next one. */
  putBack(): void;
}

/** What a commit of `offsets` (or of every position, when absent) sends; shared by both clients. */
export function planCommit(
  offsets: readonly TopicPartitionOffset[] | undefined,
  revoked: LostPartitions,
  positions: ReadonlyMap<string, TopicPartitionOffset>,
  committedAt: ReadonlyMap<string, number>,
  assigned: ReadonlySet<string>,
): CommitPlan {
  const pending = revoked.take();
  const lost = [...pending];
  const list: TopicPartitionOffset[] = [];
  if (offsets === undefined) {
    for (const [key, pos] of positions) {
      if (committedAt.get(key) !== pos.offset) list.push(pos);
    }
  } else {
    for (const o of offsets) {
      if (assigned.has(tpKey(o.topic, o.partition))) list.push(o);
      else lost.push({ topic: o.topic, partition: o.partition });
    }
  }
  return { list, lost, putBack: () => revoked.putBack(pending) };
}
