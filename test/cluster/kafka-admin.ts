/**
 * A kafkajs admin on the configured brokers for the length of `use`, for what the Broker port
 * does not ask (group states, offsets by timestamp): connected before, disconnected after.
 */
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config';

export async function withKafkaAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({
    brokers: [...loadConfig().kafka.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
