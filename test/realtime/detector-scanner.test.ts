/**
 * scanner on crafted input: an address with not-found answers on 20 distinct paths in a window,
 * mostly not-found, opens an alert; fewer paths, the same path again and again, or a mostly
 * successful address do not.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import { detect, only, record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 3);
const IP = '45.33.32.156';

function probes(paths: string[], status: number, from: number, gap = 1000): LogRecord[] {
  return paths.map((p, i) => record(IP, p, status, from + i * gap));
}

const distinct = (n: number) => Array.from({ length: n }, (_, i) => `/.probe-${i}`);

describe('scanner', () => {
  it('opens at 20 distinct not-found paths and resolves after the scan', () => {
    const alerts = detect(probes(distinct(20), 404, T0 + 10_000), only('scanner'));
    expect(alerts).toEqual([
      {
        kind: 'scanner',
        key: IP,
        windowStart: T0 - 4 * MIN,
        windowEnd: T0 + MIN,
        observed: 20,
        threshold: 20,
        severity: 'warning',
        firstSeen: T0 + MIN,
        lastSeen: T0 + MIN,
        state: 'open',
      },
      {
        kind: 'scanner',
        key: IP,
        windowStart: T0 + MIN,
        windowEnd: T0 + 6 * MIN,
        observed: 0,
        threshold: 20,
        severity: 'warning',
        firstSeen: T0 + MIN,
        lastSeen: T0 + 5 * MIN,
        state: 'resolved',
      },
    ]);
  });

  it('stays quiet at 19 distinct paths, or one path asked 100 times', () => {
    expect(detect(probes(distinct(19), 404, T0), only('scanner'))).toEqual([]);
    expect(detect(probes(Array(100).fill('/wp-login.php'), 404, T0), only('scanner'))).toEqual([]);
  });

  it('counts 410 as not found, and the path without its query string', () => {
    const gone = detect(probes(distinct(20), 410, T0), only('scanner'));
    expect(gone.map((a) => [a.state, a.observed])).toEqual([
      ['open', 20],
      ['resolved', 0],
    ]);
    const queries = Array.from({ length: 40 }, (_, i) => `/admin.php?id=${i}`);
    expect(detect(probes(queries, 404, T0), only('scanner'))).toEqual([]);
  });

  it('needs the not-found answers to be at least half of the address’s requests', () => {
    // 20 distinct 404 and 21 successful pages in the same minute: 20/41 < 0.5.
    const mixed = [
      ...probes(distinct(20), 404, T0),
      ...Array.from({ length: 21 }, (_, i) => record(IP, `/page/${i}`, 200, T0 + 500 + i * 1000)),
    ].sort((a, b) => a.time - b.time);
    expect(detect(mixed, only('scanner'))).toEqual([]);
    const alerts = detect(mixed.slice(0, 40), only('scanner')); // 20 of 40: exactly half
    expect(alerts.map((a) => a.state)).toEqual(['open', 'resolved']);
  });

  it('counts distinct paths across the buckets of a window', () => {
    // 10 paths in minute 0 and 10 others in minute 3: together in the windows ending T0+4m, T0+5m.
    const records = [
      ...probes(distinct(10), 404, T0),
      ...probes(distinct(20).slice(10), 404, T0 + 3 * MIN),
    ];
    const alerts = detect(records, only('scanner'));
    expect(alerts.map((a) => [a.state, a.windowStart, a.windowEnd, a.observed])).toEqual([
      ['open', T0 - MIN, T0 + 4 * MIN, 20],
      ['resolved', T0 + MIN, T0 + 6 * MIN, 10],
    ]);
  });

  it('remembers at most the configured number of paths per bucket', () => {
    const records = probes(distinct(500), 404, T0, 100); // 500 paths within one minute
    const capped = detect(records, { ...only('scanner'), scanner: { maxPathsPerBucket: 30 } });
    expect(capped[0].observed).toBe(30);
    expect(detect(records, only('scanner'))[0].observed).toBe(256);
  });
});
