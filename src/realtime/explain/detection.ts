/**
 * Rows that explain detection, for notebooks and slides: what a detector measured window by
 * window around an injected incident, and how detection quality changes with the window size.
 * Pure: records, alerts and ground truth in, plain rows out.
 */
import type { LogRecord } from '../../log/record';
import type { Alert, AlertKind } from '../alert';
import { errorSpikeOptions, urlKey } from '../detectors/error-spike';
import { ipFloodOptions } from '../detectors/ip-flood';
import { isNotFound, scannerOptions } from '../detectors/scanner';
import { createDetectionEngine } from '../engine';
import {
  alertSpans,
  DETECTED_BY,
  evaluateDetection,
  type Truth,
  type TruthIncident,
} from '../evaluate';
import { DEFAULT_HOP_MS, DEFAULT_WINDOW_MS, type DetectionSettings } from '../settings';
import { alignDown, gcd } from '../watermark';

/** One hopping window, [start, end), and the value measured in it. */
export interface WindowPoint {
  start: number;
  end: number;
  value: number;
}

export interface WindowSeriesOptions<T> {
  windowMs: number;
  hopMs: number;
  /** Windows whose end lies in [from, to] (epoch ms). */
  from: number;
  to: number;
  /** The records that count. */
  match: (record: T) => boolean;
  /** Count distinct values of this instead of records (e.g. paths). */
  distinctBy?: (record: T) => string;
}

/**
 * A measure per hopping window (windows start at multiples of the hop, as the engine's do),
 * empty windows included as 0, in order of their end. Not a hot path: a notebook zooms into one
 * key around one incident.
 */
export function windowSeries<T extends { time: number }>(
  records: Iterable<T>,
  options: WindowSeriesOptions<T>,
): WindowPoint[] {
  const { windowMs, hopMs, from, to, match, distinctBy } = options;
  const width = gcd(windowMs, hopMs);
  // Ends are k·hop + window: the first one at or after `from`.
  const firstEnd = alignDown(from - windowMs + hopMs - 1, hopMs) + windowMs;
  const counts = new Map<number, number>();
  const values = new Map<number, Set<string>>();
  for (const r of records) {
    if (r.time < firstEnd - windowMs || r.time >= to || !match(r)) continue;
    const bucket = Math.floor(r.time / width);
    if (distinctBy === undefined) counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    else {
      let set = values.get(bucket);
      if (set === undefined) {
        set = new Set();
        values.set(bucket, set);
      }
      set.add(distinctBy(r));
    }
  }
  const out: WindowPoint[] = [];
  for (let end = firstEnd; end <= to; end += hopMs) {
    const start = end - windowMs;
    let value = 0;
    if (distinctBy === undefined) {
      for (let b = start / width; b < end / width; b++) value += counts.get(b) ?? 0;
    } else {
      const seen = new Set<string>();
      for (let b = start / width; b < end / width; b++) {
        for (const v of values.get(b) ?? []) seen.add(v);
      }
      value = seen.size;
    }
    out.push({ start, end, value });
  }
  return out;
}

/** What the detector of an incident's kind saw around it, window by window. */
export interface IncidentWindows {
  incident: TruthIncident;
  alertKind: AlertKind;
  /** What `value` counts, for an axis title ("5xx responses", …). */
  measure: string;
  windowMs: number;
  hopMs: number;
  /** The detector's fixed threshold on `value`. */
  threshold: number;
  points: WindowPoint[];
  /** The alert lines of that kind and key. */
  alerts: Alert[];
}

/**
 * The measure the matching detector judges (5xx answers of the URL for an error burst, requests
 * of the address for a flood, distinct not-found paths of the address for a scanner) in every
 * window ending from `marginMs` before the incident to `marginMs` after it, with the threshold
 * of `settings` and the alert lines on the incident's key.
 */
export function incidentWindows(
  records: Iterable<LogRecord>,
  alerts: readonly Alert[],
  incident: TruthIncident,
  settings: Pick<DetectionSettings, 'windowMs' | 'hopMs' | 'errorSpike' | 'ipFlood' | 'scanner'>,
  marginMs = 30 * 60_000,
): IncidentWindows {
  const alertKind = DETECTED_BY[incident.kind];
  if (alertKind === undefined)
    throw new RangeError(`no detector for incident kind ${incident.kind}`);
  const { windowMs, hopMs } = settings;
  const key = incident.key;
  const range = { windowMs, hopMs, from: incident.start - marginMs, to: incident.end + marginMs };
  let measure: string;
  let threshold: number;
  let points: WindowPoint[];
  if (alertKind === 'error-spike') {
    measure = '5xx responses';
    threshold = (settings.errorSpike ?? errorSpikeOptions()).minErrors;
    points = windowSeries(records, {
      ...range,
      match: (r) => r.status >= 500 && r.status <= 599 && r.path !== null && urlKey(r.path) === key,
    });
  } else if (alertKind === 'ip-flood') {
    measure = 'requests';
    threshold = (settings.ipFlood ?? ipFloodOptions()).minRequests;
    points = windowSeries(records, { ...range, match: (r) => r.ip === key });
  } else {
    measure = 'distinct not-found paths';
    threshold = (settings.scanner ?? scannerOptions()).minDistinctPaths;
    points = windowSeries(records, {
      ...range,
      match: (r) => r.ip === key && isNotFound(r.status) && r.path !== null,
      distinctBy: (r) => urlKey(r.path as string),
    });
  }
  return {
    incident,
    alertKind,
    measure,
    windowMs,
    hopMs,
    threshold,
    points,
    alerts: alerts.filter((a) => a.kind === alertKind && a.key === key),
  };
}

