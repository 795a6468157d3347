/**
 * @platformatic/kafka (1.x, pure JavaScript) as a third peer of the cluster stream benchmark,
 * beside kafkajs and kcat. Measurement only: it is not a `Broker` adapter, and nothing in the
 * pipeline uses it. stream-cluster.ts times these calls in its rounds, as it times kafkajs's.
 *
 * The same work as the other two peers:
 * - producer: idempotent (the library then forces acks=all and one request in flight per
 *   broker), the same codec, the first N lines of the same keyed file read in 1 MiB chunks by
 *   `keyedBatches` (stream-file.ts), as the kafkajs side reads them, 1,000 messages per awaited
 *   `send`; keys and values are slices of the chunk as read, which the library's default
 *   serialisers pass through as they are;
 * - partitions: set on each message with `partitionForKey`, the function the kafkajs adapter
 *   uses. The library's `defaultPartitioner` takes `murmur2 >>> 0` where Java takes
 *   `murmur2 & 0x7fffffff`, so about half of the client IPs would land on another partition
 *   than with kcat and kafkajs; its `compatibilityPartitioner` agrees with Java but hashes with
 *   BigInt, about 1 µs a key against 0.06 µs, a cost the other peers do not pay;
 * - consumer: a fresh group reading the topic from the beginning (`committed`, falling back to
 *   `earliest` as a new group has no offsets: kafkajs's `fromBeginning`), exactly `count`
 *   messages, values left as Buffers.
 *
 * The package is not one of loglab's dependencies: its 1.x line runs on Node 20, but two of its
 * own dependencies declare Node 22, so every install would warn. Add it for a run with
 * `npm install --no-save @platformatic/kafka@1.35.0`; it is loaded with a dynamic import, and the
 * little of it used here is typed below.
 */
import { partitionForKey } from '../stream/partitioner';
import type { Codec } from './codec';
import { keyedBatches } from './stream-file';

/** The package, and the version its API below was written against. */
export const PLATFORMATIC_PACKAGE = '@platformatic/kafka';
export const PLATFORMATIC_VERSION = '1.35.0';

interface OutMessage {
  topic: string;
  key?: Buffer;
  value: Buffer;
  partition?: number;
}
interface CommitOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
}
interface MessagesStream {
  on(event: 'data', listener: (m: { partition: number; offset: bigint }) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  close(): Promise<void>;
}
/** What this file uses of @platformatic/kafka 1.x. */
interface Library {
  Producer: new (options: {
    clientId: string;
    bootstrapBrokers: string[];
    idempotent: boolean;
    compression: Codec;
  }) => { send(o: { messages: OutMessage[] }): Promise<unknown>; close(): Promise<void> };
  Consumer: new (options: {
    clientId: string;
    bootstrapBrokers: string[];
    groupId: string;
    autocommit: boolean;
  }) => {
    consume(o: {
      topics: string[];
      mode: 'committed';
      fallbackMode: 'earliest';
      autocommit: boolean;
    }): Promise<MessagesStream>;
    commit(o: { offsets: CommitOffset[] }): Promise<void>;
    close(): Promise<void>;
  };
}

/** Messages per `send`: the kafkajs row the ratios use sends batches of 1,000 too. */
export const PLATFORMATIC_BATCH = 1000;
/** Messages between commits: the kafkajs consumer commits after every poll of 10,000. */
export const PLATFORMATIC_COMMIT_EVERY = 10_000;
const CLIENT_ID = 'loglab-bench-platformatic';

export type PlatformaticLoad =
  | { readonly kind: 'loaded'; readonly lib: Library }
  | { readonly kind: 'missing'; readonly reason: string };

export function isLoaded(
  load: PlatformaticLoad,
): load is Extract<PlatformaticLoad, { kind: 'loaded' }> {
  return load.kind === 'loaded';
}

/** The library, or why it could not be imported (not installed, or it fails on this Node). */
export async function loadPlatformatic(): Promise<PlatformaticLoad> {
  try {
    // A name in a variable: the compiler must not look for a package that may not be there.
    const name: string = PLATFORMATIC_PACKAGE;
    return { kind: 'loaded', lib: (await import(name)) as Library };
  } catch (err) {
    return { kind: 'missing', reason: (err as Error).message.split('\n')[0] };
  }
}

export function platformaticProduceRow(codec: Codec): string {
  return `platformatic produce, ${codec}`;
}

export function platformaticConsumeRow(codec: Codec): string {
  return `platformatic consume, ${codec}`;
}

/** What the report says once about how these rows were made. */
export const PLATFORMATIC_NOTE =
  '@platformatic/kafka 1.x: idempotent producer (acks=all, one request in flight per broker), batches of 1,000, partitions set with the Java-compatible murmur2 (its default partitioner differs from Java for about half the keys); consumer commits the handled offsets every 10,000 messages without pausing the stream; platformatic/kcat ratios carry no target: the 0.5 target is for kafkajs through the Broker port';

export interface PlatformaticProducer {
  /**
   * Produces the first `limit` lines of a keyed file to `topic`, `batch` messages per awaited
   * `send`. Resolves with the number of messages acknowledged.
   */
  produceFile(topic: string, path: string, batch: number, limit: number): Promise<number>;
  close(): Promise<void>;
}

export interface PlatformaticProducerOptions {
  readonly brokers: readonly string[];
  readonly codec: Codec;
  /** Partitions of every topic produced to (the benchmark creates them all alike). */
  readonly partitions: number;
}

export function createPlatformaticProducer(
  lib: Library,
  o: PlatformaticProducerOptions,
): PlatformaticProducer {
  const producer = new lib.Producer({
    clientId: CLIENT_ID,
    bootstrapBrokers: [...o.brokers],
    idempotent: true,
    compression: o.codec,
  });
  const send = (messages: OutMessage[]) => producer.send({ messages });
  return {
    async produceFile(topic, path, batch, limit) {
      let sent = 0;
      const toMessage = (key: Buffer | null, value: Buffer): OutMessage =>
        key === null
          ? // No key: the library's round-robin, as kafkajs's partitioner does.
            { topic, value }
          : { topic, key, value, partition: partitionForKey(key, o.partitions) };
      for await (const messages of keyedBatches(path, batch, limit, toMessage)) {
        await send(messages);
        sent += messages.length;
      }
      return sent;
    },
    close: () => producer.close(),
  };
}

/**
 * The offsets to commit for the last handled offset of each partition of `topic` (index =
 * partition): the next offset to read, with an unknown leader epoch (-1).
 */
export function commitOffsets(
  topic: string,
  last: readonly (bigint | undefined)[],
): CommitOffset[] {
  const out: CommitOffset[] = [];
  for (let partition = 0; partition < last.length; partition++) {
    const offset = last[partition];
    if (offset !== undefined) out.push({ topic, partition, offset: offset + 1n, leaderEpoch: -1 });
  }
  return out;
}

export interface PlatformaticConsumeOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly topic: string;
  /** Messages to read, then stop. */
  readonly count: number;
  readonly commitEvery?: number;
  readonly timeoutMs?: number;
}

