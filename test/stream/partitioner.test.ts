import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { loglabPartitioner } from '../../src/stream/kafka-broker';
import {
  createPartitioner,
  murmur2,
  murmur2String,
  partitionForKey,
  toPositive,
} from '../../src/stream/partitioner';

/**
 * Computed by the Java client itself (kafka-clients 4.4.0, `Utils.murmur2` and
 * `BuiltInPartitioner.partitionForKey` over the key's UTF-8 bytes). The first rows are also
 * the published vectors of Kafka's own `UtilsTest.testMurmur2`.
 * key, murmur2, partition of 6, of 3, of 12
 */
const JAVA: [string, number, number, number, number][] = [
  ['21', -973932308, 0, 0, 0],
  ['foobar', -790332482, 0, 0, 6],
  ['a-little-bit-long-string', -985981536, 2, 2, 8],
  ['a-little-bit-longer-string', -1486304829, 5, 2, 11],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5, 2, 5],
  ['abc', 479470107, 3, 0, 3],
  ['', 275646681, 3, 0, 9],
  ['a', -1563381124, 4, 1, 4],
  ['ab', 316155434, 2, 2, 2],
  ['192.168.1.100', -696295006, 4, 1, 10],
  ['10.0.0.1', 808591810, 4, 1, 10],
  ['127.0.0.1', 1937383612, 4, 1, 4],
  ['203.0.113.7', -1437676810, 4, 1, 10],
  ['198.51.100.23', -1448127881, 3, 0, 3],
  ['2001:db8::1', -1604073492, 2, 2, 8],
  ['66.249.66.1', -1234361620, 4, 1, 4],
  ['8.8.8.8', -1793400687, 5, 2, 5],
  ['172.16.254.3', -224809955, 3, 0, 9],
  ['café', -1358007374, 0, 0, 6],
  ['日本語', 1431860170, 4, 1, 10],
  ['🚀', 761778625, 1, 1, 1],
];

/** murmur2 a second way, in 64-bit BigInt arithmetic truncated to 32 bits as Java's int does. */
function murmur2BigInt(bytes: Uint8Array): number {
  const mask = 0xffffffffn;
  const m = 0x5bd1e995n;
  const int = (x: bigint) => BigInt.asIntN(32, x);
  const ushr = (x: bigint, n: bigint) => (x & mask) >> n;
  let h = int(0x9747b28cn ^ BigInt(bytes.length));
  const n4 = Math.floor(bytes.length / 4);
  for (let i = 0; i < n4; i++) {
    let k = 0n;
    for (let b = 3; b >= 0; b--) k = (k << 8n) | BigInt(bytes[i * 4 + b]);
    k = int(k * m);
    k = int(k ^ ushr(k, 24n));
    k = int(k * m);
    h = int(h * m);
    h = int(h ^ k);
  }
  const rest = bytes.length % 4;
  const at = bytes.length - rest;
  if (rest >= 3) h = int(h ^ (BigInt(bytes[at + 2]) << 16n));
  if (rest >= 2) h = int(h ^ (BigInt(bytes[at + 1]) << 8n));
  if (rest >= 1) h = int(int(h ^ BigInt(bytes[at])) * m);
  h = int(h ^ ushr(h, 13n));
  h = int(h * m);
  h = int(h ^ ushr(h, 15n));
  return Number(h);
}

/** Deterministic keys: IPv4, IPv6, host names, non-ASCII, every length from 0 to 40. */
function sampleKeys(count: number): string[] {
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s;
  };
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) keys.push(`${next() % 256}.${next() % 256}.${next() % 256}.${next() % 256}`);
    else if (kind === 1) keys.push(`2001:db8:${(next() % 65536).toString(16)}::${next() % 999}`);
    else if (kind === 2) keys.push(`crawler-${next() % 100000}.example.org`);
    else {
      let k = '';
      const len = next() % 41;
      for (let j = 0; j < len; j++) k += String.fromCodePoint(32 + (next() % 0x2fff));
      keys.push(k);
    }
  }
  return keys;
}

