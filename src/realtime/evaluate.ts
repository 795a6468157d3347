/**
 * Detection quality against ground truth: precision, recall, F1, detection delay and coverage
 * per incident kind. Pure: alerts and truth in, figures out.
 *
 * Which alert detects which incident (DETECTION):
 *
 *   incident     alert          key
 *   error-burst  error-spike    the URL
 *   ip-flood     ip-flood       the IP
 *   scanner      scanner        the IP
 *   surge        anomaly        requests-spike (the incident's key is `site`)
 *   outage       anomaly        error-ratio-spike or requests-drop (key `site`)
 *   ddos         prefix-flood   the /24 or /64 prefix
 *   slow-scan    slow-scan      the IP
 *   slow-page    slow-page      the URL (path without its query)
 *
 * Matching rule. An alert is the set of lines that share (kind, key, firstSeen); it opened at
 * `firstSeen`. An incident counts as detected when an alert of the matching kind and key opened
 * between the incident's start and its end plus one window; its detection delay is the first
 * such opening minus the incident's start (event time), and its coverage is the share of
 * [start, end] that the matching alerts' windows cover (from the first window's start to
 * `lastSeen`). An alert that matches no incident of its kind is a false positive, unless another
 * incident explains it: a site-wide alert (anomaly) whose time overlaps any incident (a flood or
 * a scan adds requests to the whole site too), or an error-spike that opens during an outage
 * (every busy URL fails then). Explained alerts are counted apart, in neither precision's
 * numerator nor its denominator. The `anomaly` summary is the older, kind-blind view: an
 * anomaly alert is a true positive when its time overlaps any incident.
 */
import type { Alert, AlertKind } from './alert';

export interface TruthIncident {
  kind: string;
  key: string;
  /** Epoch ms, inclusive. */
  start: number;
  end: number;
}

export interface Truth {
  incidents: TruthIncident[];
}

/** Which alert kind detects which incident kind, for the keyed threshold detectors. */
export const DETECTED_BY: Readonly<Record<string, AlertKind>> = Object.freeze({
  'error-burst': 'error-spike',
  'ip-flood': 'ip-flood',
  scanner: 'scanner',
});

export interface Detection {
  alertKind: AlertKind;
  /** The alert keys that count (site-wide incidents); null: the alert's key is the incident's. */
  alertKeys: readonly string[] | null;
}

/** Which alert detects each incident kind (the table in the docblock above). */
export const DETECTION: Readonly<Record<string, Detection>> = Object.freeze({
  'error-burst': { alertKind: 'error-spike', alertKeys: null },
  'ip-flood': { alertKind: 'ip-flood', alertKeys: null },
  scanner: { alertKind: 'scanner', alertKeys: null },
  surge: { alertKind: 'anomaly', alertKeys: ['requests-spike'] },
  outage: { alertKind: 'anomaly', alertKeys: ['error-ratio-spike', 'requests-drop'] },
  ddos: { alertKind: 'prefix-flood', alertKeys: null },
  'slow-scan': { alertKind: 'slow-scan', alertKeys: null },
  'slow-page': { alertKind: 'slow-page', alertKeys: null },
});

export interface KindEvaluation {
  incidentKind: string;
  alertKind: AlertKind;
  incidents: number;
  detected: number;
  /** Distinct alerts of alertKind. */
  alerts: number;
  truePositives: number;
  falsePositives: number;
  /** Alerts that match no incident of this kind but another incident explains (see above). */
  explained: number;
  /** null when undefined (no alerts, or no incidents). */
  precision: number | null;
  recall: number | null;
  /** 0 when there were alerts but no incident or incidents but no alert; null with neither. */
  f1: number | null;
  /** Detection delay over detected incidents, event-time ms. */
  delayMeanMs: number | null;
  delayMaxMs: number | null;
  /** The smallest share of a detected incident's time that its alerts cover (0–1). */
  coverageMin: number | null;
  missed: TruthIncident[];
  falseAlarms: { key: string; firstSeen: number }[];
}

export interface AnomalyEvaluation {
  alerts: number;
  truePositives: number;
  falsePositives: number;
  precision: number | null;
}

export interface Evaluation {
  /** The window used for "its end plus one window". */
  windowMs: number;
  kinds: KindEvaluation[];
  anomaly: AnomalyEvaluation;
}

/** One alert, from its lines. */
export interface AlertSpan {
  kind: AlertKind;
  key: string;
  /** When it opened (firstSeen). */
  openedAt: number;
  /** Start of the earliest window among its lines. */
  from: number;
  /** The latest lastSeen among its lines. */
  to: number;
}

