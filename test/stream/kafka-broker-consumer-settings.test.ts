/**
 * The consumer settings the kafkajs adapter asks for: how long a fetch may wait on the broker
 * bounds how long closing or rejoining a caught-up member takes (see DEFAULT_FETCH_MAX_WAIT_MS).
 */
import { describe, expect, it } from 'vitest';
import { kafkaConsumerSettings } from '../../src/stream/kafka-broker';

const retry = { retries: 4 };

describe('kafkajs adapter, consumer settings', () => {
  it('lets a fetch wait 100 ms on the broker unless told otherwise', () => {
    expect(kafkaConsumerSettings({ brokers: ['127.0.0.1:9092', '127.0.0.1:9093'] }, retry)).toEqual(
      {
        address: '127.0.0.1:9092,127.0.0.1:9093',
        retry,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1000,
        maxWaitMs: 100,
        prefetchRecords: 50_000,
        prefetchBytes: 8 * 1024 * 1024,
        maxBytesPerPartition: undefined,
      },
    );
  });

  it('takes the fetch wait, prefetch and fetch size from the config', () => {
    const settings = kafkaConsumerSettings(
      {
        brokers: ['127.0.0.1:9092'],
        fetchMaxWaitMs: 500,
        prefetchRecords: 1000,
        prefetchBytes: 65_536,
        fetchMaxBytesPerPartition: 16_384,
      },
      retry,
    );
    expect(settings).toMatchObject({
      maxWaitMs: 500,
      prefetchRecords: 1000,
      prefetchBytes: 65_536,
      maxBytesPerPartition: 16_384,
    });
  });
});
