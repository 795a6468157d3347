/**
 * The `Broker` port: the few things the pipeline asks of a message log, whether it is the
 * embedded in-process log or a real Kafka cluster.
 *
 * Delivery contract, the same on both adapters:
 * - `produce` resolves only once every message of the batch is acknowledged (by all in-sync
 *   replicas on a real cluster). A rejected promise means none of the batch may be counted as
 *   delivered; retrying it may write duplicates, never lose a message.
 * - Keys choose partitions exactly as Kafka's default partitioner does (murmur2 of the key's
 *   UTF-8 bytes), so a key lands on the same partition on both engines. Null keys go round-robin.
 * - Consumers in one group share the partitions of the topics they subscribe to. `poll` returns
 *   records and advances the member's position; nothing is committed until `commit` is called,
 *   after the records are processed (at least once). A member that joins later, or a restarted
 *   one with the same group id, starts from the group's committed offsets; records polled but
 *   not committed are delivered again to whoever owns the partition next.
 * - Assignment changes are told as they happen, through `onAssignment` (see `AssignmentChange`):
 *   a member that keeps state per partition (open files, say) can drop what it holds for the
 *   partitions it lost and rebuild it for the ones it gained. The call is synchronous and comes
 *   *after* the change: on Kafka the group has already handed a lost partition to its new owner,
 *   which may be reading it. So the signal is for tidying up, never a lock: whatever must not be
 *   done twice needs its own guard (the archiver's is the claim of a roll, pipeline/roll-claim.ts).
 * - Stopping cleanly (Ctrl-C): let `poll` return `stopped` through an AbortSignal, finish the
 *   batch in hand, `commit`, then `close` (see `runConsumer`).
 * - Deleting (for notebooks and benchmarks that clean up after a run; the pipeline never
 *   deletes): `deleteGroups` deletes groups without members, with their committed offsets, and
 *   leaves a group that still has members as it is (Kafka refuses those). `deleteTopics` deletes
 *   a topic's messages and every group's committed offsets on it; members that still read it
 *   lose its partitions. Names that do not exist are reported as missing, never an error.
 */

export type Engine = 'embedded' | 'cluster';
export const ENGINES: readonly Engine[] = ['embedded', 'cluster'];

export type MessageHeaders = Readonly<Record<string, string>>;

/** One message to write. The value is stored as given, never copied on the embedded engine. */
export interface ProduceMessage {
  readonly key: string | null;
  readonly value: string | Buffer;
  /** Epoch milliseconds; the broker's clock when absent. */
  readonly timestamp?: number;
  readonly headers?: MessageHeaders;
}

/** Where the first message of a batch that went to one partition was written. */
export interface PartitionAck {
  readonly partition: number;
  readonly baseOffset: number;
}

export interface ProduceResult {
  readonly topic: string;
  /** Messages acknowledged: always the whole batch when the promise resolves. */
  readonly count: number;
  readonly partitions: readonly PartitionAck[];
}

export interface TopicSpec {
  readonly name: string;
  /** The adapter's default (6) when absent. */
  readonly partitions?: number;
}

export interface CreateTopicsResult {
  readonly created: readonly string[];
  /** Already there; left as they were, even when the partition count differs. */
  readonly existing: readonly string[];
}

export interface DeleteTopicsResult {
  readonly deleted: readonly string[];
  /** Not there: nothing to delete. */
  readonly missing: readonly string[];
}

export interface DeleteGroupsResult {
  readonly deleted: readonly string[];
  /** Members still joined: left as they were. */
  readonly notEmpty: readonly string[];
  /** Not there: nothing to delete. */
  readonly missing: readonly string[];
}

export interface PartitionOffsets {
  readonly partition: number;
  /** Oldest offset still stored (retention may have removed earlier ones). */
  readonly start: number;
  /** Offset the next message will get (Kafka's high watermark). */
  readonly end: number;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: readonly PartitionOffsets[];
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** `offset` is the next offset to read, as Kafka commits it. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
}

