/**
 * slow-page baselines: which URLs get one, which one is dropped past maxUrls, what happens to an
 * open alert whose baseline was dropped, and how a lasting change becomes the new normal.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import {
  type Alert,
  createDetectionEngine,
  type DetectionEngine,
  type SlowPageOptions,
} from '../../src/realtime/index';
import { record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12);

/** A request to `path` at `minute` (+ `second`) taking `ms`. */
function timed(path: string, minute: number, second: number, ms: number): LogRecord {
  return { ...record('192.0.2.1', path, 200, T0 + minute * MIN + second * 1000), durationMs: ms };
}

/** Six requests a minute to `path` at 40 to 100 ms (p95 ≈ 100 ms), or all at `slowMs`. */
function minutes(path: string, from: number, to: number, slowMs?: number): LogRecord[] {
  const out: LogRecord[] = [];
  const times = [40, 45, 50, 55, 60, 100];
  for (let m = from; m < to; m++) {
    for (let i = 0; i < times.length; i++) out.push(timed(path, m, i * 10, slowMs ?? times[i]));
  }
  return out;
}

/** Only slow-page on, with `options`; the engine is returned to look at after the input. */
function run(
  records: LogRecord[],
  options: Partial<SlowPageOptions>,
): { alerts: Alert[]; engine: DetectionEngine } {
  const alerts: Alert[] = [];
  const engine = createDetectionEngine({
    sink: (a) => alerts.push(a),
    errorSpike: false,
    ipFlood: false,
    scanner: false,
    prefixFlood: false,
    slowScan: false,
    anomaly: false,
    slowPage: options,
  });
  engine.processAll(records.sort((a, b) => a.time - b.time));
  engine.flush();
  return { alerts, engine };
}

describe('slow-page baselines', () => {
  it('gives no baseline to one-off paths, so a scan does not push out the real pages', () => {
    // Two baselines at most; a scanner asks for three new paths a minute, each once.
    const scan: LogRecord[] = [];
    for (let m = 5; m < 40; m++) {
      for (let i = 0; i < 3; i++) scan.push(timed(`/probe/${m}-${i}.php`, m, 5 + i * 15, 3));
    }
    const { alerts } = run(
      [...minutes('/cart', 0, 30), ...minutes('/cart', 30, 40, 600), ...scan],
      { maxUrls: 2 },
    );
    expect(alerts.map((a) => [a.state, a.key, a.firstSeen])).toEqual([
      ['open', '/cart', T0 + 31 * MIN],
      ['resolved', '/cart', T0 + 31 * MIN],
    ]);
  });

  it('drops the least recently learned baseline, not the first made', () => {
    // Two baselines at most: /cart and /old from minute 0, /old quiet after minute 10, /new
    // from minute 18; /cart slows down at minute 21. /old's baseline goes, /cart's stays (made
    // again at minute 19, it would be too young to judge at 22 and learn the slowdown).
    const { alerts } = run(
      [
        ...minutes('/cart', 0, 21),
        ...minutes('/old', 0, 10),
        ...minutes('/new', 18, 40),
        ...minutes('/cart', 21, 30, 600),
      ],
      { maxUrls: 2 },
    );
    expect(alerts.map((a) => [a.state, a.key, a.firstSeen])).toEqual([
      ['open', '/cart', T0 + 22 * MIN],
      ['resolved', '/cart', T0 + 22 * MIN],
    ]);
  });

  it('resolves an open alert whose baseline was dropped, and frees its row', () => {
    // One baseline at most: /other, busy from minute 32, takes the place of /cart's while
    // /cart's alert is open.
    const { alerts, engine } = run(
      [
        ...minutes('/cart', 0, 30),
        ...minutes('/cart', 30, 40, 600),
        ...minutes('/cart', 40, 60),
        ...minutes('/other', 32, 60),
      ],
      { maxUrls: 1 },
    );
    expect(alerts.map((a) => [a.state, a.key, a.lastSeen])).toEqual([
      ['open', '/cart', T0 + 31 * MIN],
      ['resolved', '/cart', T0 + 44 * MIN],
    ]);
    expect(engine.snapshot().openAlerts).toEqual([]);
  });

  it('learns a change that outlasts holdBuckets as the new normal, and resolves on it', () => {
    // /cart at 600 ms from minute 30 for two hours; the hold is 20 buckets.
    const { alerts } = run([...minutes('/cart', 0, 30), ...minutes('/cart', 30, 150, 600)], {
      holdBuckets: 20,
    });
    expect(alerts.map((a) => [a.state, a.firstSeen, a.lastSeen])).toEqual([
      ['open', T0 + 31 * MIN, T0 + 31 * MIN],
      ['resolved', T0 + 31 * MIN, T0 + 50 * MIN],
    ]);
  });
});
