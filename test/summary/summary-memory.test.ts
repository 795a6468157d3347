/**
 * What a summary keeps: its counters, never the input. Keys are cut from the decoded text of a
 * block of several megabytes; a key kept as that slice (or a string built from it) would keep the
 * whole block alive, and a 2.7 GB log made a 2.5 GB process.
 */
import { describe, expect, it } from 'vitest';
import { getParser } from '../../src/log/parser';
import { createSummaryState } from '../../src/summary/aggregator';
import { countBytes } from '../../src/summary/scan';
import { exposedGc, heapAfterGc } from '../gc';

const BLOCKS = 40;
const BLOCK_LINES = 4000;

/** ~0.4 MB of lines: all answered 200 on one URL, but one 500 and one 404 on URLs of this block. */
function block(b: number, fast: boolean): Buffer {
  const agent = fast ? 'Mozilla/5.0' : 'Mozilla/5.0 \\"quoted\\"';
  const line = (status: number, url: string) =>
    `10.0.${b}.1 - - [12/Mar/2024:10:00:00 +0000] "GET ${url} HTTP/1.1" ${status} 512 "-" "${agent}"\n`;
  let text = '';
  for (let i = 0; i < BLOCK_LINES; i++) text += line(200, '/static/css/main.css');
  text += line(500, `/broken/page-in-block-${b}`);
  text += line(404, `/missing/page-in-block-${b}`);
  return Buffer.from(text, 'latin1');
}

describe('summary memory', () => {
  // The fast path cuts fields from the block's text; a backslash sends lines to the parser.
  for (const fast of [true, false]) {
    it(`keeps no block of the input alive through its keys (${fast ? 'fast path' : 'parser'})`, async () => {
      const gc = exposedGc();
      const st = createSummaryState();
      const parse = getParser('auto');
      const before = await heapAfterGc(gc);
      for (let b = 0; b < BLOCKS; b++) {
        const bytes = block(b, fast);
        countBytes(st, bytes, 0, bytes.length, parse, true);
      }
      const after = await heapAfterGc(gc);
      expect(st.parsed).toBe(BLOCKS * (BLOCK_LINES + 2));
      expect(st.errors.size).toBe(BLOCKS * 2);
      expect(st.urls.size).toBe(1 + BLOCKS * 2);
      // Kept, the 40 blocks' texts would be ~17 MB; the counters are well under 4 MB.
      expect(after - before).toBeLessThan(4 * 1024 * 1024);
    });
  }
});