describe('murmur2 key → partition, as Kafka does it', () => {
  it('matches the Java client on known keys, hash and partition', () => {
    for (const [key, hash, p6, p3, p12] of JAVA) {
      const bytes = Buffer.from(key, 'utf8');
      expect([key, murmur2(bytes)]).toEqual([key, hash]);
      expect([key, murmur2String(key)]).toEqual([key, hash]);
      expect([
        key,
        partitionForKey(key, 6),
        partitionForKey(key, 3),
        partitionForKey(key, 12),
      ]).toEqual([key, p6, p3, p12]);
      expect(partitionForKey(bytes, 6)).toBe(p6);
    }
  });

  it('agrees with an independent BigInt implementation on 4,000 keys of all shapes', () => {
    for (const key of sampleKeys(4000)) {
      const bytes = Buffer.from(key, 'utf8');
      const expected = murmur2BigInt(bytes);
      expect([key, murmur2String(key)]).toEqual([key, expected]);
      expect([key, murmur2(bytes)]).toEqual([key, expected]);
    }
  });

  it('gives a message without a key the partition it was first given, when kafkajs asks again on a retry', () => {
    const ours = loglabPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, i) => ({
      partitionId: i,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    const batch = Array.from({ length: 8 }, (_, i) => ({ key: null, value: `v${i}` }));
    const first = batch.map((message) => ours({ topic: 't', partitionMetadata, message }));
    // Round-robin across the first request…
    expect(new Set(first).size).toBe(6);
    // …and the same spread when the request is built again, as a retry does.
    const again = batch.map((message) => ours({ topic: 't', partitionMetadata, message }));
    expect(again).toEqual(first);
    // A new message without a key goes on with the round-robin.
    const next = ours({ topic: 't', partitionMetadata, message: { key: null, value: 'w' } });
    expect(next).toBe((first[7] + 1) % 6);
  });

  it('hashes keys over the partition count it first saw for a topic, when kafkajs asks again after the topic grew', () => {
    const ours = loglabPartitioner();
    const meta = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        partitionId: i,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
    const keys = sampleKeys(200);
    const first = keys.map((key) =>
      ours({ topic: 't', partitionMetadata: meta(6), message: { key, value: 'v' } }),
    );
    expect(first).toEqual(keys.map((key) => partitionForKey(key, 6)));
    // Twelve partitions now: a retry must not move a message, so keys stay on their six.
    const after = keys.map((key) =>
      ours({ topic: 't', partitionMetadata: meta(12), message: { key, value: 'v' } }),
    );
    expect(after).toEqual(first);
    expect(after.some((p, i) => p !== partitionForKey(keys[i], 12))).toBe(true);
    // Another topic is counted on its own.
    expect(
      ours({ topic: 'u', partitionMetadata: meta(12), message: { key: keys[0], value: 'v' } }),
    ).toBe(partitionForKey(keys[0], 12));
  });

  it("agrees with kafkajs's DefaultPartitioner, which the kafka adapter replaces", () => {
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 6, 7, 12]) {
      // One producer a partition count: ours keeps the count it first saw for a topic.
      const ours = loglabPartitioner();
      const partitionMetadata = Array.from({ length: n }, (_, i) => ({
        partitionId: i,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      for (const key of sampleKeys(1000)) {
        const message = { key, value: 'v' };
        const expected = theirs({ topic: 't', partitionMetadata, message });
        expect([key, n, ours({ topic: 't', partitionMetadata, message })]).toEqual([
          key,
          n,
          expected,
        ]);
        expect(partitionForKey(key, n)).toBe(expected);
      }
    }
  });

  it('drops the sign bit instead of taking the absolute value', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-973932308)).toBe(1173551340);
    expect(toPositive(5)).toBe(5);
  });

  it('spreads null keys round-robin, one counter per topic', () => {
    const p = createPartitioner();
    const a = [0, 1, 2, 3, 4, 5, 6].map(() => p.partition('a', null, 3));
    const b = [0, 1].map(() => p.partition('b', null, 3));
    expect(a).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(b).toEqual([0, 1]);
    expect(p.partition('a', '192.168.1.100', 6)).toBe(4);
  });
});
