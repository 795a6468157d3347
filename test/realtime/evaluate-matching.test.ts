/**
 * The evaluation's matching rule on crafted alerts and truth: an incident is detected by an alert
 * of the matching kind on its key that opens between its start and its end plus one window; an
 * alert that matches nothing is a false positive; anomaly alerts count when they overlap an
 * incident in time.
 */
import { describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import {
  type Alert,
  type AlertKind,
  alertSpans,
  belowMinF1,
  evaluateDetection,
  formatAlert,
  formatEvaluation,
  parseAlertLines,
  parseTruth,
  type Truth,
} from '../../src/realtime/index';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 10);

function alert(kind: AlertKind, key: string, firstSeen: number, extra: Partial<Alert> = {}): Alert {
  return {
    kind,
    key,
    windowStart: firstSeen - 5 * MIN,
    windowEnd: firstSeen,
    observed: 20,
    threshold: 15,
    severity: 'warning',
    firstSeen,
    lastSeen: firstSeen,
    state: 'open',
    ...extra,
  };
}

const truth: Truth = {
  incidents: [
    { kind: 'error-burst', key: '/checkout', start: T0, end: T0 + 4 * MIN },
    { kind: 'ip-flood', key: '10.0.0.1', start: T0 + 60 * MIN, end: T0 + 64 * MIN },
    { kind: 'scanner', key: '10.0.0.2', start: T0 + 120 * MIN, end: T0 + 122 * MIN },
    { kind: 'scanner', key: '10.0.0.3', start: T0 + 180 * MIN, end: T0 + 181 * MIN },
  ],
};

function kind(e: ReturnType<typeof evaluateDetection>, name: string) {
  const k = e.kinds.find((x) => x.incidentKind === name);
  if (k === undefined) throw new Error(`no ${name}`);
  return k;
}