/** Group alert lines into alerts: one per (kind, key, firstSeen), in order of opening. */
export function alertSpans(lines: readonly Alert[]): AlertSpan[] {
  const byId = new Map<string, AlertSpan>();
  for (const a of lines) {
    const id = `${a.kind}\u0000${a.key}\u0000${a.firstSeen}`;
    const span = byId.get(id);
    if (span === undefined) {
      byId.set(id, {
        kind: a.kind,
        key: a.key,
        openedAt: a.firstSeen,
        from: a.windowStart,
        to: a.lastSeen,
      });
    } else {
      if (a.windowStart < span.from) span.from = a.windowStart;
      if (a.lastSeen > span.to) span.to = a.lastSeen;
    }
  }
  return [...byId.values()].sort(
    (a, b) => a.openedAt - b.openedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

export function evaluateDetection(
  lines: readonly Alert[],
  truth: Truth,
  options: { windowMs?: number } = {},
): Evaluation {
  const windowMs = options.windowMs ?? 300_000;
  const spans = alertSpans(lines);
  const kinds: KindEvaluation[] = [];
  for (const incidentKind of Object.keys(DETECTION)) {
    const { alertKind, alertKeys } = DETECTION[incidentKind];
    const incidents = truth.incidents.filter((i) => i.kind === incidentKind);
    const alerts = spans.filter(
      (s) => s.kind === alertKind && (alertKeys === null || alertKeys.includes(s.key)),
    );
    const matches = (s: AlertSpan, i: TruthIncident) =>
      (alertKeys !== null || s.key === i.key) &&
      s.openedAt >= i.start &&
      s.openedAt <= i.end + windowMs;
    const delays: number[] = [];
    const coverages: number[] = [];
    const missed: TruthIncident[] = [];
    for (const incident of incidents) {
      let first = Number.POSITIVE_INFINITY;
      const matching: AlertSpan[] = [];
      for (const s of alerts) {
        if (!matches(s, incident)) continue;
        matching.push(s);
        if (s.openedAt < first) first = s.openedAt;
      }
      if (first === Number.POSITIVE_INFINITY) missed.push(incident);
      else {
        delays.push(first - incident.start);
        coverages.push(coverage(matching, incident));
      }
    }
    const unmatched = alerts.filter((s) => !incidents.some((i) => matches(s, i)));
    const explainedBy = (s: AlertSpan) =>
      truth.incidents.some((i) =>
        alertKind === 'anomaly'
          ? s.from <= i.end && s.to >= i.start
          : alertKind === 'error-spike' &&
            i.kind === 'outage' &&
            s.openedAt >= i.start &&
            s.openedAt <= i.end + windowMs,
      );
    const explained = unmatched.filter(explainedBy).length;
    const falseAlarms = unmatched
      .filter((s) => !explainedBy(s))
      .map((s) => ({ key: s.key, firstSeen: s.openedAt }));
    const tp = alerts.length - unmatched.length;
    const judged = tp + falseAlarms.length;
    const precision = judged > 0 ? tp / judged : null;
    const recall = incidents.length > 0 ? delays.length / incidents.length : null;
    kinds.push({
      incidentKind,
      alertKind,
      incidents: incidents.length,
      detected: delays.length,
      alerts: alerts.length,
      truePositives: tp,
      falsePositives: falseAlarms.length,
      explained,
      precision,
      recall,
      f1: f1Of(precision, recall, judged, incidents.length),
      delayMeanMs:
        delays.length > 0 ? Math.round(delays.reduce((a, b) => a + b, 0) / delays.length) : null,
      delayMaxMs: delays.length > 0 ? Math.max(...delays) : null,
      coverageMin: coverages.length > 0 ? round3(Math.min(...coverages)) : null,
      missed,
      falseAlarms,
    });
  }
  const anomalies = spans.filter((s) => s.kind === 'anomaly');
  const overlapping = anomalies.filter((s) =>
    truth.incidents.some((i) => s.from <= i.end && s.to >= i.start),
  ).length;
  return {
    windowMs,
    kinds,
    anomaly: {
      alerts: anomalies.length,
      truePositives: overlapping,
      falsePositives: anomalies.length - overlapping,
      precision: anomalies.length > 0 ? overlapping / anomalies.length : null,
    },
  };
}

/** The share of [start, end] inside the union of the spans' [from, to]. */
function coverage(spans: readonly AlertSpan[], incident: TruthIncident): number {
  const length = incident.end - incident.start;
  if (length <= 0) return 1;
  const parts = spans
    .map((s) => [Math.max(s.from, incident.start), Math.min(s.to, incident.end)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = incident.start;
  for (const [a, b] of parts) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return covered / length;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function f1Of(
  precision: number | null,
  recall: number | null,
  alerts: number,
  incidents: number,
): number | null {
  if (alerts === 0 && incidents === 0) return null;
  if (precision === null || recall === null) return 0;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Incident kinds whose F1 is below `minF1` (kinds with neither incidents nor alerts pass). */
export function belowMinF1(evaluation: Evaluation, minF1: number): KindEvaluation[] {
  return evaluation.kinds.filter((k) => k.f1 !== null && k.f1 < minF1);
}
