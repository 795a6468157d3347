/**
 * The same Broker port on its two Kafka clients, kafkajs and librdkafka (LOGLAB_KAFKA_CLIENT),
 * measured live on the real broker: the same messages produced and consumed through the port by
 * each, with throughput and CPU per message. A short run for notebook 02; bench/stream.ts is the
 * full one (1,000,000 lines, beside kcat and kafka-python).
 *
 * CPU is this process's (user + system), so librdkafka's own threads count: the comparison is
 * the whole client, not only its JavaScript.
 */
import { createBroker, type LoglabConfig } from '../config';
import type { ProduceMessage } from '../stream/broker';
import { createScratch } from '../stream/scratch';
import { type BenchReport, type BenchRow, createReport, timeOnce } from './harness';
import { consumeAll, cpuPerMessageUs } from './stream-cluster';
import { RDKAFKA_BATCH, rdkafkaAvailability, withClient } from './stream-rdkafka';

export interface ClientComparisonRow {
  readonly client: 'kafkajs' | 'rdkafka';
  readonly side: 'produce' | 'consume';
  readonly messagesPerSec: number;
  readonly cpuUsPerMessage: number;
}

export interface ClientComparison {
  readonly report: BenchReport;
  readonly rows: readonly ClientComparisonRow[];
  /** A client that did not run, and why: shown, never silent. */
  readonly skipped: readonly string[];
}

/** Messages per produce call: kafkajs's best batch (stream-cluster.ts), rdkafka's. */
const BATCH = { kafkajs: 1000, rdkafka: RDKAFKA_BATCH } as const;

export async function compareKafkaClients(
  config: LoglabConfig,
  messages: readonly ProduceMessage[],
): Promise<ClientComparison> {
  const clients: ('kafkajs' | 'rdkafka')[] = ['kafkajs'];
  const skipped: string[] = [];
  const rd = await rdkafkaAvailability();
  if (rd.kind === 'ready') clients.push('rdkafka');
  else skipped.push(`rdkafka: not measured, ${rd.reason}`);

  const admin = createBroker('cluster', withClient(config, 'kafkajs'));
  const scratch = createScratch(admin);
  const benchRows: BenchRow[] = [];
  const rows: ClientComparisonRow[] = [];
  const n = messages.length;
  try {
    for (const client of clients) {
      const topic = scratch.topic(`loglab.clients.${client}`);
      await admin.createTopics([{ name: topic, partitions: 6 }]);
      const broker = createBroker('cluster', withClient(config, client));
      try {
        // Connects and loads metadata outside the timing.
        await broker.produce(topic, messages.slice(0, 10));
        const produced = await timeOnce(
          `${client} produce`,
          'produce',
          { messages: n },
          async () => {
            for (let i = 0; i < n; i += BATCH[client]) {
              await broker.produce(topic, messages.slice(i, i + BATCH[client]));
            }
          },
        );
        const total = n + 10;
        const consumed = await timeOnce(
          `${client} consume`,
          'consume',
          { messages: total },
          async () => {
            const seen = await consumeAll(broker, scratch.group(`${client}.read`), topic, total);
            if (seen !== total) throw new Error(`${client} consumed ${seen} of ${total} messages`);
          },
        );
        for (const [side, row] of [
          ['produce', produced],
          ['consume', consumed],
        ] as const) {
          benchRows.push(row);
          rows.push({
            client,
            side,
            messagesPerSec: Math.round(row.messagesPerSec ?? 0),
            cpuUsPerMessage: Number((cpuPerMessageUs(row) ?? 0).toFixed(1)),
          });
        }
      } finally {
        await broker.close();
      }
    }
  } finally {
    await scratch.remove().catch(() => undefined);
    await admin.close();
  }
  const notes = [
    `${n.toLocaleString('en-US')} messages through the Broker port per client, 6 partitions; produce calls of ${BATCH.kafkajs.toLocaleString('en-US')} (kafkajs) and ${BATCH.rdkafka.toLocaleString('en-US')} (rdkafka) messages; consume = a fresh group reading the topic from the beginning`,
    ...skipped,
  ];
  return { report: createReport('kafka-clients', benchRows, [], notes), rows, skipped };
}
