/**
 * Request times and the slow-page incident: every route has its own median and a lognormal
 * spread (p95 ≈ 1.8 × the median), and for a slow page only its URL, only inside its window,
 * is 5–20 times slower.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions } from '../../src/generate/index';
import { LATENCY_SIGMA, routeLatencyMs } from '../../src/generate/latency';
import type { LogRecord } from '../../src/log/record';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const urlOf = (r: LogRecord) => (r.path ?? '').split('?')[0];

describe('request times', () => {
  it('follow each route: the home page near its median, p95 ≈ 1.8 ×, static files in a few ms', () => {
    const records = [
      ...createGenerator(
        defaultOptions({ seed: 5, lines: 20_000, format: 'combined-time' }),
      ).records(),
    ];
    const home = records.filter((r) => r.path === '/').map((r) => r.durationMs as number);
    const median = routeLatencyMs('home', '/');
    expect(home.length).toBeGreaterThan(500);
    expect(quantile(home, 0.5) / median).toBeGreaterThan(0.93);
    expect(quantile(home, 0.5) / median).toBeLessThan(1.07);
    const p95 = Math.exp(1.645 * LATENCY_SIGMA);
    expect(quantile(home, 0.95) / median).toBeGreaterThan(p95 * 0.9);
    expect(quantile(home, 0.95) / median).toBeLessThan(p95 * 1.1);
    const css = records.filter((r) => r.path?.endsWith('.css')).map((r) => r.durationMs as number);
    expect(quantile(css, 0.5)).toBeLessThan(5);
  });
});

describe.each([1, 2, 3, 4])('a slow page, seed %i', (seed) => {
  it('slows only its URL, only in its window, 5–20 times, for 10–30 minutes, an hour in or later', () => {
    const options = defaultOptions({ seed, incidents: ['slow-page'], format: 'combined-time' });
    const generator = createGenerator(options);
    const [incident] = generator.truth().incidents;
    expect(incident.kind).toBe('slow-page');
    expect(['/', '/search', '/api/v1/events']).toContain(incident.key);
    expect(incident.end - incident.start).toBeGreaterThanOrEqual(10 * 60_000 - 1000);
    expect(incident.end - incident.start).toBeLessThanOrEqual(30 * 60_000);
    expect(incident.start).toBeGreaterThanOrEqual(options.start + 3_600_000);
    const inside = (r: LogRecord) => r.time >= incident.start && r.time <= incident.end;
    const during: number[] = [];
    const before: number[] = [];
    const others: number[] = [];
    for (const r of generator.records()) {
      if (urlOf(r) === incident.key) (inside(r) ? during : before).push(r.durationMs as number);
      else if (inside(r) && r.path === '/cart') others.push(r.durationMs as number);
    }
    const factor = quantile(during, 0.5) / quantile(before, 0.5);
    expect(during.length).toBeGreaterThan(0);
    expect(factor).toBeGreaterThan(4);
    expect(factor).toBeLessThan(25);
    // Everything else keeps its normal: /cart in the same minutes is near its own median.
    if (others.length >= 5) {
      expect(quantile(others, 0.5) / routeLatencyMs('cart', '/cart')).toBeLessThan(1.6);
    }
  });
});
