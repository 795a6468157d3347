/**
 * The web dashboard's frame is a pure function of the engine's snapshot, like the terminal one:
 * a fixed snapshot gives exactly this JSON, with the series as chart rows, alerts in words and
 * the emit time of each recent line, and no Infinity (JSON has none).
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/realtime/alert';
import { webFrame } from '../../src/realtime/dashboard/web-frame';
import type { EngineSnapshot } from '../../src/realtime/snapshot';

const MIN = 60_000;
const T = Date.UTC(2024, 2, 12, 18, 40, 0);
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

const spike: Alert = {
  kind: 'error-spike',
  key: '/<script>alert(1)</script>',
  windowStart: T - 5 * MIN,
  windowEnd: T,
  observed: 15,
  threshold: 15,
  severity: 'warning',
  firstSeen: T,
  lastSeen: T,
  state: 'open',
};
const critical: Alert = {
  ...spike,
  windowStart: T - 4 * MIN,
  windowEnd: T + MIN,
  observed: 40,
  severity: 'critical',
  lastSeen: T + MIN,
};

const snapshot: EngineSnapshot = {
  records: 900,
  late: 3,
  maxEventTime: T + MIN + 40_000,
  watermark: T + MIN + 10_000,
  liveIps: 10,
  liveUrls: 4,
  opened: {
    'error-spike': 1,
    'ip-flood': 0,
    scanner: 0,
    anomaly: 0,
    'prefix-flood': 0,
    'slow-scan': 0,
    'slow-page': 0,
  },
  open: 1,
  alertLines: 2,
  window: { start: T - 4 * MIN, end: T + MIN },
  topUrls: [{ key: '/<script>alert(1)</script>', count: 40 }],
  topIps: [{ key: '10.0.0.1', count: 7 }],
  series: { start: T - MIN, stepMs: MIN, requests: [100, 120], errors: [0, 40] },
  openAlerts: [critical],
};

const extras = {
  command: 'loglab dashboard',
  now: NOW,
  source: 'stdin',
  counts: {
    read: 901,
    parsed: 900,
    rejected: 1,
    late: 3,
    alerts: 2,
    opened: snapshot.opened,
  },
  rate: 12.6,
  lag: null,
  windowMs: 5 * MIN,
  hopMs: MIN,
  latenessMs: 30_000,
};

describe('the web dashboard frame', () => {
  it('is the snapshot as plain JSON: chart rows, alerts in words, emit times', () => {
    const frame = webFrame(snapshot, extras, [
      { alert: spike, at: NOW - 2000 },
      { alert: critical, at: NOW - 1000 },
    ]);
    expect(frame).toEqual({
      command: 'loglab dashboard',
      source: 'stdin',
      now: NOW,
      done: false,
      eventTime: T + MIN + 40_000,
      watermark: T + MIN + 10_000,
      window: { start: T - 4 * MIN, end: T + MIN },
      windowMs: 5 * MIN,
      hopMs: MIN,
      latenessMs: 30_000,
      stepMs: MIN,
      read: 901,
      rejected: 1,
      late: 3,
      rate: 13,
      lag: null,
      alertLines: 2,
      series: [
        { t: T - MIN, series: 'requests', count: 100 },
        { t: T - MIN, series: '5xx', count: 0 },
        { t: T, series: 'requests', count: 120 },
        { t: T, series: '5xx', count: 40 },
      ],
      topUrls: [{ key: '/<script>alert(1)</script>', count: 40 }],
      topIps: [{ key: '10.0.0.1', count: 7 }],
      open: [
        {
          kind: 'error-spike',
          key: '/<script>alert(1)</script>',
          severity: 'critical',
          change: 'update',
          windowStart: T - 4 * MIN,
          windowEnd: T + MIN,
          firstSeen: T,
          text: '/<script>alert(1)</script>: 40 errors in 5 min (threshold 15)',
          emittedAt: null,
        },
      ],
      recent: [
        {
          kind: 'error-spike',
          key: '/<script>alert(1)</script>',
          severity: 'warning',
          change: 'open',
          windowStart: T - 5 * MIN,
          windowEnd: T,
          firstSeen: T,
          text: '/<script>alert(1)</script>: 15 errors in 5 min (threshold 15)',
          emittedAt: NOW - 2000,
        },
        {
          kind: 'error-spike',
          key: '/<script>alert(1)</script>',
          severity: 'critical',
          change: 'update',
          windowStart: T - 4 * MIN,
          windowEnd: T + MIN,
          firstSeen: T,
          text: '/<script>alert(1)</script>: 40 errors in 5 min (threshold 15)',
          emittedAt: NOW - 1000,
        },
      ],
    });
  });

  it('has null for the event times before the first record and after the end, and survives JSON', () => {
    const empty: EngineSnapshot = {
      ...snapshot,
      maxEventTime: Number.NEGATIVE_INFINITY,
      watermark: Number.POSITIVE_INFINITY,
      window: null,
      openAlerts: [],
    };
    const frame = webFrame(empty, { ...extras, done: true, lag: 42 }, [
      { alert: { ...spike, state: 'resolved' }, at: NOW },
    ]);
    expect([frame.eventTime, frame.watermark, frame.window, frame.done, frame.lag]).toEqual([
      null,
      null,
      null,
      true,
      42,
    ]);
    expect(frame.recent.map((a) => a.change)).toEqual(['resolved']);
    expect(JSON.parse(JSON.stringify(frame))).toEqual(frame);
  });

  it('writes control characters of a key as \\xHH, as the terminal view does', () => {
    const frame = webFrame(
      { ...snapshot, openAlerts: [{ ...spike, key: '/a\x1b[2Jb' }] },
      extras,
      [],
    );
    expect(frame.open[0].text).toBe('/a\\x1b[2Jb: 15 errors in 5 min (threshold 15)');
  });

  it('writes control characters of the top URLs and IPs as \\xHH, for the charts', () => {
    const frame = webFrame(
      {
        ...snapshot,
        topUrls: [{ key: '/a\x1b[31m', count: 40 }],
        topIps: [{ key: '10.0.0.1\x1b]0;pwned\x07', count: 7 }],
      },
      extras,
      [],
    );
    expect([frame.topUrls, frame.topIps]).toEqual([
      [{ key: '/a\\x1b[31m', count: 40 }],
      [{ key: '10.0.0.1\\x1b]0;pwned\\x07', count: 7 }],
    ]);
  });
});
