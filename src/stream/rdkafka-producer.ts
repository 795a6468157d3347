/**
 * `produce` over librdkafka's native producer: one `Producer.produce()` call per message, which
 * only puts the message on librdkafka's queue; librdkafka's own thread batches the queue into
 * requests (linger.ms, batch.size) and reports each message's fate on a delivery report. A
 * `produce` resolves when every message of its batch has a successful report, and rejects on the
 * first failed one, so the port's contract (all acknowledged, or none counted) holds.
 *
 * - Idempotent (`enable.idempotence`: acks=all, in order, no duplicates from librdkafka's own
 *   retries), as the kafkajs adapter.
 * - Partitions: chosen here with loglab's partitioner (murmur2 of the key as Kafka's Java
 *   client; round-robin for null keys) and passed to librdkafka explicitly, since librdkafka's
 *   default (`consistent_random`, CRC32) would put a key elsewhere than the other two adapters.
 * - Delivery reports run on librdkafka's background thread (`setPollInBackground`), not on a
 *   timer in Node: a report costs the event loop one callback, no polling.
 * - A full queue (`queue.buffering.max.messages`) is waited out: the next delivery report makes
 *   room, and the message is offered again.
 * - A broker that does not answer: messages time out after `deliveryTimeoutMs` (librdkafka's
 *   message.timeout.ms) and the batch is rejected as SERVICE_DOWN, as kafkajs's bounded retries do.
 * - A report finds its batch without the binding's per-message `opaque`, which costs a V8
 *   persistent handle per message (1.5-1.8 µs of CPU per message, 6.8-7.2 against 5.3 µs in a
 *   bare produce loop, 200,000 messages at load 28): librdkafka reports a partition's messages in
 *   the order they were produced (the idempotent producer keeps that order through retries and
 *   timeouts, INTRODUCTION.md "Idempotent Producer"), so each partition keeps the batch of each
 *   message it has not reported yet, oldest first. A failure fails every batch that had a message
 *   of that partition unreported at the time: the one it belongs to is among them whatever the
 *   order, and the others are only sent again (at least once, never lost).
 */
import type { PartitionAck, ProduceMessage, ProduceResult } from './broker';
import { createPartitioner } from './partitioner';
import { FORGOTTEN_PRODUCER, stampedBeforeExpiry } from './producer-expiry';
import type { RdConfig, RdDeliveryReport, RdError, RdkafkaModule, RdProducer } from './rdkafka-api';
import { RD_QUEUE_FULL, rdkafkaError } from './rdkafka-errors';

export interface RdProducerSettings {
  readonly address: string;
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  /** How long librdkafka may keep trying to deliver a message (message.timeout.ms). */
  readonly deliveryTimeoutMs: number;
  readonly compression: 'none' | 'gzip';
  /** librdkafka's own log lines (its `debug` contexts) to stderr. */
  readonly debug: boolean;
  /**
   * One line when every broker went away while messages wait for their report, and one when a
   * report comes again: what the kafkajs adapter's outage wait says (`producerOutage`), where
   * librdkafka does the waiting, up to `deliveryTimeoutMs`.
   */
  readonly outageLog?: (line: string) => void;
}

/**
 * librdkafka's RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN. The binding's 'event.error' carries only
 * the text for it (code -1), so the text is matched too.
 */
const RD_ALL_BROKERS_DOWN = -187;
const isAllBrokersDown = (err: RdError): boolean =>
  err.code === RD_ALL_BROKERS_DOWN || /all broker connections are down/i.test(err.message);

/** What one `produce` call waits for: a count of reports and the first offset per partition. */
interface Pending {
  remaining: number;
  readonly bases: Map<number, number>;
  error: RdError | null;
  settle: () => void;
  /** Every message stamped over a day ago (producer-expiry.ts): a restart may store it twice. */
  readonly stale: boolean;
}

