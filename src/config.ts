/**
 * The one place that reads environment variables and builds adapters. Callers (CLI, notebooks,
 * labs, benchmarks) get a `Broker` and a `Store` from here and never construct an adapter
 * themselves.
 *
 *   LOGLAB_ENGINE          embedded | cluster; which engine when no --engine flag is given
 *   LOGLAB_KAFKA_BROKERS   host:port[,host:port…]; default 127.0.0.1:9092
 *   LOGLAB_HDFS_URL        http(s)://host:port of a NameNode's HTTP server (WebHDFS); default
 *                          http://127.0.0.1:9870, where `npm run cluster -- up` starts HDFS
 *   LOGLAB_HDFS_USER       the user.name WebHDFS calls act as; default loglab (the cluster we
 *                          start checks no permissions, a secured one maps it to its own)
 *   LOGLAB_YARN_RM         host:port of a YARN ResourceManager's client address
 *                          (yarn.resourcemanager.address) for `mapreduce --engine yarn`; default
 *                          127.0.0.1:8032, where `npm run cluster -- up --services …,yarn` starts it
 *   HADOOP_CONF_DIR        a Hadoop client configuration directory (core-site.xml, hdfs-site.xml,
 *                          yarn-site.xml, mapred-site.xml), used as it is: `--engine yarn` then
 *                          takes HDFS and YARN from it (LOGLAB_HDFS_URL and LOGLAB_YARN_RM, when
 *                          set, still win)
 *   LOGLAB_KAFKA_CLIENT    kafkajs | rdkafka; the Kafka client behind the Broker port on the
 *                          cluster engine; default kafkajs. rdkafka is librdkafka through
 *                          @confluentinc/kafka-javascript, an optional package loaded only when
 *                          asked for (`npm run kafka:rdkafka` installs it)
 *   LOGLAB_DEBUG           any value but "" / 0 / false: the Kafka client logs to stderr
 */
import { badFlag } from './errors';
import type { Store } from './storage/store';
import { type Broker, ENGINES, type Engine } from './stream/broker';
import { createKafkaBroker, type KafkaBrokerConfig, kafkaAnswers } from './stream/kafka-broker';
import { createMemoryBroker, type MemoryBrokerOptions } from './stream/memory-broker';
import { createRdkafkaBroker, type RdkafkaBrokerConfig } from './stream/rdkafka-broker';

/** The Kafka clients the cluster engine can use behind the Broker port. */
export type KafkaClient = 'kafkajs' | 'rdkafka';
export const KAFKA_CLIENTS: readonly KafkaClient[] = ['kafkajs', 'rdkafka'];

export const DEFAULT_KAFKA_BROKERS = ['127.0.0.1:9092'];
export const DEFAULT_HDFS_URL = 'http://127.0.0.1:9870';
export const DEFAULT_HDFS_USER = 'loglab';
export const DEFAULT_YARN_RM = '127.0.0.1:8032';

export interface LoglabConfig {
  /** From LOGLAB_ENGINE; null when unset, so each command applies its own default. */
  readonly engine: Engine | null;
  readonly kafka: { readonly brokers: readonly string[]; readonly client: KafkaClient };
  /** WebHDFS of the cluster engine: the NameNode's HTTP base URL (no trailing slash) and user. */
  readonly hdfs: { readonly url: string; readonly user: string };
  /**
   * YARN for `mapreduce --engine yarn`: the ResourceManager's client address; `fromEnv` says
   * whether LOGLAB_YARN_RM set it (then it wins over a configuration directory's).
   */
  readonly yarn: { readonly resourceManager: string; readonly fromEnv: boolean };
  /** HADOOP_CONF_DIR, or null. */
  readonly hadoopConfDir: string | null;
  /** Whether LOGLAB_HDFS_URL was set (then it wins over a configuration directory's WebHDFS). */
  readonly hdfsFromEnv: boolean;
  readonly debug: boolean;
}

export function parseEngine(value: string, source = '--engine'): Engine {
  if ((ENGINES as readonly string[]).includes(value)) return value as Engine;
  throw badFlag(`${source} must be ${ENGINES.join(' or ')}, got "${value}"`);
}

