/**
 * Kafka's default key → partition mapping, the same as the Java client
 * (`BuiltInPartitioner.partitionForKey`: `toPositive(murmur2(keyBytes)) % numPartitions`) and
 * kafkajs's `Partitioners.DefaultPartitioner`. Both adapters use this one function, so a client
 * IP lands on the same partition on the embedded engine and on a real cluster.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Java's `Utils.murmur2` over bytes: a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The 1–3 tail bytes, highest first (Java's switch falls through these cases).
  const tail = length & 3;
  if (tail === 3) h ^= data[length4 + 2] << 16;
  if (tail >= 2) h ^= data[length4 + 1] << 8;
  if (tail >= 1) h = Math.imul(h ^ data[length4], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * murmur2 of a string's UTF-8 bytes. ASCII keys (IPv4 and IPv6 addresses, host names) are hashed
 * straight from the char codes, without allocating a Buffer.
 */
export function murmur2String(key: string): number {
  const length = key.length;
  let h = SEED ^ length;
  // OR of every char code: anything above 0x7f means the key is not ASCII, so its UTF-8 bytes
  // differ from its char codes; checked at the end so the key is read only once.
  let all = 0;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    all |= c0 | c1 | c2 | c3;
    let k = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) {
    const c = key.charCodeAt(length4 + 2);
    all |= c;
    h ^= c << 16;
  }
  if (tail >= 2) {
    const c = key.charCodeAt(length4 + 1);
    all |= c;
    h ^= c << 8;
  }
  if (tail >= 1) {
    const c = key.charCodeAt(length4);
    all |= c;
    h = Math.imul(h ^ c, M);
  }
  if (all > 0x7f) return murmur2(Buffer.from(key, 'utf8'));
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: drops the sign bit (not `Math.abs`). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(key: string | Uint8Array, numPartitions: number): number {
  const hash = typeof key === 'string' ? murmur2String(key) : murmur2(key);
  return toPositive(hash) % numPartitions;
}

/**
 * Chooses partitions for a stream of messages: by key, or round-robin for null keys (as
 * kafkajs's default partitioner does; one counter per topic).
 */
export interface Partitioner {
  partition(topic: string, key: string | null, numPartitions: number): number;
}

export function createPartitioner(): Partitioner {
  const counters = new Map<string, number>();
  return {
    partition(topic, key, numPartitions) {
      if (key !== null) return toPositive(murmur2String(key)) % numPartitions;
      const next = counters.get(topic) ?? 0;
      counters.set(topic, next + 1);
      return next % numPartitions;
    },
  };
}