export interface PartitionLag extends TopicPartition {
  /** The group's committed offset, null when it never committed on this partition. */
  readonly committed: number | null;
  readonly end: number;
  /** end − committed; end − start when nothing was committed. */
  readonly lag: number;
}

export interface GroupLag {
  readonly groupId: string;
  readonly partitions: readonly PartitionLag[];
  readonly total: number;
}

export interface ConsumedRecord<V = string> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: V;
  readonly timestamp: number;
  readonly headers?: MessageHeaders;
}

/** Records of one partition, in offset order. */
export interface RecordBatch<V = string> {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord<V>[];
  /** End offset of the partition when the batch was read: lag = highWatermark − last offset − 1. */
  readonly highWatermark: number;
}

/**
 * A value as the broker holds it: the bytes read from Kafka, or what an embedded producer gave
 * (a string stays a string there: nothing is encoded only to be decoded again).
 */
export type RawValue = string | Buffer;

/**
 * Records of one partition, in offset order, as their values alone: what a reader that stores
 * the bytes needs (the archiver), without a record object, a key, a timestamp or headers per
 * message. A Buffer may be a view into the fetch it came in: copy it to keep it for long.
 */
export interface RawBatch {
  readonly topic: string;
  readonly partition: number;
  /** `offsets[i]` is the offset of `values[i]`; ascending, not always contiguous. */
  readonly offsets: readonly number[];
  /** An empty string or buffer for a null value. */
  readonly values: readonly RawValue[];
  readonly highWatermark: number;
}

export type RawPollResult =
  | {
      readonly kind: 'records';
      readonly batches: readonly RawBatch[];
      readonly count: number;
    }
  | { readonly kind: 'idle' }
  | { readonly kind: 'stopped'; readonly reason: 'aborted' | 'closed' };

export type PollResult<V = string> =
  | {
      readonly kind: 'records';
      readonly batches: readonly RecordBatch<V>[];
      readonly count: number;
    }
  /** Nothing arrived within `maxWaitMs`. */
  | { readonly kind: 'idle' }
  /** The signal was aborted or the consumer closed; nothing was read. */
  | { readonly kind: 'stopped'; readonly reason: 'aborted' | 'closed' };

export type CommitResult =
  | {
      readonly kind: 'committed';
      /** What was committed now; empty when nothing was new. */
      readonly offsets: readonly TopicPartitionOffset[];
      /**
       * Partitions this member polled from but lost in a rebalance before committing: their
       * uncommitted records go to the new owner again.
       */
      readonly revoked: readonly TopicPartition[];
    }
  /**
   * The group refused the commit for now (rebalancing, or, after a broker restart, its
   * coordinator not known yet): these records will be delivered again unless a later commit
   * goes through.
   */
  | { readonly kind: 'rebalancing'; readonly offsets: readonly TopicPartitionOffset[] };

/**
 * How a member's partitions changed. The first call, during `subscribe`, has the whole first
 * assignment in `assigned`. A partition kept through a rebalance is in neither list, though on
 * Kafka (kafkajs rebalances eagerly) its records after the last commit are delivered again.
 */
export interface AssignmentChange {
  readonly assigned: readonly TopicPartition[];
  readonly revoked: readonly TopicPartition[];
}

export type ValueAs = 'string' | 'buffer';
export type ValueOf<A extends ValueAs> = A extends 'buffer' ? Buffer : string;

