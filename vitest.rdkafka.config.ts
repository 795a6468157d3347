import { defineConfig } from 'vitest/config';

/**
 * The cluster tests that talk to Kafka, run again on the optional librdkafka client
 * (`npm run test:cluster:rdkafka`, after `npm run kafka:rdkafka`). Tests pick the client through
 * `loadConfig()`, and commands they start inherit the variable, so nothing else changes. The one
 * list of the test files that use Kafka through loglab's Broker port; the others (HDFS, YARN,
 * MapReduce, the broker's own health through kafkajs) do not depend on the client.
 */
export const KAFKA_TEST_FILES = [
  'test/cluster/archive-crash.test.ts',
  'test/cluster/archive-hdfs-restart.test.ts',
  'test/cluster/archive-million.test.ts',
  'test/cluster/archive-quota.test.ts',
  'test/cluster/archiver-kill.test.ts',
  'test/cluster/archiver-rebalance.test.ts',
  'test/cluster/broker-delete.test.ts',
  'test/cluster/cli-archive.test.ts',
  'test/cluster/cli-produce-consume.test.ts',
  'test/cluster/cli-stream-archive.test.ts',
  'test/cluster/cli-stream.test.ts',
  'test/cluster/dashboard-web.test.ts',
  'test/cluster/deadletter.test.ts',
  'test/cluster/demo-cluster.test.ts',
  'test/cluster/detect-equivalence.test.ts',
  'test/cluster/kafka-python-peer.test.ts',
  'test/cluster/stream-restart.test.ts',
  'test/cluster/stream-resume.test.ts',
  'test/cluster/stream-roundtrip.test.ts',
];

// The settings of vitest.cluster.config.ts (imported, a config file would need its extension).
export default defineConfig({
  test: {
    name: 'kafka client: rdkafka',
    include: KAFKA_TEST_FILES,
    env: { LOGLAB_KAFKA_CLIENT: 'rdkafka' },
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
