/**
 * Inside the producer thread (stream-producer-thread.ts): `produceStream` on a Kafka client of
 * the thread's own, its counts mirrored into the shared buffer, its checksum posted back.
 */
import { createBroker } from '../config';
import { answerParent, workerInput } from '../parallel/worker-thread';
import {
  type ProducerThreadInput,
  produceStream,
  STOP_FLAG_OFFSET,
  STOP_WAIT_FLAG_OFFSET,
  type StreamProducerResult,
} from './stream-producer';

void answerParent(async (): Promise<StreamProducerResult> => {
  const { job, config, outage, shared } = workerInput<ProducerThreadInput>();
  const counts = new Float64Array(shared, 0, 3);
  const stop = new Int32Array(shared, STOP_FLAG_OFFSET, 1);
  const stopWait = new Int32Array(shared, STOP_WAIT_FLAG_OFFSET, 1);
  const waiting = new AbortController();
  const broker = createBroker(
    'cluster',
    config,
    outage === undefined
      ? {}
      : {
          kafka: {
            producerOutage: {
              // Written from this thread: Node passes it on to the process's stderr.
              log: (line) => process.stderr.write(`${outage.prefix}${line}\n`),
              signal: waiting.signal,
              totalWaitMs: outage.waitMs,
            },
          },
        },
  );
  const run = produceStream(broker, job, (c) => {
    counts[0] = c.read;
    counts[1] = c.produced;
    counts[2] = c.deadLettered;
  });
  const watch = setInterval(() => {
    if (Atomics.load(stop, 0) === 1) run.stop();
    if (Atomics.load(stopWait, 0) === 1) waiting.abort();
  }, 20);
  try {
    return await run.done;
  } finally {
    clearInterval(watch);
    await broker.close();
  }
});
