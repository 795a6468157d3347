/**
 * bench/latency.ts's producer on a thread of its own, with its own Kafka client: the load the
 * bench puts on the broker, kept off the thread whose latency it measures. On one thread, each
 * produce call encodes its batch in kafkajs's JavaScript (about 13 µs a message) while the
 * consumer's fetched records wait behind it; a real detector reads lines that other processes
 * produce. Started with `startWorker` (parallel/worker-thread.ts).
 */
import { createBroker, loadConfig } from '../config';
import { answerParent, workerInput } from '../parallel/worker-thread';
import { latencyTraffic, type PacedRun, producePaced } from './latency-traffic';

export interface LatencyProducerInput {
  readonly topic: string;
  readonly lines: number;
  readonly rate: number;
}

void answerParent(async (): Promise<PacedRun> => {
  const input = workerInput<LatencyProducerInput>();
  const lines = latencyTraffic(input.lines);
  const broker = createBroker('cluster', loadConfig());
  try {
    return await producePaced(broker, input.topic, lines, input.rate);
  } finally {
    await broker.close();
  }
});
