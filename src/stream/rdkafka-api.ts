/**
 * The part of `@confluentinc/kafka-javascript`'s native API (librdkafka's `Producer` and
 * `KafkaConsumer`) that the rdkafka adapter uses, declared here, and the one function that loads
 * the package.
 *
 * What we decided:
 * - The package is not a dependency of loglab: it builds librdkafka from source on install
 *   (its prebuilt binaries are downloaded from GitHub, which is not always reachable), needs
 *   Debian's -dev packages for that, and takes a minute and a half. `npm run kafka:rdkafka`
 *   installs it, pinned, without touching package.json; kafkajs stays the default client.
 * - So its own types are not there when it is not installed: these few declarations, checked
 *   against its 1.10.1 `types/rdkafka.d.ts`, keep `npm run typecheck` independent of it.
 * - It is loaded with a dynamic `import()` of a name held in a variable, only when
 *   LOGLAB_KAFKA_CLIENT=rdkafka asks for it, so nothing else ever loads the native binding.
 */
import { LoglabError } from '../errors';

/** The package, pinned: the version `npm run kafka:rdkafka` installs. */
export const RDKAFKA_PACKAGE = '@confluentinc/kafka-javascript';
export const RDKAFKA_VERSION = '1.10.1';

/** The one line a user sees when the client was asked for and is not installed. */
export const RDKAFKA_MISSING = `LOGLAB_KAFKA_CLIENT=rdkafka needs ${RDKAFKA_PACKAGE}: run npm run kafka:rdkafka`;

/** librdkafka's error, as the binding hands it over (`LibrdKafkaError`). */
export interface RdError {
  readonly message: string;
  /** librdkafka's `rd_kafka_resp_err_t`: negative for the client's own, positive for Kafka's. */
  readonly code: number;
  readonly origin?: string;
  readonly isFatal?: boolean;
  readonly isRetriable?: boolean;
}

export interface RdTopicPartition {
  readonly topic: string;
  readonly partition: number;
  readonly offset?: number;
  readonly error?: RdError;
}

export interface RdMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: Buffer | null;
  readonly key?: Buffer | string | null;
  readonly timestamp?: number;
  readonly headers?: ReadonlyArray<Readonly<Record<string, Buffer | string>>>;
}

export interface RdDeliveryReport {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly opaque?: unknown;
}

export interface RdMetadata {
  readonly topics: ReadonlyArray<{
    readonly name: string;
    readonly partitions: ReadonlyArray<{ readonly id: number }>;
  }>;
}

/** librdkafka configuration properties (CONFIGURATION.md), plus the binding's callbacks. */
export type RdConfig = Record<string, string | number | boolean | ((...args: never[]) => void)>;

interface RdClient {
  connect(
    options: { timeout?: number; topic?: string; allTopics?: boolean },
    cb: (err: RdError | null) => void,
  ): unknown;
  disconnect(cb: (err: unknown) => void): unknown;
  disconnect(timeout: number, cb: (err: unknown) => void): unknown;
  isConnected(): boolean;
  getMetadata(
    options: { topic?: string; timeout?: number },
    cb: (err: RdError | null, data: RdMetadata) => void,
  ): unknown;
  on(event: 'event.error', listener: (err: RdError) => void): unknown;
}

export interface RdProducer extends RdClient {
  produce(
    topic: string,
    partition: number,
    message: Buffer,
    key: string | null,
    timestamp: number | null,
    opaque: unknown,
    headers: Array<Record<string, string>> | null,
  ): unknown;
  flush(timeout: number, cb: (err: RdError | null) => void): unknown;
  setPollInBackground(set: boolean): unknown;
  on(
    event: 'delivery-report',
    listener: (err: RdError | null, report: RdDeliveryReport) => void,
  ): unknown;
  on(event: 'event.error', listener: (err: RdError) => void): unknown;
}

export interface RdConsumer extends RdClient {
  subscribe(topics: string[]): unknown;
  assign(partitions: RdTopicPartition[]): unknown;
  unassign(): unknown;
  incrementalAssign(partitions: RdTopicPartition[]): unknown;
  incrementalUnassign(partitions: RdTopicPartition[]): unknown;
  rebalanceProtocol(): string;
  consume(count: number, cb: (err: RdError | null, messages: RdMessage[]) => void): void;
  setDefaultConsumeTimeout(ms: number): void;
  /** Wait `setDefaultConsumeTimeout` for the first record only, then take what is there. */
  setDefaultIsTimeoutOnlyForFirstMessage?(set: boolean): void;
  pause(partitions: RdTopicPartition[]): unknown;
  resume(partitions: RdTopicPartition[]): unknown;
  commitCb(offsets: RdTopicPartition[], cb: (err: RdError | null) => void): unknown;
  getWatermarkOffsets(topic: string, partition: number): { highOffset: number; lowOffset: number };
}

export interface RdkafkaModule {
  readonly Producer: new (config: RdConfig) => RdProducer;
  readonly KafkaConsumer: new (config: RdConfig, topicConfig?: RdConfig) => RdConsumer;
  readonly librdkafkaVersion: string;
}

/** Loads a module by name; tests pass one that fails as a missing package does. */
export type ModuleImporter = (name: string) => Promise<unknown>;

const defaultImporter: ModuleImporter = (name) => import(name);

function isMissing(err: unknown, name: string): boolean {
  const e = err as NodeJS.ErrnoException | null;
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return false;
  // The package itself, not a file it requires (its native binding, when the build failed).
  return (
    typeof e.message === 'string' &&
    (e.message.includes(`'${name}'`) || e.message.includes(`"${name}"`))
  );
}

/**
 * The package, or one LoglabError: the RDKAFKA_MISSING line when it is not installed, or the
 * reason its native part does not load (a failed or stale build) with the same remedy.
 */
export async function loadRdkafka(
  importer: ModuleImporter = defaultImporter,
  name: string = RDKAFKA_PACKAGE,
): Promise<RdkafkaModule> {
  let mod: unknown;
  try {
    mod = await importer(name);
  } catch (err) {
    if (isMissing(err, name)) {
      throw new LoglabError('NOT_FOUND', RDKAFKA_MISSING, { cause: err });
    }
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new LoglabError(
      'NOT_FOUND',
      `${name} is installed but does not load (${why}): run npm run kafka:rdkafka`,
      { cause: err },
    );
  }
  // An ES import of a CommonJS package puts its exports on `default` as well.
  const m = mod as Partial<RdkafkaModule> & { default?: RdkafkaModule };
  return m.Producer !== undefined ? (m as RdkafkaModule) : (m.default as RdkafkaModule);
}
