/** Exact line counts; timestamps inside the span and never going back, in both modes. */
import { describe, expect, it } from 'vitest';
import {
  createGenerator,
  DEFAULT_LINES,
  DEFAULT_SEED,
  DEFAULT_SPAN_MS,
  DEFAULT_START,
  defaultOptions,
  generateBuffers,
} from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';

function timesOk(records: LogRecord[], start: number, end: number): string[] {
  const problems: string[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  records.forEach((r, i) => {
    if (r.time < start || r.time >= end)
      problems.push(`line ${i + 1} at ${r.time} is outside the span`);
    if (r.time < previous) problems.push(`line ${i + 1} goes back in time`);
    previous = r.time;
  });
  return problems;
}

describe('defaults', () => {
  it('make a reproducible day of 100,000 lines from midnight UTC', () => {
    expect(DEFAULT_LINES).toBe(100_000);
    expect(DEFAULT_SEED).toBe(42);
    expect(DEFAULT_SPAN_MS).toBe(86_400_000);
    expect(new Date(DEFAULT_START).toISOString()).toBe('2024-03-12T00:00:00.000Z');
    expect(defaultOptions()).toEqual({
      seed: 42,
      lines: 100_000,
      start: DEFAULT_START,
      spanMs: 86_400_000,
      incidents: [],
      format: 'combined',
    });
  });
});

describe('line counts', () => {
  for (const lines of [0, 1, 7, 1_000, 50_000]) {
    it(`writes exactly ${lines} lines, with and without incidents`, () => {
      for (const incidents of [[], ['error-burst', 'ip-flood', 'scanner']] as const) {
        const options = defaultOptions({ lines, incidents: [...incidents] });
        expect([...createGenerator(options).records()]).toHaveLength(lines);
        let newlines = 0;
        for (const chunk of generateBuffers(options, 4096))
          for (const b of chunk) if (b === 10) newlines++;
        expect(newlines).toBe(lines);
      }
    });
  }
});

describe('fast mode times', () => {
  it('stay inside a day and never decrease', () => {
    const options = defaultOptions({ incidents: ['error-burst', 'ip-flood', 'scanner'] });
    const records = [...createGenerator(options).records()];
    expect(timesOk(records, options.start, options.start + options.spanMs)).toEqual([]);
  });

  it('stay inside a short span packed with traffic and a week-long span', () => {
    for (const [spanMs, lines] of [
      [5 * 60_000, 20_000],
      [7 * 86_400_000, 30_000],
    ]) {
      const options = defaultOptions({ lines, spanMs, start: Date.UTC(2023, 11, 31, 23, 58) });
      const records = [...createGenerator(options).records()];
      expect(timesOk(records, options.start, options.start + spanMs)).toEqual([]);
    }
  });

  it('use the whole span, not only its beginning', () => {
    const options = defaultOptions();
    const records = [...createGenerator(options).records()];
    expect(records[0].time - options.start).toBeLessThan(60_000);
    expect(options.start + options.spanMs - records[records.length - 1].time).toBeLessThan(60_000);
  });
});

describe('real-time mode times', () => {
  it('spread a finite run over lines / rate seconds from the start', () => {
    const start = Date.UTC(2024, 0, 1, 12);
    const options = defaultOptions({ lines: 2_000, rate: 100, start });
    const records = [...createGenerator(options).records()];
    expect(records).toHaveLength(2_000);
    expect(timesOk(records, start, start + 20_000)).toEqual([]);
    // A steady rate: each quarter of the run holds about a quarter of the lines.
    const quarters = [0, 0, 0, 0];
    for (const r of records) quarters[Math.floor((r.time - start) / 5_000)]++;
    for (const q of quarters) expect(q).toBeGreaterThan(300);
  });

  it('go on without end at the given rate when lines is Infinity', () => {
    const start = Date.UTC(2024, 0, 1, 12);
    const generator = createGenerator(
      defaultOptions({ lines: Number.POSITIVE_INFINITY, rate: 50, start, spanMs: 600_000 }),
    );
    const taken: LogRecord[] = [];
    for (const r of generator.records()) {
      taken.push(r);
      if (taken.length === 10_000) break;
    }
    expect(timesOk(taken, start, Number.POSITIVE_INFINITY)).toEqual([]);
    const seconds = (taken[taken.length - 1].time - start) / 1000;
    // 10,000 lines at 50 a second take about 200 s.
    expect(seconds).toBeGreaterThan(180);
    expect(seconds).toBeLessThan(220);
  });
});

describe('option checks', () => {
  it('refuses options that cannot make a log, with one sentence each', () => {
    const bad = [
      [{ lines: -1 }, 'lines must be a whole number ≥ 0, got -1'],
      [{ lines: 1.5 }, 'lines must be a whole number ≥ 0, got 1.5'],
      [{ lines: Number.POSITIVE_INFINITY }, 'lines must be a whole number ≥ 0, got Infinity'],
      [{ spanMs: 0 }, 'span must be positive, got 0 ms'],
      [{ rate: -3 }, 'rate must be a positive number of lines per second, got -3'],
      [{ seed: Number.NaN }, 'seed must be a number, got NaN'],
      [
        { incidents: ['meteor'] },
        'unknown incident "meteor" (known: error-burst, ip-flood, scanner, surge, outage, ddos, slow-scan, slow-page, all)',
      ],
    ] as const;
    for (const [override, message] of bad) {
      expect(() => createGenerator(defaultOptions(override as never))).toThrow(message);
    }
  });
});
