/**
 * Why a producer's messages should carry recent timestamps when the broker may restart: a broker
 * forgets an idempotent producer whose last record on a partition is stamped
 * producer.id.expiration.ms or more ago, each time it loads its producer snapshots on a restart
 * (and at its periodic expiry check). With no state for the producer it takes a batch sent again
 * for a new one, so a batch it wrote just before it went away is stored twice. Measured on Kafka
 * 4.4 with the Admin client's DescribeProducers: a producer whose record was stamped 2024 was
 * gone after a restart, one stamped at sending kept. Both Kafka adapters say so on the line that
 * says the broker answers again (kafka-broker.ts, rdkafka-producer.ts).
 */
import type { ProduceMessage } from './broker';

/** Kafka's default producer.id.expiration.ms: a day. */
export const PRODUCER_EXPIRY_MS = 86_400_000;

/** What the line saying a producer sends again adds when its messages are stamped long ago. */
export const FORGOTTEN_PRODUCER =
  "its messages are stamped over a day ago: a broker that restarted has forgotten this producer, so a batch it wrote just before it went away may be stored twice (--timestamp now keeps the broker's duplicate check)";

/**
 * True when every message of a send is stamped PRODUCER_EXPIRY_MS or more before `now`. A broker
 * forgets an idempotent producer whose last record on a partition carries such a timestamp,
 * each time it restarts (and at its periodic expiry check), and then takes a batch sent again
 * for a new one: what makes sending again on the same producer store each message once is gone.
 */
export function stampedBeforeExpiry(messages: readonly ProduceMessage[], now: number): boolean {
  if (messages.length === 0) return false;
  for (const m of messages) {
    if (m.timestamp === undefined || now - m.timestamp < PRODUCER_EXPIRY_MS) return false;
  }
  return true;
}