function parseKafkaClient(value: string): KafkaClient {
  if ((KAFKA_CLIENTS as readonly string[]).includes(value)) return value as KafkaClient;
  throw badFlag(`LOGLAB_KAFKA_CLIENT must be ${KAFKA_CLIENTS.join(' or ')}, got "${value}"`);
}

function parseBrokers(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const address of list) {
    const colon = address.lastIndexOf(':');
    const port = Number(address.slice(colon + 1));
    if (colon < 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw badFlag(`LOGLAB_KAFKA_BROKERS must be host:port[,host:port…], got "${value}"`);
    }
  }
  if (list.length === 0) {
    throw badFlag(`LOGLAB_KAFKA_BROKERS must be host:port[,host:port…], got "${value}"`);
  }
  return list;
}

/** An http(s) URL with a host and nothing after the port: WebHDFS paths are added to it. */
function parseHdfsUrl(value: string): string {
  const wrong = () =>
    badFlag(`LOGLAB_HDFS_URL must be http://host:port of a NameNode's WebHDFS, got "${value}"`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw wrong();
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.hostname === '' ||
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw wrong();
  }
  return url.origin;
}

/** host:port, the host a name or an IPv4 address, or an IPv6 one in brackets. */
function parseResourceManager(value: string): string {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon);
  const port = Number(value.slice(colon + 1));
  if (
    colon < 1 ||
    !/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(host) ||
    !/^\d+$/.test(value.slice(colon + 1)) ||
    port < 1 ||
    port > 65535
  ) {
    throw badFlag(
      `LOGLAB_YARN_RM must be host:port of a ResourceManager (yarn.resourcemanager.address), got "${value}"`,
    );
  }
  return value;
}

function parseHdfsUser(value: string): string {
  // Sent as the user.name query parameter and shown as the owner of every file written.
  if (!/^[A-Za-z_][A-Za-z0-9._-]{0,63}$/.test(value)) {
    throw badFlag(`LOGLAB_HDFS_USER must be a user name (letters, digits, . _ -), got "${value}"`);
  }
  return value;
}