describe('evaluateDetection', () => {
  it('matches on kind, key and opening time, and measures the delay in event time', () => {
    const lines = [
      alert('error-spike', '/checkout', T0 + 2 * MIN),
      // The same alert's resolution: one alert, not two.
      alert('error-spike', '/checkout', T0 + 2 * MIN, {
        state: 'resolved',
        lastSeen: T0 + 5 * MIN,
      }),
      alert('ip-flood', '10.0.0.1', T0 + 64 * MIN + 5 * MIN), // end + one window: still in
      alert('scanner', '10.0.0.2', T0 + 120 * MIN + 30_000),
      alert('scanner', '10.0.0.3', T0 + 181 * MIN + 5 * MIN + 1), // one ms too late: false
      alert('scanner', '10.0.0.9', T0 + 120 * MIN), // no incident on that key: false
    ];
    const e = evaluateDetection(lines, truth, { windowMs: 5 * MIN });
    expect(kind(e, 'error-burst')).toMatchObject({
      alertKind: 'error-spike',
      incidents: 1,
      detected: 1,
      alerts: 1,
      truePositives: 1,
      falsePositives: 0,
      precision: 1,
      recall: 1,
      f1: 1,
      delayMeanMs: 2 * MIN,
      delayMaxMs: 2 * MIN,
    });
    expect(kind(e, 'ip-flood')).toMatchObject({ detected: 1, delayMaxMs: 9 * MIN, f1: 1 });
    const scanner = kind(e, 'scanner');
    expect(scanner).toMatchObject({
      incidents: 2,
      detected: 1,
      alerts: 3,
      truePositives: 1,
      falsePositives: 2,
      precision: 1 / 3,
      recall: 0.5,
      f1: 0.4,
      delayMeanMs: 30_000,
    });
    expect(scanner.missed).toEqual([truth.incidents[3]]);
    expect(scanner.falseAlarms).toEqual([
      { key: '10.0.0.9', firstSeen: T0 + 120 * MIN },
      { key: '10.0.0.3', firstSeen: T0 + 186 * MIN + 1 },
    ]);
    expect(belowMinF1(e, 0.5).map((k) => k.incidentKind)).toEqual(['scanner']);
    expect(belowMinF1(e, 0.4)).toEqual([]);
  });

  it('does not let an alert on another kind detect an incident', () => {
    const e = evaluateDetection([alert('ip-flood', '10.0.0.2', T0 + 121 * MIN)], truth);
    expect(kind(e, 'scanner')).toMatchObject({ detected: 0, recall: 0, precision: null, f1: 0 });
    expect(kind(e, 'ip-flood')).toMatchObject({ alerts: 1, falsePositives: 1, recall: 0, f1: 0 });
  });

  it('counts an anomaly alert as true when its time overlaps an incident', () => {
    const lines = [
      // [T0+3m, …] overlaps the error burst [T0, T0+4m].
      alert('anomaly', 'error-ratio-spike', T0 + 4 * MIN, { windowStart: T0 + 3 * MIN }),
      // Opened after the flood ended, but its first window [T0+63m, T0+64m) overlaps it.
      alert('anomaly', 'requests-spike', T0 + 64 * MIN + 1, {
        windowStart: T0 + 63 * MIN + 1,
        lastSeen: T0 + 70 * MIN,
      }),
      alert('anomaly', 'requests-drop', T0 + 300 * MIN, { windowStart: T0 + 299 * MIN }),
    ];
    const e = evaluateDetection(lines, truth);
    expect(e.anomaly).toEqual({ alerts: 3, truePositives: 2, falsePositives: 1, precision: 2 / 3 });
  });

  it('leaves kinds with neither incidents nor alerts undefined, and fails kinds with only alerts', () => {
    const e = evaluateDetection([alert('scanner', '10.1.1.1', T0)], { incidents: [] });
    expect(kind(e, 'error-burst')).toMatchObject({ precision: null, recall: null, f1: null });
    expect(kind(e, 'scanner')).toMatchObject({ precision: 0, recall: null, f1: 0 });
    expect(belowMinF1(e, 0.9).map((k) => k.incidentKind)).toEqual(['scanner']);
    expect(evaluateDetection([], { incidents: [] }).anomaly.precision).toBe(null);
  });

  it('groups alert lines by kind, key and firstSeen', () => {
    const spans = alertSpans([
      alert('ip-flood', 'a', T0),
      alert('ip-flood', 'a', T0, {
        windowStart: T0 + MIN,
        lastSeen: T0 + 3 * MIN,
        state: 'resolved',
      }),
      alert('ip-flood', 'a', T0 + 10 * MIN),
    ]);
    expect(spans).toEqual([
      { kind: 'ip-flood', key: 'a', openedAt: T0, from: T0 - 5 * MIN, to: T0 + 3 * MIN },
      {
        kind: 'ip-flood',
        key: 'a',
        openedAt: T0 + 10 * MIN,
        from: T0 + 5 * MIN,
        to: T0 + 10 * MIN,
      },
    ]);
  });

  it('prints a table with a row per incident kind and one for anomaly alerts', () => {
    const text = formatEvaluation(
      evaluateDetection([alert('error-spike', '/checkout', T0 + 90_000)], truth),
    );
    const rows = text.trimEnd().split('\n');
    expect(rows[0].split(/ {2,}/)).toEqual([
      'incident',
      'alert',
      'incidents',
      'detected',
      'alerts',
      'false',
      'explained',
      'precision',
      'recall',
      'F1',
      'delay mean',
      'delay max',
      'covered',
    ]);
    expect(rows[1].split(/ +/)).toEqual([
      'error-burst',
      'error-spike',
      '1',
      '1',
      '1',
      '0',
      '0',
      '1.000',
      '1.000',
      '1.000',
      '1m30s',
      '1m30s',
      // Its windows cover [T0 − 3m30s, T0 + 1m30s]: 1m30s of the 4-minute incident.
      '38%',
    ]);
    expect(rows[9].split(/ +/)).toEqual([
      '(overlap)',
      'anomaly',
      '-',
      '-',
      '0',
      '0',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
    ]);
    expect(rows.slice(10)).toEqual([
      'missed ip-flood 10.0.0.1 at 2024-03-12T11:00:00.000Z',
      'missed scanner 10.0.0.2 at 2024-03-12T12:00:00.000Z',
      'missed scanner 10.0.0.3 at 2024-03-12T13:00:00.000Z',
    ]);
  });
});

describe('formatEvaluation with keys from log lines', () => {
  it('writes control characters of missed and false keys as \\xHH', () => {
    const text = formatEvaluation(
      evaluateDetection([alert('error-spike', '/a\x1b[31m', T0 + 90_000)], {
        incidents: [
          { kind: 'ip-flood', key: '10.0.0.1\x1b]0;pwned\x07', start: T0, end: T0 + MIN },
        ],
      }),
    );
    expect(text.trimEnd().split('\n').slice(10)).toEqual([
      'false error-spike /a\\x1b[31m at 2024-03-12T10:01:30.000Z',
      'missed ip-flood 10.0.0.1\\x1b]0;pwned\\x07 at 2024-03-12T10:00:00.000Z',
    ]);
  });
});

