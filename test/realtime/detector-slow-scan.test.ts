/**
 * slow-scan on crafted traffic: an address probing distinct missing paths every 40 s (1.5 a
 * minute: at most 8 in any five minutes, far under the scanner's 20) reaches 30 distinct paths
 * in its sliding hour with its 30th probe, at T0 + 19m20s, so the alert opens on the window
 * ending T0 + 20m; it resolves once fewer than 30 of its probes are left in the last hour.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import { slowScanOptions } from '../../src/realtime/index';
import { detect, only, record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 10);
const IP = '198.51.100.23';

/** `n` requests from IP, one every `gapMs`, the i-th on path(i) answered status(i). */
function probes(
  n: number,
  gapMs: number,
  path: (i: number) => string = (i) => `/old/probe-${i}.php`,
  status: (i: number) => number = () => 404,
): LogRecord[] {
  return Array.from({ length: n }, (_, i) => record(IP, path(i), status(i), T0 + i * gapMs));
}

const brief = (a: { kind: string; state: string; windowEnd: number; observed: number }) => [
  a.kind,
  a.state,
  a.windowEnd,
  a.observed,
];

describe('slow-scan', () => {
  it('opens with the 30th distinct path in an hour, and only slow-scan does', () => {
    // 90 probes over an hour, then a request from elsewhere two hours later moves time on.
    const records = [...probes(90, 40_000), record('192.0.2.1', '/', 200, T0 + 180 * MIN)];
    const alerts = detect(records);
    expect(alerts.map(brief)[0]).toEqual(['slow-scan', 'open', T0 + 20 * MIN, 30]);
    expect([...new Set(alerts.map((a) => a.kind))]).toEqual(['slow-scan']);
    // Probe i is in minute ⌊40i/60⌋. The hour ending T0 + 100m holds probes 60–89 (30); the
    // one ending T0 + 101m holds probes 62–89 (28): it resolves there.
    expect(brief(alerts[alerts.length - 1])).toEqual(['slow-scan', 'resolved', T0 + 101 * MIN, 28]);
  });

  it('does not open at 29 distinct paths, nor for one path asked many times', () => {
    expect(detect(probes(29, 40_000), only('slowScan'))).toEqual([]);
    expect(
      detect(
        probes(90, 40_000, () => '/wp-login.php'),
        only('slowScan'),
      ),
    ).toEqual([]);
  });

  it('wants the not-found answers to be at least half of the address’s requests', () => {
    // 40 distinct misses among 100 requests: a crawler with stale links, not a scan.
    const mixed = probes(
      100,
      30_000,
      (i) => (i % 5 < 2 ? `/gone-${i}` : `/page-${i % 7}`),
      (i) => (i % 5 < 2 ? 404 : 200),
    );
    expect(detect(mixed, only('slowScan'))).toEqual([]);
  });

  it('leaves a fast scan to the scanner, also after the scanner resolves', () => {
    // 200 distinct paths in 100 seconds.
    const alerts = detect(probes(200, 500));
    expect([...new Set(alerts.map((a) => a.kind))]).toEqual(['scanner']);
  });

  it('remembers at most maxPaths paths per address, so a long scan costs bounded memory', () => {
    // Ten hours at 2 a minute: 1,200 distinct paths, 120 in any hour. With a threshold of 10,
    // the alert turns critical at 20 distinct paths, unless only 10 paths are remembered.
    const scan = probes(1200, 30_000);
    const lines = (maxPaths: number) =>
      detect(scan, { ...only('slowScan'), slowScan: { minDistinctPaths: 10, maxPaths } }).map(
        (a) => [a.state, a.severity, a.observed],
      );
    expect(lines(64)).toEqual([
      ['open', 'warning', 10],
      ['open', 'critical', 20],
      ['resolved', 'critical', 20],
    ]);
    expect(lines(10)).toEqual([
      ['open', 'warning', 10],
      ['resolved', 'warning', 10],
    ]);
  });

  it('rejects options that cannot work with one clear sentence', () => {
    expect(() => slowScanOptions({ minDistinctPaths: 30, maxPaths: 10 })).toThrow(
      'slow-scan maxPaths must be a whole number ≥ minDistinctPaths, got 10',
    );
  });
});
