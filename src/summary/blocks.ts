/**
 * A regular file's blocks counted into a summary. Blocks end on line boundaries as
 * parallel/line-blocks.ts cuts them, so every line is counted exactly once, whatever the block
 * size.
 */
import type { Parser } from '../log/parser';
import { readBlockLines } from '../parallel/line-blocks';
import type { SummaryState } from './aggregator';
import { countBytes } from './scan';

export { blockBuffer, DEFAULT_BLOCK_SIZE } from '../parallel/line-blocks';

/**
 * Count the lines that start in bytes [start, end) of the open file `fd`. `buf` must come from
 * `blockBuffer` with at least end - start as block size.
 */
export function countBlock(
  st: SummaryState,
  fd: number,
  start: number,
  end: number,
  buf: Buffer,
  parse: Parser,
  fast: boolean,
): void {
  readBlockLines(fd, start, end, buf, (b, from, to) => countBytes(st, b, from, to, parse, fast));
}
