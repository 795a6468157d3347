/**
 * What a dashboard reads from the engine: records, late records, watermark, live keys, alerts
 * opened and open, the newest window's top URLs and addresses, the per-minute series.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, createDetectionEngine, formatAlert } from '../../src/realtime/index';
import { record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 10);

describe('engine counters and snapshot', () => {
  it('start empty', () => {
    const engine = createDetectionEngine({ sink: () => {} });
    const s = engine.snapshot();
    expect(s).toEqual({
      records: 0,
      late: 0,
      maxEventTime: Number.NEGATIVE_INFINITY,
      watermark: Number.NEGATIVE_INFINITY,
      liveIps: 0,
      liveUrls: 0,
      opened: {
        'error-spike': 0,
        'ip-flood': 0,
        scanner: 0,
        'prefix-flood': 0,
        'slow-scan': 0,
        'slow-page': 0,
        anomaly: 0,
      },
      open: 0,
      alertLines: 0,
      window: null,
      topUrls: [],
      topIps: [],
      series: { start: 0, stepMs: MIN, requests: [], errors: [] },
      openAlerts: [],
    });
  });

  it('count, rank and draw what came in', () => {
    const alerts: Alert[] = [];
    const engine = createDetectionEngine({ sink: (a) => alerts.push(a), historySteps: 3 });
    // Minute 0: 160 requests from one address (a flood), 5 of them 500 on /api.
    for (let i = 0; i < 160; i++) {
      engine.process(
        record('10.0.0.9', i < 5 ? '/api' : `/p/${i % 3}`, i < 5 ? 500 : 200, T0 + i * 300),
      );
    }
    // Minute 2: a few others.
    engine.process(record('10.0.0.1', '/p/0', 200, T0 + 2 * MIN));
    engine.process(record('10.0.0.2', '/p/0?ref=x', 200, T0 + 2 * MIN + 1000));
    engine.process(record('10.0.0.1', '/late', 200, T0)); // behind the watermark: late
    const s = engine.snapshot(2);
    expect(s.records).toBe(163);
    expect(s.late).toBe(1);
    expect(s.maxEventTime).toBe(T0 + 2 * MIN + 1000);
    expect(s.watermark).toBe(T0 + 2 * MIN + 1000 - 30_000);
    // The window [T0+1m−5m, T0+1m) closed (watermark past T0+1m): the flood opened.
    expect(s.opened['ip-flood']).toBe(1);
    expect(s.open).toBe(1);
    expect(alerts.map((a) => [a.kind, a.key, a.state, a.observed])).toEqual([
      ['ip-flood', '10.0.0.9', 'open', 160],
    ]);
    expect(s.openAlerts).toEqual(alerts);
    expect([s.liveIps, s.liveUrls]).toEqual([3, 4]);
    // The newest window is the one that holds the newest record: [T0−2m, T0+3m).
    expect(s.window).toEqual({ start: T0 - 2 * MIN, end: T0 + 3 * MIN });
    expect(s.topIps).toEqual([
      { key: '10.0.0.9', count: 160 },
      { key: '10.0.0.1', count: 1 },
    ]);
    // The flood's 155 pages (i = 5…159) go to /p/(i mod 3): 52 to /p/0 and /p/2, 51 to /p/1;
    // /p/0 has two more from minute 2 (the query string is not part of the URL).
    expect(s.topUrls).toEqual([
      { key: '/p/0', count: 54 },
      { key: '/p/2', count: 52 },
    ]);
    expect(s.series).toEqual({
      start: T0,
      stepMs: MIN,
      requests: [160, 0, 2],
      errors: [5, 0, 0],
    });
    engine.flush();
    expect(engine.counters()).toMatchObject({ open: 0, alertLines: 2, liveIps: 0, liveUrls: 0 });
  });

  it('write alerts as NDJSON with the documented fields in order', () => {
    const line = formatAlert({
      kind: 'ip-flood',
      key: '10.0.0.9',
      windowStart: 1,
      windowEnd: 2,
      observed: 3,
      threshold: 4,
      severity: 'warning',
      firstSeen: 5,
      lastSeen: 6,
      state: 'open',
    });
    expect(line).toBe(
      '{"kind":"ip-flood","key":"10.0.0.9","windowStart":1,"windowEnd":2,"observed":3,' +
        '"threshold":4,"severity":"warning","firstSeen":5,"lastSeen":6,"state":"open"}\n',
    );
  });
});
