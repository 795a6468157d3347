/**
 * A checksum of the lines of a topic that also checks Kafka's one ordering promise: per
 * partition, SHA-1 over its lines in offset order (each followed by "\n"); the digest is the
 * line count and SHA-1 over the partitions' digests in partition order. A lost, duplicated,
 * changed or reordered line changes it; how partitions interleave does not. Native hashing,
 * one call per line: a hash written in JavaScript costs several times more per character.
 */
import { createHash, type Hash } from 'node:crypto';

export interface LineChecksum {
  readonly count: number;
  add(partition: number, line: string): void;
  /** "20000:89abcdef01234567". */
  digest(): string;
}

export function createChecksum(): LineChecksum {
  const hashes: Hash[] = [];
  let count = 0;
  return {
    get count() {
      return count;
    },
    add(partition, line) {
      let h = hashes[partition];
      if (h === undefined) {
        h = createHash('sha1');
        hashes[partition] = h;
      }
      h.update(`${line}\n`);
      count++;
    },
    digest() {
      const all = createHash('sha1');
      for (let p = 0; p < hashes.length; p++) {
        all.update(`${p}:${hashes[p] === undefined ? '' : hashes[p].copy().digest('hex')}\n`);
      }
      return `${count}:${all.digest('hex').slice(0, 16)}`;
    },
  };
}
