/**
 * error-spike on crafted input: 15 5xx for one URL in a five-minute window open an alert, 14 do
 * not; a quiet URL that mostly fails opens one by ratio; the query string is not part of the URL.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import { errorSpikeOptions, errorThreshold } from '../../src/realtime/index';
import { detect, only, record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 10);

/** `n` answers with `status` for `path`, one a second from `from`. */
function answers(path: string, status: number, n: number, from: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) out.push(record(`10.0.${i % 200}.1`, path, status, from + i * 1000));
  return out;
}

describe('error-spike', () => {
  it('opens once at 15 errors in a window and resolves on the first window without them', () => {
    // 15 errors during minute 2: they are in the windows ending T0+3m … T0+7m.
    const alerts = detect(answers('/checkout', 503, 15, T0 + 2 * MIN), only('errorSpike'));
    expect(alerts).toEqual([
      {
        kind: 'error-spike',
        key: '/checkout',
        windowStart: T0 - 2 * MIN,
        windowEnd: T0 + 3 * MIN,
        observed: 15,
        threshold: 15,
        severity: 'warning',
        firstSeen: T0 + 3 * MIN,
        lastSeen: T0 + 3 * MIN,
        state: 'open',
      },
      {
        kind: 'error-spike',
        key: '/checkout',
        windowStart: T0 + 3 * MIN,
        windowEnd: T0 + 8 * MIN,
        observed: 0,
        threshold: 15,
        severity: 'warning',
        firstSeen: T0 + 3 * MIN,
        lastSeen: T0 + 7 * MIN,
        state: 'resolved',
      },
    ]);
  });

  it('stays quiet at 14 errors, and counts 5xx only', () => {
    expect(detect(answers('/checkout', 500, 14, T0), only('errorSpike'))).toEqual([]);
    expect(detect(answers('/checkout', 404, 100, T0), only('errorSpike'))).toEqual([]);
    expect(detect(answers('/checkout', 429, 100, T0), only('errorSpike'))).toEqual([]);
  });

  it('counts errors spread over five minutes, but not over six', () => {
    // One error every 20 s: 15 in [T0, T0+5m) exactly, the 16th at T0+5m.
    const spread = (n: number) =>
      Array.from({ length: n }, (_, i) => record('10.1.1.1', '/api/cart', 502, T0 + i * 20_000));
    const open = detect(spread(15), only('errorSpike')).filter((a) => a.state === 'open');
    expect(open.map((a) => [a.windowStart, a.windowEnd, a.observed])).toEqual([
      [T0, T0 + 5 * MIN, 15],
    ]);
    // Every 25 s: any five-minute window holds at most 12.
    const sparse = Array.from({ length: 40 }, (_, i) =>
      record('10.1.1.1', '/api/cart', 502, T0 + i * 25_000),
    );
    expect(detect(sparse, only('errorSpike'))).toEqual([]);
  });

  it('opens on a high error ratio once the URL has the minimum volume', () => {
    // 20 requests, 10 of them 5xx: the ratio threshold is ceil(0.5 × 20) = 10.
    const mixed = [
      ...answers('/api/stock', 500, 10, T0),
      ...answers('/api/stock', 200, 10, T0 + 10_000),
    ].sort((a, b) => a.time - b.time);
    const alerts = detect(mixed, only('errorSpike'));
    expect(alerts.map((a) => [a.state, a.observed, a.threshold])).toEqual([
      ['open', 10, 10],
      ['resolved', 0, 15],
    ]);
    // 19 requests, 10 failed: below the minimum volume, so the count rule (15) applies.
    expect(detect(mixed.slice(0, 19), only('errorSpike'))).toEqual([]);
  });

  it('treats paths that differ only in the query string as one URL', () => {
    const records = [
      ...answers('/search?q=a', 500, 8, T0),
      ...answers('/search?q=b', 500, 7, T0 + 500),
    ].sort((a, b) => a.time - b.time);
    const alerts = detect(records, only('errorSpike'));
    expect(alerts.map((a) => [a.key, a.state, a.observed])).toEqual([
      ['/search', 'open', 15],
      ['/search', 'resolved', 0],
    ]);
  });

  it('reports critical at twice the threshold, with one update when it escalates', () => {
    const records = [
      ...answers('/pay', 500, 15, T0), // minute 0: 15
      ...answers('/pay', 500, 15, T0 + MIN), // minute 1: window ending T0+2m holds 30
    ];
    const alerts = detect(records, only('errorSpike'));
    expect(alerts.map((a) => [a.state, a.severity, a.windowEnd, a.observed, a.firstSeen])).toEqual([
      ['open', 'warning', T0 + MIN, 15, T0 + MIN],
      ['open', 'critical', T0 + 2 * MIN, 30, T0 + MIN],
      ['resolved', 'critical', T0 + 7 * MIN, 0, T0 + MIN],
    ]);
  });

  it('derives the error threshold from the options', () => {
    const o = errorSpikeOptions({ minErrors: 15, minRatio: 0.5, minRequests: 20 });
    expect([5, 19, 20, 21, 29, 30, 31, 1000].map((n) => errorThreshold(o, n))).toEqual([
      15, 15, 10, 11, 15, 15, 15, 15,
    ]);
    const custom = detect(answers('/x', 500, 5, T0), {
      ...only('errorSpike'),
      errorSpike: { minErrors: 5 },
    });
    expect(custom.map((a) => [a.state, a.observed, a.threshold])).toEqual([
      ['open', 5, 5],
      ['resolved', 0, 5],
    ]);
  });
});
