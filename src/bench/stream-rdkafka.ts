/**
 * The optional librdkafka client (LOGLAB_KAFKA_CLIENT=rdkafka, `npm run kafka:rdkafka`) as a peer
 * of the cluster stream benchmark. Unlike @platformatic/kafka it is a `Broker` adapter, so its
 * rows go through the port exactly as kafkajs's do (stream-cluster.ts times them in the same
 * rounds): `produceFile` over the same keyed file, and a fresh group reading the topic from the
 * beginning with values as bytes.
 *
 * One difference, said in the notes: its produce calls carry 10,000 messages, not 1,000. Each
 * call waits for all of its delivery reports, and librdkafka only starts a request after
 * `linger.ms` (5 ms); at 1,000 messages a call that pause and the round trip are paid for every
 * 1,000 messages, which measures the waiting rather than the client.
 */
import type { LoglabConfig } from '../config';
import { loadRdkafka, RDKAFKA_PACKAGE, RDKAFKA_VERSION } from '../stream/rdkafka-api';
import type { Codec } from './codec';

/** Messages per awaited produce call of the rdkafka rows. */
export const RDKAFKA_BATCH = 10_000;
/** The target for the librdkafka client against kcat, producing and consuming. */
export const RDKAFKA_RATIO_TARGET = 0.5;

export const rdkafkaProduceRow = (codec: Codec) => `rdkafka produce, ${codec}`;
export const rdkafkaConsumeRow = (codec: Codec) => `rdkafka consume, ${codec}`;

/** The config with its Kafka client set, whatever LOGLAB_KAFKA_CLIENT said. */
export function withClient(config: LoglabConfig, client: 'kafkajs' | 'rdkafka'): LoglabConfig {
  return { ...config, kafka: { ...config.kafka, client } };
}

export type RdkafkaAvailability =
  | { readonly kind: 'ready'; readonly librdkafka: string }
  | { readonly kind: 'missing'; readonly reason: string };

/** Whether the package loads here, and its librdkafka version. */
export async function rdkafkaAvailability(): Promise<RdkafkaAvailability> {
  try {
    const rd = await loadRdkafka();
    return { kind: 'ready', librdkafka: rd.librdkafkaVersion };
  } catch (err) {
    return { kind: 'missing', reason: (err as Error).message };
  }
}

export function rdkafkaNote(librdkafka: string): string {
  return `rdkafka: ${RDKAFKA_PACKAGE} ${RDKAFKA_VERSION} (librdkafka ${librdkafka}) through the Broker port, its native API: one Producer.produce() per message, idempotent, ${RDKAFKA_BATCH.toLocaleString('en-US')} messages per awaited produce call; the consumer a fresh group as kafkajs's; CPU counts librdkafka's threads, which run in this process`;
}
