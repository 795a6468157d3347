// Apache Kafka for the cluster engine: one combined KRaft node (broker and controller in one
// JVM, `kafka.Kafka`) from Maven Central jars, storage formatted once with StorageTool;
// the same settings for docker are in docker/compose.yml.

import kafkajs from 'kafkajs';
import { $, fs, path } from 'zx';
import {
  ClusterError,
  cachedLib,
  DEFAULTS,
  failStart,
  installLib,
  lastLine,
  launchDetached,
  libKey,
  mvnCopy,
  rel,
  requireJava,
  serviceDir,
  stopByPidFile,
  TEMPLATES,
  writeTemplate,
} from './runner.mjs';

// The newest Kafka release on Maven Central when this was written. kafkajs 2.2.4 works with
// 4.x (checked with 4.1.1 and 4.4.0: topics, keyed idempotent produce with acks=all, groups,
// commits, offsets): KIP-896 removed only protocol versions older than the ones it negotiates.
export const KAFKA_VERSION = process.env.LOGLAB_KAFKA_VERSION || DEFAULTS.kafka.version;
const KAFKA_HOST = DEFAULTS.kafka.host;
const KAFKA_PORT = DEFAULTS.kafka.port;
const KAFKA_CONTROLLER_PORT = DEFAULTS.kafka.controllerPort;
// Modest: two cores and HDFS/YARN share the machine.
const KAFKA_HEAP = ['-Xms256m', '-Xmx512m'];

export const kafka = {
  name: 'kafka',
  host: KAFKA_HOST,
  address: `${KAFKA_HOST}:${KAFKA_PORT}`,
  composeServices: ['kafka'],
  logs: ['server.log'],
  // Seen in the command line of the JVM, to make sure a pid still belongs to our broker.
  commandMatch: 'kafka.Kafka',
  // Checked free before a native start.
  ports: [KAFKA_PORT, KAFKA_CONTROLLER_PORT],
  startTimeoutS: 120,
  resolve: resolveKafka,
  start: startKafka,
  health: kafkaHealth,
  // Run once after a start, so the first client does not meet "coordinator not available".
  warmUp: kafkaWarmUp,
  stop: stopByPidFile,
  // What `down --clean` deletes under .cluster/kafka/.
  cleanPaths: ['data', 'formatted-by'],
};

async function resolveKafka() {
  await requireJava();
  const pom = path.join(TEMPLATES, 'kafka', 'pom.xml');
  const key = await libKey(pom, KAFKA_VERSION);
  const cached = await cachedLib(kafka, key);
  if (cached) return cached;
  const what = `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`;
  const props = { 'kafka.version': KAFKA_VERSION };
  let tmp = await mvnCopy(kafka, pom, props, what);
  // The slf4j binding must be the same log4j2 release as the log4j-core that Kafka brings;
  // each Kafka release moves it, so read it from the resolved jars and resolve again if needed.
  const jars = await fs.readdir(tmp);
  const core = jarVersion(jars, 'log4j-core');
  if (core && jarVersion(jars, 'log4j-slf4j-impl') !== core) {
    tmp = await mvnCopy(kafka, pom, { ...props, 'log4j.version': core }, what);
  }
  return installLib(kafka, tmp, key);
}

function jarVersion(jars, artifact) {
  const prefix = `${artifact}-`;
  const jar = jars.find((j) => j.startsWith(prefix) && /^\d/.test(j.slice(prefix.length)));
  return jar ? jar.slice(prefix.length, -'.jar'.length) : null;
}

async function startKafka(lib) {
  const dir = serviceDir(kafka);
  const dataDir = path.join(dir, 'data');
  await fs.ensureDir(dataDir);
  const props = path.join(dir, 'server.properties');
  await writeTemplate(path.join(TEMPLATES, 'kafka', 'server.properties'), props, {
    host: KAFKA_HOST,
    port: String(KAFKA_PORT),
    controllerPort: String(KAFKA_CONTROLLER_PORT),
    dataDir,
  });
  const log4j = path.join(dir, 'log4j2.xml');
  await fs.copy(path.join(TEMPLATES, 'kafka', 'log4j2.xml'), log4j);

  const jvm = [
    ...KAFKA_HEAP,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    // Keep logging until the broker's own shutdown hook has finished (the appender flushes
    // every line), so its last lines land in server.log, not in a fallback logger.
    '-Dlog4j2.shutdownHookEnabled=false',
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    path.join(lib, '*'),
  ];

  // KRaft storage is formatted once; meta.properties marks a formatted log directory. An older
  // release cannot read what a newer one wrote, so remember which release formatted it.
  const formattedBy = path.join(dir, 'formatted-by');
  if (await fs.pathExists(path.join(dataDir, 'meta.properties'))) {
    const by = (await fs.readFile(formattedBy, 'utf8').catch(() => '')).trim();
    if (by && by !== KAFKA_VERSION) {
      throw new ClusterError(
        `kafka: ${rel(dataDir)} was formatted by Kafka ${by}, not ${KAFKA_VERSION}; run \`npm run cluster -- down --clean\` to start afresh`,
      );
    }
  } else {
    const tool = [
      ...jvm.filter((a) => !a.startsWith('-Xm')),
      '-Xmx256m',
      'kafka.tools.StorageTool',
    ];
    const id = await $`java ${tool} random-uuid`.nothrow();
    const clusterId = id.stdout.trim();
    if (id.exitCode !== 0 || !/^[A-Za-z0-9_-]{22}$/.test(clusterId)) {
      throw new ClusterError(
        `kafka: StorageTool random-uuid failed: ${lastLine(id.stderr || id.stdout)}`,
      );
    }
    // Static quorum (controller.quorum.voters), so no --standalone here.
    const fmt =
      await $`java ${tool} format --ignore-formatted -t ${clusterId} -c ${props}`.nothrow();
    if (fmt.exitCode !== 0) {
      throw new ClusterError(
        `kafka: formatting ${rel(dataDir)} failed: ${lastLine(fmt.stderr || fmt.stdout)}`,
      );
    }
    await fs.writeFile(formattedBy, `${KAFKA_VERSION}\n`);
  }

  return launchDetached(kafka, 'java', [...jvm, 'kafka.Kafka', props]);
}

async function kafkaHealth() {
  const client = new kafkajs.Kafka({
    clientId: 'loglab-cluster-health',
    brokers: [kafka.address],
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = client.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return { ok: false, detail: 'metadata lists no broker yet' };
    return {
      ok: true,
      detail: `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller}`,
    };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Group coordination (the __consumer_offsets topic) and the producer ids that idempotent
 * producers need are set up on first use, and clients meet "coordinator not available" or
 * "coordinator is loading" until then: get that done now, before anyone waits for it.
 */
async function kafkaWarmUp() {
  const client = new kafkajs.Kafka({
    clientId: 'loglab-cluster-warmup',
    brokers: [kafka.address],
    retry: { retries: 10, initialRetryTime: 200 },
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = client.admin();
  const producer = client.producer({
    idempotent: true,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  try {
    await admin.connect();
    await admin.describeGroups(['loglab-cluster-warmup']);
    await producer.connect();
  } catch (err) {
    await failStart(
      kafka,
      `the group or transaction coordinator did not get ready (${err.message})`,
    );
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}
