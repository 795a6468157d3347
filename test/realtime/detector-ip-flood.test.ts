/**
 * ip-flood on crafted input: 150 requests from one address in a five-minute window open an
 * alert, 149 do not; an address that the scanner detector flags is a scanner, not a flood.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import { detect, only, record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 10);

/** `n` requests from `ip`, `gap` ms apart from `from`; the path and status from `what(i)`. */
function burst(
  ip: string,
  n: number,
  from: number,
  gap: number,
  what: (i: number) => [string, number] = (i) => [`/product/${i % 40}`, 200],
): LogRecord[] {
  return Array.from({ length: n }, (_, i) => record(ip, what(i)[0], what(i)[1], from + i * gap));
}

describe('ip-flood', () => {
  it('opens at 150 requests in a window and resolves when a window falls below', () => {
    // 150 requests, one every 2 s from T0: all inside [T0, T0+5m).
    const alerts = detect(burst('203.0.113.9', 150, T0, 2000), only('ipFlood'));
    expect(alerts).toEqual([
      {
        kind: 'ip-flood',
        key: '203.0.113.9',
        windowStart: T0,
        windowEnd: T0 + 5 * MIN,
        observed: 150,
        threshold: 150,
        severity: 'warning',
        firstSeen: T0 + 5 * MIN,
        lastSeen: T0 + 5 * MIN,
        state: 'open',
      },
      {
        kind: 'ip-flood',
        key: '203.0.113.9',
        windowStart: T0 + MIN,
        windowEnd: T0 + 6 * MIN,
        observed: 120,
        threshold: 150,
        severity: 'warning',
        firstSeen: T0 + 5 * MIN,
        lastSeen: T0 + 5 * MIN,
        state: 'resolved',
      },
    ]);
  });

  it('stays quiet at 149 requests, and for 150 requests spread over more than a window', () => {
    expect(detect(burst('203.0.113.9', 149, T0, 2000), only('ipFlood'))).toEqual([]);
    // One request every 2.5 s: at most 120 in any five-minute window.
    expect(detect(burst('203.0.113.9', 400, T0, 2500), only('ipFlood'))).toEqual([]);
  });

  it('keeps one alert for a long flood, with one update when it turns critical', () => {
    // 3 requests a second for 10 minutes: 180 a minute, 900 per window at the peak.
    const alerts = detect(burst('198.51.100.7', 1800, T0, 333), only('ipFlood'));
    expect(alerts.map((a) => [a.state, a.severity, a.windowEnd, a.observed])).toEqual([
      ['open', 'warning', T0 + MIN, 181],
      ['open', 'critical', T0 + 2 * MIN, 361],
      ['resolved', 'critical', T0 + 15 * MIN, 0],
    ]);
    expect(alerts[2].lastSeen).toBe(T0 + 14 * MIN);
  });

  it('leaves an address that probes not-found paths to the scanner detector', () => {
    // 200 requests in two minutes, 190 of them 404 on distinct paths: a scan, not a flood.
    const scan = burst('192.0.2.66', 200, T0, 600, (i) =>
      i < 10 ? ['/', 200] : [`/probe-${i}.php`, 404],
    );
    const both = detect(scan, { anomaly: false, errorSpike: false });
    expect([...new Set(both.map((a) => a.kind))]).toEqual(['scanner']);
    // With the scanner detector off, the same traffic is a flood: 100 requests in each of two
    // minutes, so 200 in the window ending T0+2m and 100 in the one ending T0+6m.
    const floodOnly = detect(scan, only('ipFlood'));
    expect(floodOnly.map((a) => [a.kind, a.state, a.windowEnd, a.observed])).toEqual([
      ['ip-flood', 'open', T0 + 2 * MIN, 200],
      ['ip-flood', 'resolved', T0 + 6 * MIN, 100],
    ]);
  });

  it('uses the configured threshold', () => {
    const alerts = detect(burst('203.0.113.9', 10, T0, 1000), {
      ...only('ipFlood'),
      ipFlood: { minRequests: 10 },
    });
    expect(alerts.map((a) => [a.state, a.observed, a.threshold])).toEqual([
      ['open', 10, 10],
      ['resolved', 0, 10],
    ]);
  });
});
