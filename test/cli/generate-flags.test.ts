/** How `loglab generate` reads its flags into generator options. */
import { describe, expect, it } from 'vitest';
import { parseCount, parseRate } from '../../src/cli/flags';
import {
  MAX_GENERATE_RATE,
  optionsFromFlags,
  parseIncidents,
  parseSpan,
  parseStart,
} from '../../src/cli/generate-flags';
import { DEFAULT_START, generateTimedLines, groundTruth } from '../../src/generate/index';

const NOW = Date.UTC(2025, 5, 1, 12, 30);

describe('flag values', () => {
  it('reads line counts, seeds and rates', () => {
    expect(parseCount('0', '--lines', 0)).toBe(0);
    expect(parseCount('1_000_000', '--lines', 0)).toBe(1_000_000);
    expect(parseCount('1e6', '--lines', 0)).toBe(1_000_000);
    for (const bad of ['-1', '1.5', 'many', ''])
      expect(() => parseCount(bad, '--lines', 0)).toThrow('--lines must be a whole number ≥ 0');
    expect(parseCount('-7', '--seed')).toBe(-7);
    expect(() => parseCount('1.5', '--seed')).toThrow('--seed must be a whole number, got "1.5"');
    expect(parseRate('0.5', MAX_GENERATE_RATE)).toBe(0.5);
    for (const bad of ['0', '-2', 'fast', '2000000'])
      expect(() => parseRate(bad, MAX_GENERATE_RATE)).toThrow('--rate must be a number');
    expect(() => parseRate('2000000', MAX_GENERATE_RATE)).toThrow(
      '--rate must be a number of lines per second above 0 (at most 1000000), got "2000000"',
    );
    expect(parseRate('2000000')).toBe(2_000_000);
  });

  it('reads ISO starts as UTC unless a zone is given, and refuses impossible dates', () => {
    expect(parseStart('2024-03-12', NOW)).toBe(Date.UTC(2024, 2, 12));
    expect(parseStart('2024-03-12T10:20', NOW)).toBe(Date.UTC(2024, 2, 12, 10, 20));
    expect(parseStart('2024-03-12 10:20:30.250', NOW)).toBe(Date.UTC(2024, 2, 12, 10, 20, 30, 250));
    expect(parseStart('2024-03-12T10:00:00+02:00', NOW)).toBe(Date.UTC(2024, 2, 12, 8));
    expect(parseStart('2024-03-12T10:00:00-0130', NOW)).toBe(Date.UTC(2024, 2, 12, 11, 30));
    expect(parseStart('now', NOW)).toBe(NOW);
    expect(() => parseStart('2024-02-30', NOW)).toThrow('--start is not a real date: "2024-02-30"');
    expect(() => parseStart('2024-03-12T25:00', NOW)).toThrow('--start is not a real date');
    expect(() => parseStart('12/03/2024', NOW)).toThrow('--start must be an ISO 8601 time');
  });

  it('reads spans and incident lists', () => {
    expect(parseSpan('90m')).toBe(5_400_000);
    expect(() => parseSpan('5x')).toThrow(
      '--span must be a duration such as 30s, 5m, 24h or 7d, got "5x"',
    );
    expect(parseIncidents('all')).toEqual([
      'error-burst',
      'ip-flood',
      'scanner',
      'surge',
      'outage',
      'ddos',
      'slow-scan',
      'slow-page',
    ]);
    expect(parseIncidents('scanner, ip-flood,scanner')).toEqual(['scanner', 'ip-flood']);
    expect(parseIncidents('')).toEqual([]);
    expect(() => parseIncidents('error-burst,fire')).toThrow('unknown incident "fire"');
  });
});

describe('optionsFromFlags', () => {
  it('defaults to a reproducible day in fast mode', () => {
    expect(optionsFromFlags({ seed: '42', format: 'combined' }, NOW)).toEqual({
      seed: 42,
      lines: 100_000,
      start: DEFAULT_START,
      spanMs: 86_400_000,
      incidents: [],
      format: 'combined',
      rate: undefined,
    });
  });

  it('runs endless from now in real-time mode, with incidents in the first ten minutes', () => {
    expect(
      optionsFromFlags({ seed: '1', format: 'json', rate: '25', incidents: 'all' }, NOW),
    ).toEqual({
      seed: 1,
      lines: Number.POSITIVE_INFINITY,
      start: NOW,
      spanMs: 600_000,
      incidents: [
        'error-burst',
        'ip-flood',
        'scanner',
        'surge',
        'outage',
        'ddos',
        'slow-scan',
        'slow-page',
      ],
      format: 'json',
      rate: 25,
    });
  });

  it('with --speedup k, generates --rate / k lines per simulated second', () => {
    const options = optionsFromFlags(
      { seed: '1', format: 'combined', rate: '2000', speedup: '10', incidents: 'all' },
      NOW,
    );
    expect(options.rate).toBe(200);
    expect(options.spanMs).toBe(600_000);
    // The truth is in event time: the incidents lie in the first ten simulated minutes.
    const { incidents } = groundTruth(options);
    expect(incidents.map((i) => i.kind).sort()).toEqual([
      'ddos',
      'error-burst',
      'ip-flood',
      'outage',
      'scanner',
      'slow-page',
      'slow-scan',
      'surge',
    ]);
    for (const i of incidents) {
      expect(i.start).toBeGreaterThanOrEqual(NOW);
      expect(i.end).toBeLessThan(NOW + 600_000);
    }
    // 200 lines per simulated second, incidents aside: the 2,000th line is about 10 s in.
    let n = 0;
    let time = 0;
    for (const line of generateTimedLines({ ...options, incidents: [] })) {
      time = line.time;
      if (++n === 2000) break;
    }
    expect(Math.round((time - NOW) / 1000)).toBe(10);
  });

  it('refuses --speedup without --rate or out of range', () => {
    expect(() => optionsFromFlags({ seed: '1', format: 'combined', speedup: '10' }, NOW)).toThrow(
      '--speedup needs --rate: it paces real-time mode',
    );
    for (const bad of ['0.5', '0', 'fast', '', '3601']) {
      expect(() =>
        optionsFromFlags({ seed: '1', format: 'combined', rate: '10', speedup: bad }, NOW),
      ).toThrow(`--speedup must be a number from 1 to 3600, got "${bad}"`);
    }
  });

  it('refuses a start and span that run past the year 9999, which a log timestamp cannot hold', () => {
    const flags = { seed: '1', format: 'combined' as const };
    expect(() =>
      optionsFromFlags({ ...flags, start: '9999-12-31T23:59:59Z', span: '7d' }, NOW),
    ).toThrow(
      '--start 9999-12-31T23:59:59.000Z and --span 7d run past the end of 9999, which a log timestamp cannot hold',
    );
    // The default span, a day, from the last day of 9999: its end is the first instant of 10000.
    expect(optionsFromFlags({ ...flags, start: '9999-12-31' }, NOW).spanMs).toBe(86_400_000);
    expect(() => optionsFromFlags({ ...flags, start: '9999-12-31T00:00:01Z' }, NOW)).toThrow(
      'and --span 1d run past the end of 9999',
    );
  });
});
