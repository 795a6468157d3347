/** Test helpers: collect what an operator emits, build records, shuffle within a lateness bound. */
import { createRandom } from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';
import {
  type Alert,
  createDetectionEngine,
  type DetectionEngineOptions,
  type WindowClosed,
  type WindowResult,
} from '../../src/realtime/index';

export function collector(): { results: WindowResult[]; emit: (r: WindowResult) => void } {
  const results: WindowResult[] = [];
  return { results, emit: (r) => results.push(r) };
}

/** [start, end, count] of each window for `key`, in emission order. */
export function windowsOf(results: WindowResult[], key?: string): [number, number, number][] {
  return results
    .filter((r): r is WindowClosed => r.kind === 'window' && (key === undefined || r.key === key))
    .map((w) => [w.start, w.end, w.count]);
}

export function record(ip: string, path: string | null, status: number, time: number): LogRecord {
  return {
    ip,
    ident: null,
    user: null,
    time,
    method: 'GET',
    path,
    protocol: 'HTTP/1.1',
    status,
    bytes: 100,
    referrer: null,
    userAgent: 'test',
    durationMs: null,
  };
}

/**
 * A seeded arrival order in which every item arrives less than `latenessMs` after (in event
 * time) the newest one before it: each is delayed by a random fraction of the lateness, so no
 * item is ever behind the watermark.
 */
export function shuffleWithin<T>(
  items: T[],
  timeOf: (item: T) => number,
  latenessMs: number,
  seed: number,
): T[] {
  const random = createRandom(seed);
  return items
    .map((item, i) => ({ item, i, at: timeOf(item) + random.next() * latenessMs }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.item);
}

/** True when no item arrives behind max(earlier times) − lateness. */
export function withinLateness<T>(
  items: T[],
  timeOf: (item: T) => number,
  latenessMs: number,
): boolean {
  let max = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const t = timeOf(item);
    if (t < max - latenessMs) return false;
    if (t > max) max = t;
  }
  return true;
}

/** Run records through a detection engine (defaults unless overridden) and return every alert line. */
export function detect(
  records: Iterable<LogRecord>,
  options: Omit<DetectionEngineOptions, 'sink'> = {},
): Alert[] {
  const alerts: Alert[] = [];
  const engine = createDetectionEngine({ ...options, sink: (a) => alerts.push(a) });
  engine.processAll(records);
  engine.flush();
  return alerts;
}

/** Only the named detector on. */
export function only(
  name: 'errorSpike' | 'ipFlood' | 'scanner' | 'prefixFlood' | 'slowScan' | 'anomaly',
): Omit<DetectionEngineOptions, 'sink'> {
  const off = {
    errorSpike: false,
    ipFlood: false,
    scanner: false,
    prefixFlood: false,
    slowScan: false,
    anomaly: false,
  } as const;
  return { ...off, [name]: {} };
}
