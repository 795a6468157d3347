/**
 * slow-page: a URL's p95 request time per window against its own baseline (DDSketch), with the
 * baseline kept clean of the incident.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import { type Alert, createDetectionEngine, slowPageOptions } from '../../src/realtime/index';
import { record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12);

/** A request to `path` at `minute` (+ `second`) taking `ms`. */
function timed(path: string, minute: number, second: number, ms: number | null): LogRecord {
  return { ...record('192.0.2.1', path, 200, T0 + minute * MIN + second * 1000), durationMs: ms };
}

/** Only slow-page on (unless `errorSpike` is): the others would see nothing here anyway. */
function run(
  records: LogRecord[],
  detectors: { errorSpike?: boolean; slowPage?: boolean } = {},
): Alert[] {
  const alerts: Alert[] = [];
  const engine = createDetectionEngine({
    sink: (a) => alerts.push(a),
    errorSpike: detectors.errorSpike === true ? {} : false,
    slowPage: detectors.slowPage === false ? false : {},
    ipFlood: false,
    scanner: false,
    prefixFlood: false,
    slowScan: false,
    anomaly: false,
  });
  engine.processAll(records);
  engine.flush();
  return alerts;
}

/** Six requests a minute to /cart at 40, 45, 50, 55, 60 and 100 ms: p95 ≈ 100 ms. */
function normal(from: number, to: number, path = '/cart'): LogRecord[] {
  const out: LogRecord[] = [];
  const times = [40, 45, 50, 55, 60, 100];
  for (let m = from; m < to; m++) {
    for (let i = 0; i < times.length; i++) out.push(timed(path, m, i * 10, times[i]));
  }
  return out;
}

describe('slow-page', () => {
  it('opens on a window whose p95 is 2.5 × the baseline p95, and resolves after it', () => {
    // 30 minutes of normal, 10 minutes at 600 ms, 20 minutes of normal again.
    const slow: LogRecord[] = [];
    for (let m = 30; m < 40; m++)
      for (let i = 0; i < 6; i++) slow.push(timed('/cart', m, i * 10, 600));
    const alerts = run([...normal(0, 30), ...slow, ...normal(40, 60)]);
    const opened = alerts.filter((a) => a.state === 'open');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      kind: 'slow-page',
      key: '/cart',
      firstSeen: T0 + 31 * MIN,
      severity: 'critical',
    });
    // The baseline p95 is 100 ms within the sketch's 2%: threshold 2.5 × that.
    expect(opened[0].threshold).toBeGreaterThan(245);
    expect(opened[0].threshold).toBeLessThan(256);
    expect(opened[0].observed).toBeGreaterThan(588);
    expect(opened[0].observed).toBeLessThan(612);
    const resolved = alerts.filter((a) => a.state === 'resolved');
    expect(resolved).toHaveLength(1);
    // The last window holding a slow minute ends at 45 min; the first without one at 46.
    expect(resolved[0].windowEnd).toBe(T0 + 45 * MIN);
    expect(resolved[0].lastSeen).toBe(T0 + 44 * MIN);
  });

  it('does not learn the incident: a slowdown of two hours stays one open alert to its end', () => {
    const slow: LogRecord[] = [];
    for (let m = 30; m < 150; m++)
      for (let i = 0; i < 6; i++) slow.push(timed('/cart', m, i * 10, 600));
    const alerts = run([...normal(0, 30), ...slow, ...normal(150, 170)]);
    expect(alerts.filter((a) => a.state === 'open')).toHaveLength(1);
    const resolved = alerts.filter((a) => a.state === 'resolved');
    expect(resolved.map((a) => a.lastSeen)).toEqual([T0 + 154 * MIN]);
  });

  it('needs three slow requests: one odd request among a handful is not a slow page', () => {
    const records = normal(0, 30);
    records.push(timed('/cart', 30, 5, 5_000), timed('/cart', 31, 5, 5_000));
    const alerts = run([...records, ...normal(30, 40)].sort((a, b) => a.time - b.time));
    expect(alerts).toEqual([]);
  });

  it('ignores records without a request time, and judges no URL before its baseline has 30', () => {
    const untimed = normal(0, 30).map((r) => ({ ...r, durationMs: null }));
    const slow: LogRecord[] = [];
    for (let m = 30; m < 40; m++)
      for (let i = 0; i < 6; i++) slow.push(timed('/cart', m, i * 10, 600));
    expect(run([...untimed, ...slow])).toEqual([]);
  });

  it('keys the URL without its query and keeps URLs apart', () => {
    const slow: LogRecord[] = [];
    for (let m = 30; m < 40; m++) {
      for (let i = 0; i < 6; i++) slow.push(timed(`/search?q=${i}`, m, i * 10, 600));
    }
    const records = [...normal(0, 40), ...normal(0, 30, '/search?q=x'), ...slow];
    const alerts = run(records.sort((a, b) => a.time - b.time));
    expect(alerts.filter((a) => a.state === 'open').map((a) => a.key)).toEqual(['/search']);
  });

  it('judges a URL that is slow and failing for error-spike and slow-page apart, as each alone', () => {
    // The two share one row per URL: one detector's alert must not change the other's verdicts
    // or keep state the other then judges. Ten minutes at 600 ms, answered 500, then nothing:
    // error-spike resolves on the window ending at 43 min (12 errors), slow-page only at 45 (6
    // slow requests still make a slow window), so the row must outlive the first alert.
    const failing: LogRecord[] = [];
    for (let m = 30; m < 40; m++) {
      for (let i = 0; i < 6; i++) failing.push({ ...timed('/cart', m, i * 10, 600), status: 500 });
    }
    const records = [...normal(0, 30), ...failing];
    const both = run(records, { errorSpike: true });
    const errorsAlone = run(records, { errorSpike: true, slowPage: false });
    const pagesAlone = run(records);
    const opened = both.filter((a) => a.state === 'open' && a.windowEnd === a.firstSeen);
    expect(opened.map((a) => [a.kind, a.firstSeen])).toEqual([
      ['slow-page', T0 + 31 * MIN],
      ['error-spike', T0 + 33 * MIN], // 18 of the window's 30 requests failed
    ]);
    expect(both.filter((a) => a.state === 'resolved').map((a) => [a.kind, a.windowEnd])).toEqual([
      ['error-spike', T0 + 43 * MIN],
      ['slow-page', T0 + 45 * MIN],
    ]);
    expect(both.filter((a) => a.kind === 'error-spike')).toEqual(errorsAlone);
    expect(both.filter((a) => a.kind === 'slow-page')).toEqual(pagesAlone);
  });

  it('refuses options that cannot work, in one sentence', () => {
    expect(() => slowPageOptions({ ratio: 1 })).toThrow(
      'slow-page ratio must be a number above 1, got 1',
    );
    expect(() => slowPageOptions({ minSlow: 5, minRequests: 3 })).toThrow(
      'slow-page minSlow must not exceed minRequests, got 5',
    );
  });
});
