/**
 * The producing side of `runStream`: the generator's lines through the line producer onto the
 * topic, with a checksum of what the broker acknowledged. It runs on the stream's own thread, or
 * on a thread of its own with its own Kafka client (stream-producer-thread.ts): kafkajs encodes
 * every message in JavaScript (about 13 µs each), which on one thread holds up the consumer and
 * the detectors; on two they overlap, and on a machine shared with other work the process gets
 * a second thread's share of the CPU.
 */
import type { LoglabConfig } from '../config';
import { type GenerateOptions, generateBuffers } from '../generate/index';
import { parseAuto } from '../log/auto';
import { readLines } from '../log/lines';
import type { Broker } from '../stream/broker';
import { createChecksum } from '../stream/checksum';
import {
  createLineProducer,
  type ProduceCounts,
  type TimestampSource,
} from '../stream/line-producer';
import { partitionForKey } from '../stream/partitioner';

/** What to produce, plain data so it can cross to a thread. */
export interface StreamProducerJob {
  readonly generate: GenerateOptions;
  readonly topic: string;
  /** Partitions of the topic: the checksum groups lines by the partition of their key. */
  readonly partitions: number;
  readonly batchSize: number;
  readonly timestamps?: TimestampSource;
  readonly rate?: number;
}

export interface StreamProducerResult {
  /** Checksum of the acknowledged lines (stream/checksum.ts). */
  readonly digest: string;
  /** Stopped before the generator was done. */
  readonly stoppedEarly: boolean;
}

/** A producing side at work. */
export interface StreamProducerRun {
  /** So far: lines taken, acknowledged, dead-lettered. */
  counts(): Readonly<ProduceCounts>;
  /** Stop taking lines; what was taken is still produced. */
  stop(): void;
  readonly done: Promise<StreamProducerResult>;
}

/**
 * How the producer thread waits for a broker that went away (kafka-broker.ts's
 * `producerOutage`): for up to `waitMs`, its two lines written to stderr after `prefix`.
 */
export interface ProducerThreadOutage {
  readonly waitMs: number;
  readonly prefix: string;
}

/**
 * What the producer thread gets: the job, where Kafka is, how it waits out an outage, and a
 * shared buffer with the counts (Float64 read, produced, deadLettered), at STOP_FLAG_OFFSET an
 * Int32 stop flag, and at STOP_WAIT_FLAG_OFFSET one that ends an outage wait.
 */
export interface ProducerThreadInput {
  readonly job: StreamProducerJob;
  readonly config: LoglabConfig;
  readonly outage?: ProducerThreadOutage;
  readonly shared: SharedArrayBuffer;
}

export const SHARED_BYTES = 32;
export const STOP_FLAG_OFFSET = 24;
export const STOP_WAIT_FLAG_OFFSET = 28;

/** Lines of generated chunks, as `readLines` gives them from a file. */
async function* generatedLines(options: GenerateOptions, paced: boolean): AsyncGenerator<string[]> {
  // Paced runs generate small chunks, so that Ctrl-C leaves little already generated to send.
  async function* chunks() {
    for (const chunk of generateBuffers(options, paced ? 16_384 : 1 << 18)) yield chunk;
  }
  yield* readLines(chunks());
}

/**
 * Produces the job's lines to `broker` on this thread. `onAcked` hears the counts after each
 * acknowledged batch (the thread mirrors them to the stream's); `room`, when given, is awaited
 * before each chunk of generated lines is taken (the stream's flow control on the embedded
 * broker, run-stream.ts).
 */
export function produceStream(
  broker: Broker,
  job: StreamProducerJob,
  onAcked?: (counts: Readonly<ProduceCounts>) => void,
  room?: (signal: AbortSignal) => Promise<void>,
): StreamProducerRun {
  const stopping = new AbortController();
  const sum = createChecksum();
  const producer = createLineProducer(broker, {
    topic: job.topic,
    parse: parseAuto,
    batchSize: job.batchSize,
    timestamps: job.timestamps,
    rate: job.rate,
    signal: stopping.signal,
    onAcked(messages) {
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i];
        // Keys of parsed lines are never null: the partition is the one the broker picked.
        sum.add(partitionForKey(m.key as string, job.partitions), m.value as string);
      }
      onAcked?.(producer.counts);
    },
  });
  const done = (async (): Promise<StreamProducerResult> => {
    let stoppedEarly = false;
    for await (const lines of generatedLines(job.generate, job.rate !== undefined)) {
      if (room !== undefined) await room(stopping.signal);
      if (stopping.signal.aborted) {
        stoppedEarly = true;
        break;
      }
      await producer.add(lines);
    }
    await producer.flush();
    onAcked?.(producer.counts);
    return { digest: sum.digest(), stoppedEarly };
  })();
  return {
    counts: () => producer.counts,
    stop: () => stopping.abort(),
    done,
  };
}