export interface PlatformaticConsumeSummary {
  readonly consumed: number;
  readonly commits: number;
}

/**
 * Reads `count` messages of `topic` as group `groupId`, from the beginning when the group is
 * new, and commits them.
 *
 * Commit mode: manual (`autocommit: false`), the offsets of the messages handled so far, every
 * `commitEvery` messages and once after the last one, each commit after the previous one. This
 * is what the kafkajs side does through `runConsumer` (commit what one poll of 10,000 returned,
 * after handling it), so both commit about 100 times per million messages and only what they
 * handled (at least once). The library's own `autocommit: true` would commit after every fetch
 * response the offsets merely fetched, and a number (ms) commits on a timer; per-message
 * `message.commit()` would be one request per message. Unlike kafkajs's loop, which waits for
 * each commit while its fetcher keeps prefetching, the stream is not paused during a commit:
 * pausing stops this library's fetching too, which kafkajs's does not.
 */
export async function consumePlatformatic(
  lib: Library,
  o: PlatformaticConsumeOptions,
): Promise<PlatformaticConsumeSummary> {
  const commitEvery = o.commitEvery ?? PLATFORMATIC_COMMIT_EVERY;
  const timeoutMs = o.timeoutMs ?? 300_000;
  const consumer = new lib.Consumer({
    clientId: CLIENT_ID,
    bootstrapBrokers: [...o.brokers],
    groupId: o.groupId,
    autocommit: false,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const stream = await consumer.consume({
      topics: [o.topic],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
    });
    try {
      const last: (bigint | undefined)[] = [];
      let seen = 0;
      let commits = 0;
      let failure: Error | undefined;
      let chain: Promise<void> = Promise.resolve();
      const commit = () => {
        const offsets = commitOffsets(o.topic, last);
        chain = chain
          .then(() => consumer.commit({ offsets }))
          .then(
            () => {
              commits++;
            },
            (err: Error) => {
              failure ??= err;
            },
          );
      };
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `platformatic consumed ${seen} of ${o.count} messages in ${timeoutMs / 1000} s`,
              ),
            ),
          timeoutMs,
        );
        stream.on('error', reject);
        stream.on('data', (m) => {
          if (seen >= o.count) return;
          last[m.partition] = m.offset;
          seen++;
          if (seen === o.count) resolve();
          else if (seen % commitEvery === 0) commit();
        });
      });
      commit();
      await chain;
      if (failure) throw failure;
      return { consumed: seen, commits };
    } finally {
      await stream.close();
    }
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
}
