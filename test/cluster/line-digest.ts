/**
 * An order-independent digest of a multiset of lines: their count and the sum, modulo 2^64, of
 * the first 8 bytes of each line's SHA-1. Every hop of a run can compute it whatever order it
 * holds the lines in (a topic's partitions, a lake's hour files, a MapReduce job's splits), and
 * sums from several places add up: a lost, repeated or changed line changes it. Unlike
 * stream/checksum.ts it does not check order, which only a partition keeps.
 */
import { createHash } from 'node:crypto';

const MASK = (1n << 64n) - 1n;

export interface LineDigest {
  count: number;
  sum: bigint;
}

export function emptyDigest(): LineDigest {
  return { count: 0, sum: 0n };
}

/** Adds one line (without its newline). */
export function addLine(d: LineDigest, line: string): void {
  const h = createHash('sha1').update(line).digest();
  d.sum = (d.sum + h.readBigUInt64BE(0)) & MASK;
  d.count++;
}

/** Adds another digest: the digest of both multisets together. */
export function addDigest(d: LineDigest, other: LineDigest): void {
  d.sum = (d.sum + other.sum) & MASK;
  d.count += other.count;
}

export function digestOf(lines: Iterable<string>): LineDigest {
  const d = emptyDigest();
  for (const line of lines) addLine(d, line);
  return d;
}

/** "174252:0123456789abcdef", what the tests compare and print. */
export function digestText(d: LineDigest): string {
  return `${d.count}:${d.sum.toString(16).padStart(16, '0')}`;
}

/** The inverse of digestText. */
export function parseDigest(text: string): LineDigest {
  const m = /^(\d+):([0-9a-f]{16})$/.exec(text);
  if (m === null) throw new Error(`not a line digest: "${text}"`);
  return { count: Number(m[1]), sum: BigInt(`0x${m[2]}`) };
}