describe('evaluateDetection on site-wide and distributed incidents', () => {
  const wide: Truth = {
    incidents: [
      { kind: 'surge', key: 'site', start: T0, end: T0 + 40 * MIN },
      { kind: 'outage', key: 'site', start: T0 + 120 * MIN, end: T0 + 130 * MIN },
      { kind: 'ddos', key: '203.0.113.0/24', start: T0 + 200 * MIN, end: T0 + 208 * MIN },
      { kind: 'slow-scan', key: '198.51.100.9', start: T0 + 300 * MIN, end: T0 + 400 * MIN },
    ],
  };
  const step = (firstSeen: number, lastSeen: number) => ({
    windowStart: firstSeen - MIN,
    lastSeen,
  });

  it('matches surge and outage on the anomaly keys that stand for them, with their coverage', () => {
    const e = evaluateDetection(
      [
        // Opens after the surge's first minute and holds to its end: covers all of it.
        alert('anomaly', 'requests-spike', T0 + MIN, step(T0 + MIN, T0 + 40 * MIN)),
        // An error-ratio spike 2 minutes into the outage, holding 6 minutes: 70% covered.
        alert('anomaly', 'error-ratio-spike', T0 + 123 * MIN, step(T0 + 123 * MIN, T0 + 129 * MIN)),
      ],
      wide,
    );
    expect([kind(e, 'surge').detected, kind(e, 'surge').coverageMin]).toEqual([1, 1]);
    expect(kind(e, 'surge').delayMeanMs).toBe(MIN);
    expect([kind(e, 'outage').detected, kind(e, 'outage').coverageMin]).toEqual([1, 0.7]);
    expect(kind(e, 'outage').delayMeanMs).toBe(3 * MIN);
  });

  it('counts a requests-spike during a distributed flood as explained, one elsewhere as false', () => {
    const e = evaluateDetection(
      [
        alert('anomaly', 'requests-spike', T0 + 202 * MIN, step(T0 + 202 * MIN, T0 + 206 * MIN)),
        alert('anomaly', 'requests-spike', T0 + 600 * MIN, step(T0 + 600 * MIN, T0 + 601 * MIN)),
        alert('prefix-flood', '203.0.113.0/24', T0 + 202 * MIN),
      ],
      wide,
    );
    const surge = kind(e, 'surge');
    expect([surge.alerts, surge.truePositives, surge.explained, surge.falsePositives]).toEqual([
      2, 0, 1, 1,
    ]);
    expect(surge.falseAlarms).toEqual([{ key: 'requests-spike', firstSeen: T0 + 600 * MIN }]);
    expect(surge.precision).toBe(0);
    expect([kind(e, 'ddos').detected, kind(e, 'ddos').precision]).toEqual([1, 1]);
  });

  it('counts an error-spike that opens during an outage as explained, not false', () => {
    const e = evaluateDetection(
      [
        alert('error-spike', '/cart', T0 + 125 * MIN),
        alert('error-spike', '/cart', T0 + 500 * MIN),
      ],
      wide,
    );
    const burst = kind(e, 'error-burst');
    expect([burst.explained, burst.falsePositives, burst.precision]).toEqual([1, 1, 0]);
  });

  it('matches a slow scan on its address, however late in its hours the alert opens', () => {
    const e = evaluateDetection([alert('slow-scan', '198.51.100.9', T0 + 330 * MIN)], wide);
    const slow = kind(e, 'slow-scan');
    expect([slow.detected, slow.falsePositives, slow.delayMeanMs]).toEqual([1, 0, 30 * MIN]);
  });
});

describe('reading alerts and truth', () => {
  it('reads back what the engine writes, skipping blank lines', () => {
    const a = alert('scanner', '10.0.0.2', T0);
    expect(
      parseAlertLines(`${formatAlert(a)}\n  \n${formatAlert({ ...a, state: 'resolved' })}`),
    ).toEqual([a, { ...a, state: 'resolved' }]);
  });

  it.each([
    ['not json', 'alerts line 2 is not JSON'],
    ['[1]', 'alerts line 2 is not an alert object'],
    [
      '{"kind":"dos"}',
      'alerts line 2: kind must be error-spike, ip-flood, scanner, prefix-flood, slow-scan, slow-page or anomaly',
    ],
    ['{"kind":"scanner","key":1}', 'alerts line 2: key must be a string'],
    [
      '{"kind":"scanner","key":"x","windowStart":"1"}',
      'alerts line 2: windowStart must be a number',
    ],
  ])('rejects %s with one sentence', (line, message) => {
    const good = formatAlert(alert('scanner', 'x', T0));
    let error: unknown;
    try {
      parseAlertLines(`${good}${line}\n`);
    } catch (err) {
      error = err;
    }
    expect(isLoglabError(error) && [error.code, error.message]).toEqual(['BAD_INPUT', message]);
  });

  it('reads the generator’s truth and rejects anything else', () => {
    expect(parseTruth(JSON.stringify(truth))).toEqual(truth);
    for (const [text, message] of [
      ['{', 'truth is not JSON'],
      ['{"incident":[]}', 'truth has no "incidents" list (expected {"incidents":[…]})'],
      ['{"incidents":[{"kind":"scanner"}]}', 'truth: incident 1 needs kind, key, start and end'],
    ]) {
      expect(() => parseTruth(text)).toThrow(message);
    }
  });
});