export interface SubscribeOptions<A extends ValueAs = 'string'> {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Where a partition without a committed offset starts: its oldest record (true) or only
   * records produced from now on (false, Kafka's default).
   */
  readonly fromBeginning?: boolean;
  /** Values as UTF-8 strings (the default) or as the raw bytes. */
  readonly valueAs?: A;
  /** Shown in member ids; "loglab" when absent. */
  readonly clientId?: string;
  /** Called, synchronously, each time this member's partitions change (never with two empty lists). */
  readonly onAssignment?: (change: AssignmentChange) => void;
  /**
   * What the member does when the broker goes away after it joined: `wait` (the default) waits
   * it out inside the member where the adapter is set up to (the kafkajs adapter's
   * `consumerOutage`); `end` ends it at once with the retriable SERVICE_DOWN, for a caller whose
   * loop waits out the outage itself (the archiver, the detector): two waits would stack.
   * The embedded broker never goes away, and librdkafka reconnects by itself: both ignore it.
   */
  readonly brokerOutage?: 'wait' | 'end';
}

export const DEFAULT_POLL_RECORDS = 10_000;
export const DEFAULT_POLL_WAIT_MS = 500;

export interface PollOptions {
  /** At most this many records (default 10,000). */
  readonly maxRecords?: number;
  /** How long to wait when nothing is there (default 500 ms). */
  readonly maxWaitMs?: number;
  /** Aborting makes a waiting poll return `stopped` at once. */
  readonly signal?: AbortSignal;
}

export interface Consumer<V = string> {
  readonly groupId: string;
  /** Stable for the member's life; the broker's member id on a cluster. */
  memberId(): string;
  /** Partitions this member owns now. */
  assignment(): readonly TopicPartition[];
  poll(options?: PollOptions): Promise<PollResult<V>>;
  /**
   * `poll`, with each partition's records as their offsets and raw values (`RawBatch`): the
   * same position, commit and rebalance rules, the same records; `valueAs` does not apply.
   * One member may use both; a waiting call of either kind excludes the other.
   */
  pollRaw(options?: PollOptions): Promise<RawPollResult>;
  /**
   * Commits the position after the last record `poll` returned on each partition this member
   * still owns, or the given offsets. Call it after processing.
   */
  commit(offsets?: readonly TopicPartitionOffset[]): Promise<CommitResult>;
  /** Leaves the group without committing; a waiting `poll` returns `stopped`. */
  close(): Promise<void>;
}

export interface Broker {
  readonly engine: Engine;
  /** "embedded" or the bootstrap addresses, for messages. */
  readonly address: string;
  createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult>;
  /** Topic names, sorted, without internal topics. */
  listTopics(): Promise<string[]>;
  describeTopic(topic: string): Promise<TopicDescription>;
  produce(topic: string, messages: readonly ProduceMessage[]): Promise<ProduceResult>;
  /** Joins the group; resolves once the member has its first assignment. */
  subscribe<A extends ValueAs = 'string'>(
    options: SubscribeOptions<A>,
  ): Promise<Consumer<ValueOf<A>>>;
  /** Consumer groups known to the broker, sorted. */
  listGroups(): Promise<string[]>;
  /** Committed offsets and lag per partition; every partition of `topics`, or of the topics the group committed on. */
  groupLag(groupId: string, topics?: readonly string[]): Promise<GroupLag>;
  /** Deletes topics with their messages and the groups' committed offsets on them. */
  deleteTopics(topics: readonly string[]): Promise<DeleteTopicsResult>;
  /** Deletes groups that have no members, with their committed offsets. */
  deleteGroups(groupIds: readonly string[]): Promise<DeleteGroupsResult>;
  /** Waits for produce calls in flight, closes every consumer, releases connections. */
  close(): Promise<void>;
}

export function isRecords<V>(
  result: PollResult<V>,
): result is Extract<PollResult<V>, { kind: 'records' }> {
  return result.kind === 'records';
}

export function isStopped<V>(
  result: PollResult<V>,
): result is Extract<PollResult<V>, { kind: 'stopped' }> {
  return result.kind === 'stopped';
}

export function isCommitted(
  result: CommitResult,
): result is Extract<CommitResult, { kind: 'committed' }> {
  return result.kind === 'committed';
}

/** Lag of one partition from its offsets: what the group still has to read. */
export function partitionLag(committed: number | null, start: number, end: number): number {
  const from = committed === null ? start : Math.max(committed, start);
  return Math.max(0, end - from);
}
