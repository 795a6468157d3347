/**
 * A producer and a consumer on one topic at the same time, sampled as they go: messages/s
 * produced and consumed in each interval and the lag between them (acknowledged − consumed).
 * The notebook draws it (`viz.streamThroughputChart`); on the embedded engine both sides share
 * this process, on a cluster they share the broker.
 *
 *   messages ──produce (batches, optional rate)──▶ topic ──poll → handle → commit──▶ counted
 *                         └──────────── every sampleMs: a StreamPoint ─────────────┘
 */
import { badFlag, LoglabError } from '../errors';
import type { Broker, ProduceMessage, RecordBatch } from '../stream/broker';

export interface StreamPoint {
  /** Seconds since the start, at the end of the interval. */
  readonly seconds: number;
  /** Messages acknowledged per second over the interval. */
  readonly produced: number;
  /** Messages consumed (handled and committed) per second over the interval. */
  readonly consumed: number;
  /** Acknowledged but not yet consumed, at the end of the interval. */
  readonly lag: number;
}

export interface LiveStreamOptions {
  readonly topic: string;
  readonly groupId: string;
  readonly messages: readonly ProduceMessage[];
  /** Messages per produce call (1,000). */
  readonly batch?: number;
  /** Messages per second the producer keeps to; as fast as it can when absent. */
  readonly rate?: number;
  /** Sampling interval in ms (100). */
  readonly sampleMs?: number;
  /** Records per poll (10,000). */
  readonly pollRecords?: number;
  /**
   * The consumer stops reading for `forSeconds` from `atSeconds` after the start (a long garbage
   * collection, a slow database): lag builds up, then it catches up.
   */
  readonly pause?: { readonly atSeconds: number; readonly forSeconds: number };
  /** What the consumer does with each poll before it commits; a slow one builds up lag. */
  readonly handle?: (batches: readonly RecordBatch<string>[]) => void | Promise<void>;
  /** Clock in ms; tests pass their own. */
  readonly now?: () => number;
}

export interface LiveStreamResult {
  readonly points: StreamPoint[];
  readonly produced: number;
  readonly consumed: number;
  readonly seconds: number;
  /** Messages through the whole way (produced and consumed) per second. */
  readonly messagesPerSec: number;
  /** Largest lag seen at a sample. */
  readonly maxLag: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Produces `messages` to `topic` while a consumer in `groupId` (reading from the beginning, so
 * the topic should be new or the group's offsets at its end) handles and commits them; resolves
 * once every message was consumed.
 */
export async function runLiveStream(
  broker: Broker,
  options: LiveStreamOptions,
): Promise<LiveStreamResult> {
  const batch = options.batch ?? 1000;
  const sampleMs = options.sampleMs ?? 100;
  if (!Number.isInteger(batch) || batch < 1) throw badFlag(`batch must be 1 or more, got ${batch}`);
  if (options.rate !== undefined && !(options.rate > 0)) {
    throw badFlag(`rate must be above 0, got ${options.rate}`);
  }
  const now = options.now ?? (() => performance.now());
  const total = options.messages.length;
  const consumer = await broker.subscribe({
    groupId: options.groupId,
    topics: [options.topic],
    fromBeginning: true,
  });
  let produced = 0;
  let consumed = 0;
  let maxLag = 0;
  const points: StreamPoint[] = [];
  const start = now();
  let last = { at: start, produced: 0, consumed: 0 };
  const sample = () => {
    const at = now();
    const dt = (at - last.at) / 1000;
    if (dt <= 0) return;
    const lag = produced - consumed;
    if (lag > maxLag) maxLag = lag;
    points.push({
      seconds: (at - start) / 1000,
      produced: (produced - last.produced) / dt,
      consumed: (consumed - last.consumed) / dt,
      lag,
    });
    last = { at, produced, consumed };
  };
  let tick: (() => void) | null = null;
  const timer = setInterval(() => {
    sample();
    tick?.();
  }, sampleMs);

  const produce = async () => {
    for (let i = 0; i < total; i += batch) {
      if (options.rate !== undefined) {
        const due = start + (i / options.rate) * 1000;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
      }
      const chunk = options.messages.slice(i, i + batch);
      await broker.produce(options.topic, chunk);
      produced += chunk.length;
    }
  };
  const consume = async () => {
    let paused = false;
    while (consumed < total) {
      const pause = options.pause;
      if (pause && !paused && now() - start >= pause.atSeconds * 1000) {
        paused = true;
        await sleep(pause.forSeconds * 1000);
      }
      const result = await consumer.poll({
        maxRecords: Math.min(options.pollRecords ?? 10_000, total - consumed),
        maxWaitMs: 200,
      });
      if (result.kind === 'stopped') {
        throw new LoglabError(
          'INTERNAL',
          `the consumer stopped after ${consumed} of ${total} messages`,
        );
      }
      if (result.kind === 'idle') continue;
      if (options.handle) await options.handle(result.batches);
      await consumer.commit();
      consumed += result.count;
    }
  };
  let end = start;
  try {
    await Promise.all([produce(), consume()]);
    end = now();
    // The last point covers a whole interval too: a short one would show a spike of rate.
    await new Promise<void>((resolve) => {
      tick = resolve;
    });
  } finally {
    clearInterval(timer);
    await consumer.close();
  }
  const seconds = (end - start) / 1000;
  return {
    points,
    produced,
    consumed,
    seconds,
    messagesPerSec: seconds > 0 ? consumed / seconds : 0,
    maxLag,
  };
}