function isOn(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoglabConfig {
  const engine = env.LOGLAB_ENGINE;
  const brokers = env.LOGLAB_KAFKA_BROKERS;
  const client = env.LOGLAB_KAFKA_CLIENT;
  const hdfsUrl = env.LOGLAB_HDFS_URL;
  const hdfsUser = env.LOGLAB_HDFS_USER;
  const rm = env.LOGLAB_YARN_RM;
  const confDir = env.HADOOP_CONF_DIR;
  const set = (v: string | undefined): v is string => v !== undefined && v !== '';
  return {
    engine: engine === undefined || engine === '' ? null : parseEngine(engine, 'LOGLAB_ENGINE'),
    kafka: {
      brokers:
        brokers === undefined || brokers === '' ? DEFAULT_KAFKA_BROKERS : parseBrokers(brokers),
      client: client === undefined || client === '' ? 'kafkajs' : parseKafkaClient(client),
    },
    hdfs: {
      url: hdfsUrl === undefined || hdfsUrl === '' ? DEFAULT_HDFS_URL : parseHdfsUrl(hdfsUrl),
      user: hdfsUser === undefined || hdfsUser === '' ? DEFAULT_HDFS_USER : parseHdfsUser(hdfsUser),
    },
    yarn: {
      resourceManager: set(rm) ? parseResourceManager(rm) : DEFAULT_YARN_RM,
      fromEnv: set(rm),
    },
    hadoopConfDir: set(confDir) ? confDir : null,
    hdfsFromEnv: set(hdfsUrl),
    debug: isOn(env.LOGLAB_DEBUG),
  };
}

export interface CreateBrokerOptions {
  /** Options for the embedded broker. */
  readonly memory?: MemoryBrokerOptions;
  /** Overrides for the Kafka client (timeouts, retries, compression), whichever it is. */
  readonly kafka?: Partial<KafkaBrokerConfig>;
  /** Overrides for the rdkafka client only (delivery timeout, how the package is loaded). */
  readonly rdkafka?: Partial<RdkafkaBrokerConfig>;
}

/**
 * The adapter for an engine: the in-process broker, or `config.kafka.client` (kafkajs, or
 * librdkafka when LOGLAB_KAFKA_CLIENT=rdkafka) on `config.kafka.brokers`.
 */
export function createBroker(
  engine: Engine,
  config: LoglabConfig = loadConfig(),
  options: CreateBrokerOptions = {},
): Broker {
  if (engine === 'embedded') return createMemoryBroker(options.memory);
  if (config.kafka.client === 'rdkafka') {
    return createRdkafkaBroker({
      brokers: config.kafka.brokers,
      debug: config.debug,
      ...options.kafka,
      ...options.rdkafka,
    });
  }
  return createKafkaBroker({
    brokers: config.kafka.brokers,
    debug: config.debug,
    ...options.kafka,
  });
}

/** Where the embedded engine's lake lives when no directory is given. */
export const DEFAULT_LAKE_DIR = 'out/lake';

export interface CreateStoreOptions {
  /** The embedded engine's lake directory; made when missing. Default out/lake. */
  readonly lakeDir?: string;
  /**
   * The cluster engine's lake folder on HDFS, an absolute path (`hdfsLakeDir` checks one): the
   * lake's paths (`/loglab/raw/…`) are under it. Default (and `/`): HDFS's root.
   */
  readonly hdfsDir?: string;
  /** How long one WebHDFS request may wait (cluster engine). */
  readonly requestTimeoutMs?: number;
}

/**
 * The Store for an engine: a local lake directory, or HDFS through WebHDFS at `config.hdfs`.
 * Async, and the adapters are imported here rather than at the top: the embedded store makes
 * its directory before it answers, and a command that never touches the lake does not load the
 * WebHDFS client at start-up.
 */
export async function createStore(
  engine: Engine,
  config: LoglabConfig = loadConfig(),
  options: CreateStoreOptions = {},
): Promise<Store> {
  if (engine === 'embedded') {
    const { createLocalStore } = await import('./storage/local-store');
    return createLocalStore({ root: options.lakeDir ?? DEFAULT_LAKE_DIR });
  }
  const { createWebHdfsStore } = await import('./storage/webhdfs-store');
  const hdfs = createWebHdfsStore({
    url: config.hdfs.url,
    user: config.hdfs.user,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  if (options.hdfsDir === undefined || options.hdfsDir === '/') return hdfs;
  const { createPrefixedStore } = await import('./storage/prefixed-store');
  return createPrefixedStore(hdfs, options.hdfsDir);
}

/**
 * `dir` as the cluster engine's lake folder on HDFS (a --lake flag): an absolute path whose
 * names HDFS and the lake layout both accept (letters, digits and . _ = + -); one line
 * otherwise.
 */
export async function hdfsLakeDir(dir: string, flag = '--lake'): Promise<string> {
  const { checkLakePath, isValidPath } = await import('./storage/lake-layout');
  const check = checkLakePath(dir);
  if (!isValidPath(check)) {
    throw badFlag(
      `${flag} names a folder on HDFS: an absolute path (letters, digits and . _ = + - between slashes), got ${JSON.stringify(dir)}`,
    );
  }
  return check.path;
}

/**
 * The engine to use: the flag, else LOGLAB_ENGINE, else `cluster` when a Kafka broker answers
 * and `fallback` otherwise. Commands that need a broker shared between processes pass
 * `fallback: 'cluster'` so that a missing broker gives its clear error instead of a silent switch.
 */
export async function chooseEngine(
  flag: string | undefined,
  config: LoglabConfig,
  fallback: Engine = 'embedded',
  probe: (brokers: readonly string[]) => Promise<boolean> = kafkaAnswers,
): Promise<Engine> {
  if (flag !== undefined) return parseEngine(flag);
  if (config.engine !== null) return config.engine;
  return (await probe(config.kafka.brokers)) ? 'cluster' : fallback;
}

/** Where `bench/` scripts write their results files when LOGLAB_BENCH_RESULTS does not say. */
export const DEFAULT_BENCH_RESULTS_DIR = 'bench/results';

/**
 * The directory a `bench/` script writes its results file to: LOGLAB_BENCH_RESULTS, which
 * `npm run bench:cluster` sets to bench/results/cluster so the cluster run does not overwrite the
 * embedded run's files, or bench/results.
 */
export function benchResultsDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.LOGLAB_BENCH_RESULTS;
  return dir === undefined || dir === '' ? DEFAULT_BENCH_RESULTS_DIR : dir;
}
