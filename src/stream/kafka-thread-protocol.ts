/**
 * The messages between a Kafka member on the main thread (kafka-thread-consumer.ts) and the
 * thread that fetches for it (kafka-thread-worker.ts). One port carries them in order, which is
 * what keeps the contract: an assignment change arrives after every batch fetched before it and
 * before every batch fetched after it.
 */
import type { ErrorCode } from '../errors';
import type {
  AssignmentChange,
  CommitResult,
  SubscribeOptions,
  TopicPartition,
  TopicPartitionOffset,
} from './broker';
import type { KafkaBrokerConfig } from './kafka-config';
import type { PackedBatch } from './packed-batch';

/** What the thread is started with: plain data, no functions. */
export interface ThreadInput {
  readonly config: KafkaBrokerConfig;
  readonly subscribe: Pick<SubscribeOptions, 'groupId' | 'topics' | 'fromBeginning' | 'clientId'>;
  /** Records posted ahead of what the main thread has taken before the thread waits. */
  readonly prefetchRecords: number;
  readonly pollWaitMs: number;
}

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retriable?: boolean;
  readonly context?: Record<string, string | number>;
}

export type ToMain =
  | {
      readonly kind: 'ready';
      readonly memberId: string;
      readonly assignment: readonly TopicPartition[];
    }
  | { readonly kind: 'assignment'; readonly change: AssignmentChange; readonly memberId: string }
  | { readonly kind: 'batch'; readonly batch: PackedBatch }
  | { readonly kind: 'committed'; readonly id: number; readonly result: CommitResult }
  /** A commit failed (`id`), or the join did (`id` null). */
  | { readonly kind: 'failed'; readonly id: number | null; readonly error: WireError }
  | { readonly kind: 'crashed'; readonly error: WireError }
  | { readonly kind: 'closed' };

export type FromMain =
  /** Records taken by `poll` or dropped at a rebalance: room for as many more. */
  | { readonly kind: 'took'; readonly count: number }
  | { readonly kind: 'commit'; readonly id: number; readonly offsets: TopicPartitionOffset[] }
  | { readonly kind: 'close' };