/** A generated day: its records and the incidents injected into it. */
export interface LabelledDay {
  records: readonly LogRecord[];
  truth: Truth;
}

export interface WindowComparisonOptions {
  /** Hop of every run (ms, capped at the window). Default one minute. */
  hopMs?: number;
  /**
   * `fixed`: the default thresholds whatever the window (15 errors, 150 requests, 20 paths).
   * `rate`: thresholds scaled with the window, so they stand for the same rate as the defaults
   * over five minutes (a 1-minute window alerts at 30 requests).
   */
  thresholds?: 'fixed' | 'rate';
}

/** Detection quality of one incident kind with one window size, pooled over days. */
export interface WindowComparison {
  windowMs: number;
  thresholds: 'fixed' | 'rate';
  incidentKind: string;
  incidents: number;
  detected: number;
  /** Distinct alerts (an alert that resolves and opens again counts twice). */
  alerts: number;
  falsePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** From the incident's start to the first matching alert, mean and max over detected ones. */
  delayMeanMs: number | null;
  delayMaxMs: number | null;
  /**
   * From the incident's end to the end of the last window in which its alert still held, mean
   * over detected incidents: how long an alert outlives what it reports (negative: it stopped
   * holding before the incident ended).
   */
  holdsAfterEndMs: number | null;
}

/**
 * Run the keyed detectors (error-spike, ip-flood, scanner) over every day once per window size
 * and pool the evaluation per incident kind. Days without incidents count too: any alert on
 * them is a false positive.
 */
export function compareWindows(
  days: readonly LabelledDay[],
  windowsMs: readonly number[],
  options: WindowComparisonOptions = {},
): WindowComparison[] {
  const thresholds = options.thresholds ?? 'fixed';
  const out: WindowComparison[] = [];
  for (const windowMs of windowsMs) {
    const hopMs = Math.min(options.hopMs ?? DEFAULT_HOP_MS, windowMs);
    const f = thresholds === 'rate' ? windowMs / DEFAULT_WINDOW_MS : 1;
    const scaled = (n: number) => Math.max(1, Math.round(n * f));
    const minDistinctPaths = scaled(scannerOptions().minDistinctPaths);
    const pooled = new Map<string, Pool>();
    for (const kind of Object.keys(DETECTED_BY)) pooled.set(kind, newPool());
    for (const day of days) {
      const alerts: Alert[] = [];
      const engine = createDetectionEngine({
        windowMs,
        hopMs,
        anomaly: false,
        errorSpike: { minErrors: scaled(errorSpikeOptions().minErrors) },
        ipFlood: { minRequests: scaled(ipFloodOptions().minRequests) },
        scanner: {
          minDistinctPaths,
          maxPathsPerBucket: Math.max(scannerOptions().maxPathsPerBucket, minDistinctPaths),
        },
        sink: (a) => alerts.push(a),
      });
      engine.processAll(day.records);
      engine.flush();
      const evaluation = evaluateDetection(alerts, day.truth, { windowMs });
      const spans = alertSpans(alerts);
      for (const k of evaluation.kinds) {
        // Only the keyed threshold detectors run here.
        const p = pooled.get(k.incidentKind);
        if (p === undefined) continue;
        p.incidents += k.incidents;
        p.detected += k.detected;
        p.alerts += k.alerts;
        p.falsePositives += k.falsePositives;
        if (k.delayMeanMs !== null) p.delaySum += k.delayMeanMs * k.detected;
        if (k.delayMaxMs !== null) p.delayMax = Math.max(p.delayMax, k.delayMaxMs);
        for (const incident of day.truth.incidents) {
          if (incident.kind !== k.incidentKind) continue;
          let last = Number.NEGATIVE_INFINITY;
          for (const s of spans) {
            const matches =
              s.kind === k.alertKind &&
              s.key === incident.key &&
              s.openedAt >= incident.start &&
              s.openedAt <= incident.end + windowMs;
            if (matches && s.to > last) last = s.to;
          }
          if (last !== Number.NEGATIVE_INFINITY) p.holds.push(last - incident.end);
        }
      }
    }
    for (const [incidentKind, p] of pooled) {
      const precision = p.alerts > 0 ? (p.alerts - p.falsePositives) / p.alerts : null;
      const recall = p.incidents > 0 ? p.detected / p.incidents : null;
      let f1: number | null = null;
      if (p.alerts > 0 || p.incidents > 0) {
        f1 =
          precision === null || recall === null || precision + recall === 0
            ? 0
            : (2 * precision * recall) / (precision + recall);
      }
      out.push({
        windowMs,
        thresholds,
        incidentKind,
        incidents: p.incidents,
        detected: p.detected,
        alerts: p.alerts,
        falsePositives: p.falsePositives,
        precision,
        recall,
        f1,
        delayMeanMs: p.detected > 0 ? Math.round(p.delaySum / p.detected) : null,
        delayMaxMs: p.detected > 0 ? p.delayMax : null,
        holdsAfterEndMs:
          p.holds.length > 0
            ? Math.round(p.holds.reduce((a, b) => a + b, 0) / p.holds.length)
            : null,
      });
    }
  }
  return out;
}

interface Pool {
  incidents: number;
  detected: number;
  alerts: number;
  falsePositives: number;
  delaySum: number;
  delayMax: number;
  holds: number[];
}

function newPool(): Pool {
  return {
    incidents: 0,
    detected: 0,
    alerts: 0,
    falsePositives: 0,
    delaySum: 0,
    delayMax: 0,
    holds: [],
  };
}
