/**
 * anomaly on crafted series. With a flat baseline of 100 requests a minute the median of √count
 * is 10 and the MAD and standard deviation are 0, so the scale is the counting noise 0.5 and the
 * limits are (10 ± 6 · 0.5)² = 169 and 49 requests. With no errors in the baseline the
 * error-ratio limit at 100 requests is sin²(6 · 0.5/√100) = sin²(0.3). Once an outlier has
 * entered the baseline (clipped to the limit), the standard deviation of the baseline sets the
 * scale; `sd` below computes it from the values the documentation says the baseline holds.
 */
import { describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import type { LogRecord } from '../../src/log/record';
import { type Alert, anomalyOptions, createAnomalyDetector } from '../../src/realtime/index';
import { detect, only, record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 12);

/** Feed steps of [requests, errors] one minute apart from T0; return the alert lines. */
function feed(
  steps: [number, number][],
  overrides = {},
): { alerts: Alert[]; z: (number | null)[] } {
  const detector = createAnomalyDetector(overrides);
  const alerts: Alert[] = [];
  const z: (number | null)[] = [];
  steps.forEach(([requests, errors], i) => {
    z.push(detector.closeStep(T0 + i * MIN, requests, errors, alerts).requestsZ);
  });
  detector.finish(alerts);
  return { alerts, z };
}

const flat = (n: number): [number, number][] => Array.from({ length: n }, () => [100, 0]);

/** Sample standard deviation. */
function sd(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

const sig6 = (x: number) => Number(x.toPrecision(6));
const brief = (a: Alert) => [a.key, a.state, a.windowStart, a.observed, a.threshold, a.severity];

describe('anomaly', () => {
  it('scores nothing during the warm-up, however wild the series', () => {
    const { alerts, z } = feed([...flat(29), [5000, 0]]);
    expect(alerts).toEqual([]);
    expect(z.every((v) => v === null)).toBe(true);
  });

  it('opens a spike at the limit 169 and not at 168, and resolves when the score falls back', () => {
    const at = (n: number) => feed([...flat(30), [n, 0], [100, 0]]);
    expect(at(168).alerts).toEqual([]);
    // The spike is judged anomalous and stays out of the baseline: the next limit is 169 again.
    expect(at(169).alerts.map(brief)).toEqual([
      ['requests-spike', 'open', T0 + 30 * MIN, 169, 169, 'warning'],
      ['requests-spike', 'resolved', T0 + 31 * MIN, 100, 169, 'warning'],
    ]);
    expect(at(169).z[30]).toBe(6);
  });

  it('calls a spike critical at twice the limit of the score', () => {
    // z = 12 at √n = 16: n = 256.
    const { alerts } = feed([...flat(30), [256, 0]]);
    expect(alerts.map((a) => [a.state, a.severity])).toEqual([
      ['open', 'critical'],
      ['resolved', 'critical'],
    ]);
  });

  it('opens a drop only after two steps at or below the limit 49', () => {
    expect(feed([...flat(30), [49, 0], [100, 0]]).alerts).toEqual([]);
    expect(feed([...flat(30), [50, 0], [50, 0], [100, 0]]).alerts).toEqual([]);
    const { alerts } = feed([...flat(30), [49, 0], [0, 0], [100, 0]]);
    // Low steps stay out of the baseline: the limit stays 49.
    expect(alerts.map(brief)).toEqual([
      ['requests-drop', 'open', T0 + 31 * MIN, 0, 49, 'critical'],
      ['requests-drop', 'resolved', T0 + 32 * MIN, 100, 49, 'critical'],
    ]);
    expect(alerts[0].firstSeen).toBe(T0 + 32 * MIN);
  });

  it('keeps a spike open while the score stays above the resolve limit (hysteresis)', () => {
    // 150 alone does not open a spike: z = (√150 − 10)/0.5 = 4.5. After 200 it keeps it open.
    expect(feed([...flat(30), [150, 0]]).alerts).toEqual([]);
    const { alerts } = feed([...flat(30), [200, 0], [150, 0], [100, 0]]);
    expect(alerts.map((a) => [a.state, a.windowStart, a.lastSeen])).toEqual([
      ['open', T0 + 30 * MIN, T0 + 31 * MIN],
      ['resolved', T0 + 32 * MIN, T0 + 32 * MIN],
    ]);
  });

  it('opens a spike on the evidence of steps that are each under the limit', () => {
    // 150 a minute is z = 4.5 (under 6): two of them together are (4.5 + 4.49)/√2 = 6.35. The
    // first is learned clipped to 10 + 3 · 0.5, which leaves the scale at the counting noise.
    const steps: [number, number][] = [...flat(30), [150, 0], [150, 0], [150, 0], [100, 0]];
    const { alerts, z } = feed(steps);
    expect(alerts.map((a) => [a.key, a.state, a.windowStart, a.lastSeen])).toEqual([
      ['requests-spike', 'open', T0 + 31 * MIN, T0 + 32 * MIN],
      ['requests-spike', 'resolved', T0 + 33 * MIN, T0 + 33 * MIN],
    ]);
    expect(z.slice(30, 33).map((v) => Number(v?.toFixed(2)))).toEqual([4.49, 4.49, 4.49]);
    // Judging each step alone, nothing opens and the baseline learns the level.
    expect(feed(steps, { evidenceSteps: 1 }).alerts).toEqual([]);
  });

  it('opens an error-ratio spike on three steps of 4 errors in 16 requests', () => {
    // The night: 16 requests a minute, so the noise of asin √ratio is 0.5/√16 = 0.125 and one
    // step of 4 errors scores asin(0.5)/0.125 = 4.19; two make 5.92, three 7.26.
    const night = (n: number): [number, number][] => Array.from({ length: n }, () => [16, 0]);
    const outage = (failing: number) =>
      feed([
        ...night(30),
        ...Array.from({ length: failing }, (): [number, number] => [16, 4]),
        ...night(2),
      ]).alerts.map((a) => [a.key, a.state, a.windowStart]);
    expect(outage(2)).toEqual([]);
    expect(outage(3)).toEqual([
      ['error-ratio-spike', 'open', T0 + 32 * MIN],
      ['error-ratio-spike', 'resolved', T0 + 33 * MIN],
    ]);
  });

  it('does not open a spike again through the evidence of a minute that had its own alert', () => {
    // 400 is z = 20 and resolves on the next step; 144 is z = 4. Unbounded, 20 + 0 + 4 would
    // be 13.9 of evidence; each score counts at most 6 in it, so (6 + 0 + 4)/√3 = 5.8.
    const { alerts } = feed([...flat(30), [400, 0], [100, 0], [144, 0], [144, 0], [100, 0]]);
    expect(alerts.map((a) => [a.state, a.windowStart])).toEqual([
      ['open', T0 + 30 * MIN],
      ['resolved', T0 + 31 * MIN],
    ]);
  });

  it('opens a spike on two steps of a change when the step before them was quiet', () => {
    // 81 is z = −2, then 150 twice (z = 4.49 each): over the three (−2 + 8.98)/√3 = 4.03, but
    // the change began two steps ago and those two alone are 8.98/√2 = 6.35. Generated day 75's
    // flash crowd at 03:28 began so, and its alert waited a third step (203 s, 86% covered).
    const { alerts } = feed([...flat(33), [81, 0], [150, 0], [150, 0], [100, 0]]);
    expect(alerts.map((a) => [a.key, a.state, a.windowStart, a.lastSeen])).toEqual([
      ['requests-spike', 'open', T0 + 35 * MIN, T0 + 36 * MIN],
      ['requests-spike', 'resolved', T0 + 36 * MIN, T0 + 36 * MIN],
    ]);
  });

  it('does not open a spike again through the evidence of the steps of a resolved alert', () => {
    // 256 twice is z = 12 (open); 125 is z = 2.36 (resolves), 126 is z = 2.45. Had the evidence
    // kept the alert's steps, (6 + 2.36 + 2.45)/√3 = 6.24 would open another: generated day 60
    // raised a false requests-spike so, a minute after an ip-flood's alert resolved.
    const { alerts } = feed([...flat(33), [256, 0], [256, 0], [125, 0], [126, 0], [100, 0]]);
    expect(alerts.map((a) => [a.state, a.windowStart])).toEqual([
      ['open', T0 + 33 * MIN],
      ['resolved', T0 + 35 * MIN],
    ]);
  });

  it('opens an error-ratio spike at 9 errors in 100 requests and not at 8', () => {
    const limit = Math.sin(0.3) ** 2; // 0.0873
    expect(feed([...flat(30), [100, 8]]).alerts).toEqual([]);
    const { alerts } = feed([...flat(30), [100, 9], [100, 0]]);
    expect(alerts.map(brief)).toEqual([
      ['error-ratio-spike', 'open', T0 + 30 * MIN, 0.09, sig6(limit), 'warning'],
      ['error-ratio-spike', 'resolved', T0 + 31 * MIN, 0, sig6(limit), 'warning'],
    ]);
  });

  it('keeps the baseline from learning an incident: an hour of 5× stays open to its last step', () => {
    // The surge of the issue: the old baseline learned it and resolved after 13 minutes.
    const { alerts } = feed([
      ...flat(60),
      ...Array.from({ length: 60 }, (): [number, number] => [500, 0]),
      ...flat(10),
    ]);
    expect(alerts.map((a) => [a.key, a.state, a.windowStart, a.lastSeen])).toEqual([
      ['requests-spike', 'open', T0 + 60 * MIN, T0 + 61 * MIN],
      ['requests-spike', 'resolved', T0 + 120 * MIN, T0 + 120 * MIN],
    ]);
  });

  it('keeps an outage open too: half the answers failing for 15 minutes', () => {
    const { alerts } = feed([
      ...flat(60),
      ...Array.from({ length: 15 }, (): [number, number] => [100, 50]),
      ...flat(10),
    ]);
    expect(alerts.map((a) => [a.key, a.state, a.windowStart])).toEqual([
      ['error-ratio-spike', 'open', T0 + 60 * MIN],
      ['error-ratio-spike', 'resolved', T0 + 75 * MIN],
    ]);
  });

  it('learns a level that outlasts holdSteps: then it becomes normal', () => {
    // Traffic doubles for good. For 10 steps the baseline holds still; then it learns the new
    // level, clipped to the limit, and the alert resolves while traffic stays at 200.
    const doubled = (): [number, number][] => [
      ...flat(60),
      ...Array.from({ length: 60 }, (): [number, number] => [200, 0]),
    ];
    const { alerts } = feed(doubled(), { holdSteps: 10 });
    expect(alerts.map((a) => [a.key, a.state, a.observed])).toEqual([
      ['requests-spike', 'open', 200],
      ['requests-spike', 'resolved', 200],
    ]);
    expect(alerts[1].lastSeen).toBeLessThan(T0 + 100 * MIN);
    // With the default (180 steps) an hour at 200 is still an incident at the end of the input.
    expect(feed(doubled()).alerts[1].lastSeen).toBe(T0 + 120 * MIN);
  });

  it('knows the same time yesterday: a surge on the morning rise resolves when it ends', () => {
    // A smooth daily curve, 100 to 900 requests a minute, and on day two an hour of five times
    // the curve from 26 hours in (two hours into the curve's rise). While the alert holds the
    // baseline still, the curve goes on rising; compared with the day before the rise is
    // expected, so the alert resolves on the first step after the surge. Without the season
    // the held baseline is an hour stale, the end of the surge still looks high, and the alert
    // stays open to the end of the input.
    const curve = (m: number) => Math.round(500 + 400 * Math.sin((2 * Math.PI * m) / 1440));
    const steps: [number, number][] = Array.from({ length: 1740 }, (_, m) => [
      m >= 1560 && m < 1620 ? 5 * curve(m) : curve(m),
      0,
    ]);
    const spans = (overrides = {}) =>
      feed(steps, overrides).alerts.map((a) => [
        a.key,
        a.state,
        (a.windowStart - T0) / MIN,
        (a.lastSeen - T0) / MIN,
      ]);
    expect(spans()).toEqual([
      ['requests-spike', 'open', 1560, 1561],
      ['requests-spike', 'resolved', 1620, 1620],
    ]);
    expect(spans({ seasonMs: 0 })).toEqual([
      ['requests-spike', 'open', 1560, 1561],
      ['requests-spike', 'resolved', 1560, 1740],
    ]);
  });

  it('resolves whatever is open at the end of the input', () => {
    const { alerts } = feed([...flat(30), [400, 0]]);
    expect(alerts.map((a) => [a.state, a.windowStart])).toEqual([
      ['open', T0 + 30 * MIN],
      ['resolved', T0 + 30 * MIN],
    ]);
  });

  it('rejects options that cannot work with one clear sentence', () => {
    let error: unknown;
    try {
      anomalyOptions({ openZ: 2, resolveZ: 3 });
    } catch (err) {
      error = err;
    }
    expect(isLoglabError(error) && error.message).toBe(
      'anomaly needs 0 < resolveZ ≤ openZ, got 3 and 2',
    );
  });
});

describe('anomaly in the engine', () => {
  it('scores each closed minute of the site series and alerts on a flood of requests', () => {
    const records: LogRecord[] = [];
    // 40 minutes of 60 requests a minute, one minute of 600, and two more of 60 (the last
    // minute of the input is cut off: it is not scored).
    for (let m = 0; m < 43; m++) {
      const n = m === 40 ? 600 : 60;
      for (let i = 0; i < n; i++) {
        const time = T0 + m * MIN + Math.floor((i * MIN) / n);
        records.push(record(`10.0.${i % 50}.${m}`, `/p/${i % 30}`, 200, time));
      }
    }
    const alerts = detect(records, only('anomaly'));
    const root = Math.sqrt(60);
    // Limit: (√60 + 6 · 0.5)²; then the spike is in the baseline as √60 + 3, and the scale is
    // its standard deviation or the counting noise, whichever is larger.
    const after = root + 6 * Math.max(0.5, sd([...Array(40).fill(root), root + 3]));
    expect(alerts.map((a) => [a.key, a.state, a.windowStart, a.observed, a.threshold])).toEqual([
      ['requests-spike', 'open', T0 + 40 * MIN, 600, sig6((root + 3) ** 2)],
      ['requests-spike', 'resolved', T0 + 41 * MIN, 60, sig6(after ** 2)],
    ]);
  });

  it('opens a drop when traffic stops, and starts its baseline again after a long gap', () => {
    const minutes = (from: number, count: number) => {
      const out: LogRecord[] = [];
      for (let m = from; m < from + count; m++) {
        for (let i = 0; i < 60; i++)
          out.push(record('10.0.0.1', '/', 200, T0 + m * MIN + i * 1000));
      }
      return out;
    };
    // 40 minutes of traffic, three hours of nothing, then 40 minutes of the same traffic.
    const alerts = detect([...minutes(0, 40), ...minutes(220, 40)], only('anomaly'));
    expect(alerts.map((a) => [a.key, a.state, a.firstSeen])).toEqual([
      ['requests-drop', 'open', T0 + 42 * MIN],
      ['requests-drop', 'resolved', T0 + 42 * MIN],
    ]);
    // Resolved inside the gap, at the latest when the baseline is forgotten (60 empty steps).
    expect(alerts[1].lastSeen).toBeLessThanOrEqual(T0 + 100 * MIN);
  });
});
