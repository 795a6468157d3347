import { defineConfig } from 'vitest/config';

/**
 * The cluster tests that talk to Kafka, run again on the optional librdkafka client
 * (`npm run test:cluster:rdkafka`, after `npm run kafka:rdkafka`). Tests pick the client through
 * `loadConfig()`, and commands they start inherit the variable, so nothing else changes.
 *
 * The one list of the test files that use Kafka through loglab's Broker port. Left out: those
 * that do not depend on the client (HDFS, YARN, MapReduce, the broker's own health through
 * kafkajs), and three archiver tests whose subject is the lake, not Kafka, and which would add
 * minutes to CI: archive-million (1,000,000 lines into HDFS, about 2.5 minutes),
 * archive-hdfs-restart and archive-quota (HDFS stopped, HDFS full). The archiver's Kafka side
 * (groups, commits after the lake, rebalances, kills) is in the files below.
 */
export const KAFKA_TEST_FILES = [
  'test/cluster/archiver-kill.test.ts',
  'test/cluster/archiver-rebalance.test.ts',
  'test/cluster/broker-delete.test.ts',
  'test/cluster/cli-produce-consume.test.ts',
  'test/cluster/cli-stream.test.ts',
  'test/cluster/dashboard-web.test.ts',
  'test/cluster/deadletter.test.ts',
  'test/cluster/detect-equivalence.test.ts',
  'test/cluster/stream-restart.test.ts',
  'test/cluster/stream-resume.test.ts',
  'test/cluster/stream-roundtrip.test.ts',
  // Passed on this client when run by hand, left out of the CI run to keep it under its time
  // budget (each repeats a path a file above covers): archive-crash (20 kills, about 3 min),
  // cli-archive, cli-stream-archive, demo-cluster (Hadoop's share is client-independent),
  // kafka-python-peer. Not run on this client: cli-lake-folder, whose subject is the lake's
  // folder on HDFS (its one stream run takes cli-stream-archive's path).
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