export interface RdSender {
  /** The topic's partition count from librdkafka's metadata; NOT_FOUND when there is none. */
  partitions(topic: string): Promise<number>;
  /** Sends a batch to a topic of `partitions` partitions; resolves once all are acknowledged. */
  send(
    topic: string,
    partitions: number,
    messages: readonly ProduceMessage[],
  ): Promise<ProduceResult>;
  /** Waits for what is queued, then disconnects. */
  close(): Promise<void>;
}

/** The batch of each message of one partition not reported yet, in the order produced. */
interface Unreported {
  items: Pending[];
  /** The next to be reported. */
  head: number;
  /** Entries before this index were unreported when a message of the partition failed… */
  failUntil: number;
  /** …with this error. */
  failure: RdError | null;
}

function headersOf(m: ProduceMessage): Array<Record<string, string>> | null {
  if (m.headers === undefined) return null;
  const out: Array<Record<string, string>> = [];
  for (const name in m.headers) out.push({ [name]: m.headers[name] });
  return out;
}

export async function connectRdProducer(
  rd: RdkafkaModule,
  settings: RdProducerSettings,
): Promise<RdSender> {
  const config: RdConfig = {
    'bootstrap.servers': settings.address,
    'client.id': settings.clientId,
    'enable.idempotence': true,
    'allow.auto.create.topics': false,
    'compression.codec': settings.compression,
    'message.timeout.ms': settings.deliveryTimeoutMs,
    // librdkafka refuses a message over 1,000,000 bytes itself; kafkajs leaves that to the
    // broker (1 MiB + 12 by default), which then answers MESSAGE_TOO_LARGE. Batches stay at
    // batch.size (1,000,000 bytes), so only a single large message goes past it.
    'message.max.bytes': 16 * 1024 * 1024,
    'socket.connection.setup.timeout.ms': settings.connectTimeoutMs,
    // librdkafka's own lines only when asked for; otherwise nothing on stderr.
    log_level: settings.debug ? 7 : 0,
    ...(settings.debug ? { debug: 'broker,topic,msg' } : {}),
    dr_cb: true,
  };
  const producer: RdProducer = new rd.Producer(config);
  let room: (() => void) | null = null;
  /** Per topic, per partition. */
  const unreported = new Map<string, Unreported[]>();
  const queueOf = (topic: string, partition: number): Unreported => {
    let parts = unreported.get(topic);
    if (parts === undefined) {
      parts = [];
      unreported.set(topic, parts);
    }
    let q = parts[partition];
    if (q === undefined) {
      q = { items: [], head: 0, failUntil: 0, failure: null };
      parts[partition] = q;
    }
    return q;
  };
  /** When every broker went away with messages waiting (outageLog); null otherwise. */
  let downSince: number | null = null;
  /** Whether a batch waiting then was stamped over a day ago (said when delivered again). */
  let downStale = false;
  /** Whether messages wait for their report; 'stale' when a batch of them is `stale`. */
  const waiting = (): boolean | 'stale' => {
    let any = false;
    for (const parts of unreported.values()) {
      for (const q of parts) {
        if (q === undefined) continue;
        for (let i = q.head; i < q.items.length; i++) {
          if (q.items[i].stale) return 'stale';
          any = true;
        }
      }
    }
    return any;
  };
  producer.on('delivery-report', (err: RdError | null, report: RdDeliveryReport) => {
    if (downSince !== null) {
      if (!err) {
        const s = ((Date.now() - downSince) / 1000).toFixed(1);
        settings.outageLog?.(
          `the broker at ${settings.address} answers again after ${s} s: delivered${downStale ? `; ${FORGOTTEN_PRODUCER}` : ''}`,
        );
      }
      downSince = null;
    }
    const q = unreported.get(report.topic)?.[report.partition];
    if (q === undefined || q.head >= q.items.length) return; // not one of ours
    const p = q.items[q.head];
    if (err) {
      q.failUntil = q.items.length;
      q.failure = err;
    }
    if (q.head < q.failUntil) p.error ??= q.failure;
    q.head++;
    if (q.head === q.items.length) {
      q.items = [];
      q.head = 0;
      q.failUntil = 0;
      q.failure = null;
    } else if (q.head >= 4096 && q.head * 2 >= q.items.length) {
      q.items = q.items.slice(q.head);
      q.failUntil = Math.max(0, q.failUntil - q.head);
      q.head = 0;
    }
    if (!err) {
      const base = p.bases.get(report.partition);
      if (base === undefined || report.offset < base) p.bases.set(report.partition, report.offset);
    }
    if (--p.remaining === 0) p.settle();
    if (room !== null) {
      const wake = room;
      room = null;
      wake();
    }
  });
  // Errors librdkafka reports outside a message (a broker going away): its own retries and
  // the messages' timeouts decide; here they are only said (outageLog), and an unhandled
  // 'error' must not crash the process.
  producer.on('event.error', (err: RdError) => {
    if (settings.outageLog === undefined || downSince !== null) return;
    if (!isAllBrokersDown(err)) return;
    const waits = waiting();
    if (waits === false) return;
    downSince = Date.now();
    downStale = waits === 'stale';
    const wait = (settings.deliveryTimeoutMs / 1000).toFixed(1);
    settings.outageLog(
      `no Kafka broker answers at ${settings.address} (all brokers down); waiting for it for up to ${wait} s (librdkafka keeps the batch)`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    producer.connect({ timeout: settings.connectTimeoutMs }, (err) => {
      if (err) reject(rdkafkaError(err, settings.address));
      else resolve();
    });
  }).catch(async (err) => {
    await new Promise((r) => producer.disconnect(0, r)).catch(() => undefined);
    throw err;
  });
  producer.setPollInBackground(true);

  const partitioner = createPartitioner();
  const waitForRoom = () =>
    new Promise<void>((resolve) => {
      room = resolve;
      // A report may never come if nothing is in flight: look again soon in any case.
      setTimeout(resolve, 50);
    });

  return {
    partitions(topic: string): Promise<number> {
      return new Promise((resolve, reject) => {
        producer.getMetadata({ topic, timeout: settings.connectTimeoutMs }, (err, data) => {
          const found = data?.topics.find((t) => t.name === topic);
          if (err) reject(rdkafkaError(err, settings.address, { topic }));
          else if (found === undefined || found.partitions.length === 0) {
            reject(rdkafkaError({ code: 3 }, settings.address, { topic }));
          } else resolve(found.partitions.length);
        });
      });
    },

    async send(topic, partitions, messages): Promise<ProduceResult> {
      let settle!: () => void;
      const done = new Promise<void>((resolve) => {
        settle = resolve;
      });
      const pending: Pending = {
        remaining: messages.length,
        bases: new Map(),
        error: null,
        settle,
        stale: settings.outageLog !== undefined && stampedBeforeExpiry(messages, Date.now()),
      };
      if (messages.length === 0) return { topic, count: 0, partitions: [] };
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i];
        const value = typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value;
        const partition = partitioner.partition(topic, m.key, partitions);
        const headers = m.headers === undefined ? null : headersOf(m);
        for (;;) {
          try {
            producer.produce(
              topic,
              partition,
              value,
              m.key,
              m.timestamp ?? null,
              undefined,
              headers,
            );
            queueOf(topic, partition).items.push(pending);
            break;
          } catch (err) {
            if ((err as RdError).code !== RD_QUEUE_FULL) {
              // Messages already queued still report; the batch fails once they have.
              pending.error ??= err as RdError;
              pending.remaining -= messages.length - i;
              if (pending.remaining === 0) settle();
              i = messages.length;
              break;
            }
            await waitForRoom();
          }
        }
      }
      await done;
      if (pending.error !== null) throw rdkafkaError(pending.error, settings.address, { topic });
      const acks: PartitionAck[] = [...pending.bases]
        .sort((a, b) => a[0] - b[0])
        .map(([partition, baseOffset]) => ({ partition, baseOffset }));
      return { topic, count: messages.length, partitions: acks };
    },

    async close(): Promise<void> {
      await new Promise<void>((resolve) =>
        producer.flush(settings.deliveryTimeoutMs, () => resolve()),
      );
      await new Promise<void>((resolve) => producer.disconnect(5000, () => resolve()));
    },
  };
}
