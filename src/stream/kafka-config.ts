/**
 * The settings of the Kafka adapter (kafka-broker.ts), in a file of their own: code that only
 * passes them on need not import the adapter.
 */
import type { Kafka, KafkaConfig } from 'kafkajs';

/**
 * How a consumer that has joined its group (kafka-consumer.ts), or a producer (kafka-broker.ts),
 * rides out a broker outage: kafkajs's member or send ends after its retries (about 3 s) unless
 * this is given; librdkafka reconnects by itself (its producer within its delivery timeout).
 */
export interface OutageWaitSettings {
  /** One line when the broker goes away and one when it answers again. */
  readonly log: (line: string) => void;
  /** Ends the wait at once (Ctrl-C): the member or send then ends with the outage's error. */
  readonly signal?: AbortSignal;
  /** How long one outage is waited out (broker-outage.ts: 5 minutes). */
  readonly totalWaitMs?: number;
  /** The pause between two probes of the broker (1 s). */
  readonly probeEveryMs?: number;
}

export interface KafkaBrokerConfig {
  /** Bootstrap addresses, host:port. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** kafkajs's own log lines to `log` (stderr by default) instead of nowhere. */
  readonly debug?: boolean;
  readonly log?: (line: string) => void;
  /** Attempts after the first before giving up (4). */
  readonly retries?: number;
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly fetchMaxWaitMs?: number;
  /** Bytes one fetch takes from a partition (kafkajs: 1 MB); less makes partitions interleave. */
  readonly fetchMaxBytesPerPartition?: number;
  readonly prefetchRecords?: number;
  /** Value bytes a consumer fetches ahead of its polls (8 MiB); see kafka-consumer.ts. */
  readonly prefetchBytes?: number;
  /** How long a join waits for a group coordinator that is still loading (30 s). */
  readonly coordinatorWaitMs?: number;
  /** Producer compression (none); gzip is the codec kafkajs ships with. */
  readonly compression?: 'none' | 'gzip';
  /** Replicas of a created topic; the broker's default when absent. */
  readonly replicationFactor?: number;
  /** Partitions of a topic created without a count (6). */
  readonly defaultPartitions?: number;
  /**
   * Consumers wait for a broker that went away after they joined, and join again from the
   * committed offsets, instead of ending with SERVICE_DOWN; absent, they end as before. A
   * member subscribed with `brokerOutage: 'end'` ends as before too: its caller waits instead.
   */
  readonly consumerOutage?: OutageWaitSettings;
  /**
   * `produce` waits for a broker that went away (or whose partitions have no leader for a
   * while) and sends the refused chunk again on the same producer, instead of failing with
   * SERVICE_DOWN once kafkajs's retries ran out; absent, it fails as before. See
   * kafka-broker.ts for why sending again on the same producer stores each message once.
   */
  readonly producerOutage?: OutageWaitSettings;
  /** Makes the kafkajs client; tests pass a fake. */
  readonly kafkaFactory?: (config: KafkaConfig) => Kafka;
}
