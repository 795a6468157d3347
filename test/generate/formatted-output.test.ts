/**
 * The fast byte path writes exactly what the formatters write, in every format, and what it
 * writes parses back into the records it came from.
 */
import { describe, expect, it } from 'vitest';
import {
  createGenerator,
  defaultOptions,
  generateBuffers,
  generateChunks,
  generateLines,
  generateTimedLines,
} from '../../src/generate/index';
import { parseCombined, parseCombinedTime } from '../../src/log/combined';
import { formatCombined, formatterFor } from '../../src/log/format';
import { parseJson } from '../../src/log/json';
import { LOG_FORMATS } from '../../src/log/record';

const base = defaultOptions({ lines: 30_000, incidents: ['error-burst', 'ip-flood', 'scanner'] });

describe('formatted output', () => {
  it('combined bytes equal formatCombined of every record', () => {
    const expected = [...createGenerator(base).records()]
      .map((r) => `${formatCombined(r)}\n`)
      .join('');
    const written = Buffer.concat([...generateBuffers(base, 16_384)]).toString('utf8');
    expect(written.length).toBe(expected.length);
    expect(written === expected).toBe(true);
  });

  for (const format of LOG_FORMATS) {
    it(`${format}: chunks, lines and timed lines agree with the formatter`, () => {
      const options = { ...base, lines: 5_000, format };
      const format1 = formatterFor(format);
      const expected = [...createGenerator(options).records()].map((r) => format1(r));
      expect([...generateLines(options)]).toEqual(expected);
      expect([...generateTimedLines(options)].map((t) => t.line)).toEqual(expected);
      expect([...generateChunks(options, 4096)].join('')).toBe(`${expected.join('\n')}\n`);
    });
  }

  it('every chunk ends at the end of a line', () => {
    let chunks = 0;
    for (const chunk of generateBuffers(base, 16_384)) {
      chunks++;
      expect(chunk.length).toBeLessThanOrEqual(16_384);
      expect(chunk[chunk.length - 1]).toBe(10);
    }
    // 30,000 lines of about 265 bytes: several hundred chunks of at most 16 KiB.
    expect(chunks).toBeGreaterThan(480);
  });

  it('parses back into the same records, combined, combined-time and JSON', () => {
    const records = [...createGenerator(base).records()];
    const lines = [...generateLines(base)];
    expect(lines.map(parseCombined)).toEqual(records);
    const timed = { ...base, format: 'combined-time' as const };
    const timedRecords = [...createGenerator(timed).records()];
    expect([...generateLines(timed)].map(parseCombinedTime)).toEqual(timedRecords);
    const json = { ...base, format: 'json' as const };
    const jsonRecords = [...createGenerator(json).records()];
    expect([...generateLines(json)].map(parseJson)).toEqual(
      jsonRecords.map((r) => ({ ...r, ident: null })),
    );
  });

  it('a format with a request time changes nothing but durationMs: µs in combined-time, ms in JSON', () => {
    const records = [...createGenerator(base).records()];
    const timed = [...createGenerator({ ...base, format: 'combined-time' }).records()];
    const json = [...createGenerator({ ...base, format: 'json' }).records()];
    expect(timed.map((r) => ({ ...r, durationMs: null }))).toEqual(records);
    expect(records.every((r) => r.durationMs === null)).toBe(true);
    expect(timed.every((r) => r.durationMs !== null && r.durationMs > 0)).toBe(true);
    expect(json.map((r) => r.durationMs)).toEqual(
      timed.map((r) => Math.round(r.durationMs as number)),
    );
  });
});
