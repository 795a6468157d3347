/**
 * The producing side of `runStream` on a thread of its own, with its own Kafka client (why:
 * stream-producer.ts). The thread runs `produceStream` and mirrors its counts into shared memory
 * after every acknowledged batch, so the stream's samples, lag and end condition read them as
 * they are; `stop` sets a flag the thread checks every 20 ms. Only for a real broker: the
 * embedded one lives in the stream's own thread.
 *
 * This module starts a thread by file URL, so it stays out of the index files (notebooks compile
 * the library as CommonJS, where `import.meta` does not exist); runStream imports it when asked.
 */
import { fileURLToPath } from 'node:url';
import type { LoglabConfig } from '../config';
import { startWorker } from '../parallel/worker-thread';
import type { ProduceCounts } from '../stream/line-producer';
import {
  type ProducerThreadInput,
  type ProducerThreadOutage,
  SHARED_BYTES,
  STOP_FLAG_OFFSET,
  STOP_WAIT_FLAG_OFFSET,
  type StreamProducerJob,
  type StreamProducerResult,
  type StreamProducerRun,
} from './stream-producer';

const WORKER_ENTRY = fileURLToPath(new URL('./stream-producer-worker.ts', import.meta.url));

/**
 * Produces the job's lines on a new thread through a Kafka client made from `config`; with
 * `outage`, it waits for a broker that went away, and `outageStop` ends that wait.
 */
export function startProducerThread(
  config: LoglabConfig,
  job: StreamProducerJob,
  outage?: ProducerThreadOutage,
  outageStop?: AbortSignal,
): StreamProducerRun {
  const shared = new SharedArrayBuffer(SHARED_BYTES);
  const counts = new Float64Array(shared, 0, 3);
  const stop = new Int32Array(shared, STOP_FLAG_OFFSET, 1);
  const stopWait = new Int32Array(shared, STOP_WAIT_FLAG_OFFSET, 1);
  const endWait = () => Atomics.store(stopWait, 0, 1);
  if (outageStop?.aborted) endWait();
  outageStop?.addEventListener('abort', endWait, { once: true });
  const input: ProducerThreadInput = { job, config, outage, shared };
  const started = startWorker<StreamProducerResult>(WORKER_ENTRY, input, 'producer thread');
  const done = started.result.then((result) => {
    if (result === null) throw new Error('the producer thread was stopped');
    return result;
  });
  return {
    counts: (): ProduceCounts => ({
      read: counts[0],
      produced: counts[1],
      deadLettered: counts[2],
    }),
    stop: () => {
      Atomics.store(stop, 0, 1);
    },
    done,
  };
}
