/**
 * The rows that explain detection: a detector's measure window by window (the same numbers the
 * engine judged), and detection quality pooled over days for several window sizes, on crafted
 * incidents whose delays can be worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../../../src/generate/index';
import type { LogRecord } from '../../../src/log/record';
import {
  type Alert,
  compareWindows,
  createDetectionEngine,
  incidentWindows,
  windowSeries,
} from '../../../src/realtime/index';
import { record } from '../collect';

const T0 = Date.UTC(2024, 2, 12, 10, 0, 0);
const MIN = 60_000;

describe('windowSeries', () => {
  const records = [
    record('a', '/x', 500, T0 + 10_000),
    record('a', '/y', 500, T0 + 70_000),
    record('a', '/y', 200, T0 + 130_000),
    record('b', '/x', 500, T0 + 130_000),
    record('a', '/z', 404, T0 + 180_000), // on the end of [T0, T0+3m): not in it
  ];

  it('counts matching records per hopping window, start inclusive, end exclusive, zeros included', () => {
    const points = windowSeries(records, {
      windowMs: 2 * MIN,
      hopMs: MIN,
      from: T0 + MIN,
      to: T0 + 5 * MIN,
      match: (r) => r.ip === 'a',
    });
    expect(points.map((p) => [(p.start - T0) / MIN, (p.end - T0) / MIN, p.value])).toEqual([
      [-1, 1, 1],
      [0, 2, 2],
      [1, 3, 2],
      [2, 4, 2],
      [3, 5, 1],
    ]);
  });

  it('starts at the first window end at or after `from`, and counts distinct values when asked', () => {
    const points = windowSeries(records, {
      windowMs: 3 * MIN,
      hopMs: MIN,
      from: T0 + 150_000,
      to: T0 + 4 * MIN,
      match: (r) => r.ip === 'a',
      distinctBy: (r) => r.path as string,
    });
    // [T0, T0+3m): /x, /y, /y; [T0+1m, T0+4m): /y, /y, /z.
    expect(points.map((p) => [(p.end - T0) / MIN, p.value])).toEqual([
      [3, 2],
      [4, 2],
    ]);
  });
});

describe('incidentWindows on a generated day', () => {
  const generator = createGenerator(defaultOptions({ incidents: [...INCIDENT_KINDS] }));
  const records = [...generator.records()];
  const alerts: Alert[] = [];
  const engine = createDetectionEngine({ sink: (a) => alerts.push(a) });
  engine.processAll(records);
  engine.flush();

  it.each([
    ['error-burst', 'error-spike', '5xx responses', 15],
    ['ip-flood', 'ip-flood', 'requests', 150],
    ['scanner', 'scanner', 'distinct not-found paths', 20],
  ])(
    '%s: the measure in every window the engine judged equals what its alert lines observed',
    (kind, alertKind, measure, threshold) => {
      const incident = generator.truth().incidents.find((i) => i.kind === kind);
      if (incident === undefined) throw new Error(`no ${kind} injected`);
      const view = incidentWindows(records, alerts, incident, engine.settings);
      expect([view.alertKind, view.measure, view.threshold]).toEqual([
        alertKind,
        measure,
        threshold,
      ]);
      expect(view.alerts.length).toBeGreaterThanOrEqual(2);
      expect(view.alerts.every((a) => a.kind === alertKind && a.key === incident.key)).toBe(true);
      expect(view.alerts.map((a) => a.state)).toContain('resolved');
      for (const a of view.alerts) {
        const point = view.points.find((p) => p.end === a.windowEnd);
        expect([a.windowStart, point?.value]).toEqual([point?.start, a.observed]);
      }
      // 30 minutes either side of the incident, a window every minute.
      expect(view.points[0].end).toBeGreaterThanOrEqual(incident.start - 30 * MIN);
      expect(view.points[0].end - MIN).toBeLessThan(incident.start - 30 * MIN);
      expect(view.points.every((p, i) => i === 0 || p.end - view.points[i - 1].end === MIN)).toBe(
        true,
      );
    },
  );
});

/** 160 requests from one address, 40 a minute for four minutes from T0. */
function slowFlood(ip: string, start: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < 160; i++) out.push(record(ip, '/product/1', 200, start + i * 1500));
  return out;
}

describe('compareWindows', () => {
  const floodDay = {
    records: slowFlood('203.0.113.9', T0),
    truth: {
      incidents: [{ kind: 'ip-flood', key: '203.0.113.9', start: T0, end: T0 + 238_500 }],
    },
  };
  // A day without incidents but with a burst of 200 requests in two minutes: a false alarm.
  const busyDay = {
    records: Array.from({ length: 200 }, (_, i) =>
      record('198.51.100.4', '/search', 200, T0 + i * 600),
    ),
    truth: { incidents: [] },
  };

  it('works out delay, misses and how long the alert holds, per window size (fixed thresholds)', () => {
    const rows = compareWindows([floodDay], [MIN, 5 * MIN]).filter(
      (r) => r.incidentKind === 'ip-flood',
    );
    expect(
      rows.map((r) => [
        r.windowMs / MIN,
        r.detected,
        r.alerts,
        r.recall,
        r.f1,
        r.delayMeanMs,
        r.holdsAfterEndMs,
      ]),
    ).toEqual([
      // 40 requests a minute never reach 150 in one minute.
      [1, 0, 0, 0, 0, null, null],
      // [T0−1m, T0+4m) holds all 160: the alert opens at T0+4m; [T0, T0+5m) still holds them.
      [5, 1, 1, 1, 1, 4 * MIN, 5 * MIN - 238_500],
    ]);
  });

  it('scales the thresholds with the window when asked (150 per 5 minutes is 30 per minute)', () => {
    const [row] = compareWindows([floodDay], [MIN], { thresholds: 'rate' }).filter(
      (r) => r.incidentKind === 'ip-flood',
    );
    // The first minute has 40 requests: the alert opens at T0+1m and holds through T0+4m.
    expect([row.thresholds, row.detected, row.delayMeanMs, row.holdsAfterEndMs]).toEqual([
      'rate',
      1,
      MIN,
      4 * MIN - 238_500,
    ]);
  });

  it('pools days: an alert on a day without incidents is a false positive', () => {
    const [row] = compareWindows([floodDay, busyDay], [5 * MIN]).filter(
      (r) => r.incidentKind === 'ip-flood',
    );
    expect([row.incidents, row.detected, row.alerts, row.falsePositives]).toEqual([1, 1, 2, 1]);
    expect([row.precision, row.recall]).toEqual([0.5, 1]);
    expect(row.f1).toBeCloseTo(2 / 3, 10);
  });

  it('reports kinds with neither incidents nor alerts as undefined, not as perfect', () => {
    const rows = compareWindows([floodDay], [5 * MIN]).filter((r) => r.incidentKind !== 'ip-flood');
    expect(rows.map((r) => [r.incidentKind, r.precision, r.recall, r.f1])).toEqual([
      ['error-burst', null, null, null],
      ['scanner', null, null, null],
    ]);
  });
});
