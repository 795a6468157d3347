/**
 * The dashboard frame is a pure function of the engine's snapshot and a few measured figures:
 * a fixed snapshot gives exactly this frame, every line fits the width, colours change nothing
 * but the escape codes, and a short terminal cuts the bottom sections first.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/realtime/alert';
import {
  type DashboardExtras,
  describeAlert,
  duration,
  renderDashboard,
  sparkline,
} from '../../src/realtime/dashboard/index';
import type { EngineSnapshot } from '../../src/realtime/snapshot';

const MIN = 60_000;
const T = Date.UTC(2024, 2, 12, 18, 40, 0);

const broken: Alert = {
  kind: 'error-spike',
  key: '/broken-page',
  windowStart: T - 5 * MIN,
  windowEnd: T,
  observed: 15,
  threshold: 15,
  severity: 'warning',
  firstSeen: T,
  lastSeen: T,
  state: 'open',
};
const flood: Alert = {
  kind: 'ip-flood',
  key: '192.168.1.100',
  windowStart: T - 4 * MIN,
  windowEnd: T + MIN,
  observed: 312,
  threshold: 150,
  severity: 'critical',
  firstSeen: T - MIN,
  lastSeen: T + MIN,
  state: 'open',
};
const resolvedScan: Alert = {
  kind: 'scanner',
  key: '10.1.2.3',
  windowStart: T - 5 * MIN,
  windowEnd: T,
  observed: 2,
  threshold: 20,
  severity: 'critical',
  firstSeen: T - 3 * MIN,
  lastSeen: T - MIN,
  state: 'resolved',
};

const snapshot: EngineSnapshot = {
  records: 1_234_567,
  late: 12,
  maxEventTime: T + MIN + 40_000,
  watermark: T + MIN + 10_000,
  liveIps: 900,
  liveUrls: 80,
  opened: {
    'error-spike': 1,
    'ip-flood': 1,
    scanner: 1,
    'prefix-flood': 0,
    'slow-scan': 0,
    'slow-page': 0,
    anomaly: 0,
  },
  open: 2,
  alertLines: 5,
  window: { start: T - 3 * MIN, end: T + 2 * MIN },
  topUrls: [
    { key: '/products/42', count: 1234 },
    { key: '/broken-page', count: 40 },
  ],
  topIps: [
    { key: '192.168.1.100', count: 312 },
    { key: '10.1.2.3', count: 55 },
    { key: '2001:db8::1', count: 9 },
  ],
  series: {
    start: T - 7 * MIN,
    stepMs: MIN,
    requests: [100, 200, 400, 800, 800, 400, 200, 100, 50],
    errors: [0, 0, 0, 8, 16, 2, 0, 0, 0],
  },
  openAlerts: [broken, flood],
};

const extras: DashboardExtras = {
  command: 'loglab detect',
  now: Date.UTC(2025, 0, 2, 3, 4, 5),
  source: 'weblogs.raw on Kafka 127.0.0.1:9092, group realtime',
  counts: {
    read: 1_234_570,
    parsed: 1_234_567,
    rejected: 3,
    late: 12,
    alerts: 5,
    opened: {
      'error-spike': 1,
      'ip-flood': 1,
      scanner: 1,
      'prefix-flood': 0,
      'slow-scan': 0,
      'slow-page': 0,
      anomaly: 0,
    },
  },
  rate: 10_023.4,
  lag: 1_203,
  windowMs: 5 * MIN,
  hopMs: MIN,
  latenessMs: 30_000,
  recent: [flood, resolvedScan],
};

const RULE = '─'.repeat(100);

describe('renderDashboard', () => {
  it('draws a fixed snapshot exactly, 100 columns wide', () => {
    const frame = renderDashboard(snapshot, extras, 100);
    expect(frame.split('\n')).toEqual([
      'loglab detect · weblogs.raw on Kafka 127.0.0.1:9092, group realtime          2025-01-02 03:04:05 UTC',
      RULE,
      'event time  2024-03-12 18:41:40   window 18:37–18:42 (5 min, every 1 min)',
      'watermark   2024-03-12 18:41:10   lateness 30 s   late events 12',
      'logs        1,234,570 processed   10,023 lines/s   3 rejected   consumer lag 1,203',
      'requests/min ▁▂▄██▄▂▁▁                                                                       max 800',
      '5xx/min         ▄█▁                                                                           max 16',
      RULE,
      'Open alerts (2)',
      '  error-spike  /broken-page: 15 errors in 5 min (threshold 15) · warning, since 18:40',
      '  ip-flood     IP 192.168.1.100: 312 requests in 5 min (threshold 150) · critical, since 18:39',
      '  scanner      none',
      '  anomaly      none',
      RULE,
      'Top URLs in window                                 Top IPs in window',
      '1,234  /products/42                                  312  192.168.1.100',
      '   40  /broken-page                                   55  10.1.2.3',
      '                                                       9  2001:db8::1',
      RULE,
      'Latest alerts (5 lines so far)',
      '  18:41 update   ip-flood    IP 192.168.1.100: 312 requests in 5 min (threshold 150)',
      '  18:40 resolved scanner     IP 10.1.2.3: 2 not-found paths in 5 min (threshold 20)',
      '',
    ]);
  });

  it('fits every line into a narrow terminal and stacks the top lists', () => {
    const frame = renderDashboard(snapshot, { ...extras, lag: null }, 60);
    const lines = frame.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    // The wall clock stays; what is read is cut to make room for it.
    expect(lines[0]).toBe('loglab detect · weblogs.raw on Kaf…  2025-01-02 03:04:05 UTC');
    expect(lines[4]).toBe('logs        1,234,570 processed   10,023 lines/s   3 reject…');
    expect(lines.slice(14, 21)).toEqual([
      'Top URLs in window',
      '1,234  /products/42',
      '   40  /broken-page',
      'Top IPs in window',
      '  312  192.168.1.100',
      '   55  10.1.2.3',
      '    9  2001:db8::1',
    ]);
  });

  it('cuts the bottom sections first on a short terminal', () => {
    const frame = renderDashboard(snapshot, { ...extras, rows: 11 }, 100);
    const lines = frame.trimEnd().split('\n');
    expect(lines.length).toBe(11);
    expect(lines[10]).toBe(
      '  ip-flood     IP 192.168.1.100: 312 requests in 5 min (threshold 150) · critical, since 18:39',
    );
  });

  it('adds colours only as escape codes', () => {
    const plain = renderDashboard(snapshot, extras, 100);
    const coloured = renderDashboard(snapshot, { ...extras, color: true }, 100);
    expect(coloured).not.toBe(plain);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI escape character
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('shows an empty engine before the first record, and the end of the input', () => {
    const empty: EngineSnapshot = {
      ...snapshot,
      records: 0,
      late: 0,
      maxEventTime: Number.NEGATIVE_INFINITY,
      watermark: Number.NEGATIVE_INFINITY,
      window: null,
      topUrls: [],
      topIps: [],
      series: { start: 0, stepMs: MIN, requests: [], errors: [] },
      openAlerts: [],
    };
    const lines = renderDashboard(empty, { ...extras, recent: [], lag: null }, 80).split('\n');
    expect(lines[2]).toBe('event time  —   window — (5 min, every 1 min)');
    expect(lines[3]).toBe('watermark   —   lateness 30 s   late events 0');
    expect(lines.slice(8, 13)).toEqual([
      'Open alerts (0)',
      '  error-spike  none',
      '  ip-flood     none',
      '  scanner      none',
      '  anomaly      none',
    ]);
    const ended = renderDashboard(
      { ...snapshot, maxEventTime: Number.POSITIVE_INFINITY, watermark: Number.POSITIVE_INFINITY },
      { ...extras, done: true },
      120,
    ).split('\n');
    expect(
      ended[0].startsWith(
        'loglab detect · weblogs.raw on Kafka 127.0.0.1:9092, group realtime · input ended ',
      ),
    ).toBe(true);
    expect(ended[3]).toBe('watermark   end of input   lateness 30 s   late events 12');
  });

  it('lists open alerts under the detector that raised them, and names the command', () => {
    const scan: Alert = { ...resolvedScan, observed: 40, state: 'open', lastSeen: T };
    const second: Alert = { ...flood, key: '10.9.9.9', observed: 160, severity: 'warning' };
    const site: Alert = {
      ...broken,
      kind: 'anomaly',
      key: 'error-ratio-spike',
      windowStart: T - MIN,
      observed: 0.25,
      threshold: 0.1,
    };
    const lines = renderDashboard(
      { ...snapshot, openAlerts: [scan, flood, site, second] },
      { ...extras, command: 'loglab stream --detect', source: 'generated, weblogs.raw' },
      100,
    ).split('\n');
    expect(lines[0]).toBe(
      `loglab stream --detect · generated, weblogs.raw${' '.repeat(30)}2025-01-02 03:04:05 UTC`,
    );
    expect(lines.slice(8, 14)).toEqual([
      'Open alerts (4)',
      '  error-spike  none',
      '  ip-flood     IP 192.168.1.100: 312 requests in 5 min (threshold 150) · critical, since 18:39',
      '               IP 10.9.9.9: 160 requests in 5 min (threshold 150) · warning, since 18:39',
      '  scanner      IP 10.1.2.3: 40 not-found paths in 5 min (threshold 20) · critical, since 18:37',
      '  anomaly      site: 25.0% of requests failed in 1 min (limit 10.0%) · warning, since 18:40',
    ]);
  });

  it('escapes control characters that come from log lines', () => {
    // A path decoded from "\x1b[2J\x9b31m\r" in a log line: clear screen, CSI, carriage return.
    const hostile = '/a\x1b[2J\x9b31m\rb\x7f';
    const alert: Alert = { ...broken, key: hostile };
    const frame = renderDashboard(
      {
        ...snapshot,
        openAlerts: [alert],
        topUrls: [{ key: hostile, count: 7 }],
        topIps: [{ key: '10.0.0.1\x07', count: 3 }],
      },
      { ...extras, source: 'day\x1b.log', recent: [alert] },
      120,
    );
    // Only the line ends are control characters: nothing else reaches the terminal raw.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(frame.replace(/\n/g, '').match(/[\x00-\x1f\x7f-\x9f]/g)).toBeNull();
    const lines = frame.split('\n');
    expect(lines[0].startsWith('loglab detect · day\\x1b.log ')).toBe(true);
    expect(lines[9]).toBe(
      '  error-spike  /a\\x1b[2J\\x9b31m\\x0db\\x7f: 15 errors in 5 min (threshold 15) · warning, since 18:40',
    );
    expect(lines[15]).toBe(
      `    7  /a\\x1b[2J\\x9b31m\\x0db\\x7f${' '.repeat(29)}    3  10.0.0.1\\x07`,
    );
  });

  it('uses seconds in times when windows do not close on whole minutes', () => {
    const lines = renderDashboard(snapshot, { ...extras, windowMs: MIN, hopMs: 10_000 }, 100).split(
      '\n',
    );
    expect(lines[2]).toBe(
      'event time  2024-03-12 18:41:40   window 18:37:00–18:42:00 (1 min, every 10 s)',
    );
  });
});

describe('the pieces', () => {
  it('draws a sparkline scaled to its maximum, zero as a space', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8])).toBe(' ▁▂▃▄▅▆▇█');
    expect(sparkline([1, 16], 16)).toBe('▁█');
    expect(sparkline([0, 0])).toBe('  ');
  });

  it('describes each kind of alert in the classic phrasing', () => {
    expect(describeAlert(broken)).toBe('/broken-page: 15 errors in 5 min (threshold 15)');
    expect(describeAlert({ ...flood, observed: 150 })).toBe(
      'IP 192.168.1.100: 150 requests in 5 min (threshold 150)',
    );
    const step = { ...broken, kind: 'anomaly' as const, windowStart: T - MIN };
    expect(
      describeAlert({ ...step, key: 'requests-spike', observed: 3100, threshold: 2100.5 }),
    ).toBe('site: 3,100 requests in 1 min, a spike (limit 2,101)');
    expect(describeAlert({ ...step, key: 'requests-drop', observed: 3, threshold: 80 })).toBe(
      'site: 3 requests in 1 min, a drop (limit 80)',
    );
    expect(
      describeAlert({ ...step, key: 'error-ratio-spike', observed: 0.282609, threshold: 0.183221 }),
    ).toBe('site: 28.3% of requests failed in 1 min (limit 18.3%)');
  });

  it('writes durations the way people say them', () => {
    expect([300_000, 60_000, 30_000, 3_600_000, 1500, 0].map(duration)).toEqual([
      '5 min',
      '1 min',
      '30 s',
      '1 h',
      '1500 ms',
      '0 ms',
    ]);
  });
});
