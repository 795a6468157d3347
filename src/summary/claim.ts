/** The loop every thread of a file summary runs: claim the next block, count it, repeat. */
import type { Parser } from '../log/parser';
import { claimNext, ITEMS_DONE, markDone, NEXT_ITEM } from '../parallel/claim';
import type { SummaryState } from './aggregator';
import { blockBuffer, countBlock } from './blocks';

/** Slots of the shared counter array. */
export const NEXT_BLOCK = NEXT_ITEM;
export const BLOCKS_DONE = ITEMS_DONE;

export interface BlockJob {
  fd: number;
  size: number;
  blockSize: number;
  /** Int32Array over a SharedArrayBuffer: [next block to claim, blocks finished]. */
  counters: Int32Array;
  parse: Parser;
  fast: boolean;
}

/**
 * Count blocks until none is left, or until this thread has counted `limit`; returns how many
 * this thread counted.
 */
export function countClaimedBlocks(
  st: SummaryState,
  job: BlockJob,
  onBlock?: () => void,
  limit = Number.POSITIVE_INFINITY,
): number {
  const blocks = Math.ceil(job.size / job.blockSize);
  if (blocks === 0 || limit <= 0) return 0;
  // A buffer no larger than the file: small files should not cost a block-sized allocation.
  const buf = blockBuffer(Math.min(job.blockSize, job.size));
  let mine = 0;
  while (mine < limit) {
    const b = claimNext(job.counters, blocks);
    if (b === -1) break;
    const start = b * job.blockSize;
    const end = Math.min(job.size, start + job.blockSize);
    countBlock(st, job.fd, start, end, buf, job.parse, job.fast);
    mine++;
    markDone(job.counters);
    onBlock?.();
  }
  return mine;
}
