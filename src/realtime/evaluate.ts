/**
 * Detection quality against ground truth: precision, recall, F1 and detection delay per incident
 * kind. Pure: alerts and truth in, figures out.
 *
 * Matching rule. An alert is the set of lines that share (kind, key, firstSeen); it opened at
 * `firstSeen`. An incident counts as detected when an alert of the matching kind on the same key
 * (error-burst → error-spike on the URL, ip-flood → ip-flood on the IP, scanner → scanner on the
 * IP) opened between the incident's start and its end plus one window; its detection delay is
 * the first such opening minus the incident's start (event time). An alert that matches no
 * incident is a false positive. An anomaly alert is a true positive when the time it covers
 * (from its first window's start to `lastSeen`) overlaps an incident.
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

/** Which alert kind detects which incident kind. */
export const DETECTED_BY: Readonly<Record<string, AlertKind>> = Object.freeze({
  'error-burst': 'error-spike',
  'ip-flood': 'ip-flood',
  scanner: 'scanner',
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
  /** null when undefined (no alerts, or no incidents). */
  precision: number | null;
  recall: number | null;
  /** 0 when there were alerts but no incident or incidents but no alert; null with neither. */
  f1: number | null;
  /** Detection delay over detected incidents, event-time ms. */
  delayMeanMs: number | null;
  delayMaxMs: number | null;
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
  for (const incidentKind of Object.keys(DETECTED_BY)) {
    const alertKind = DETECTED_BY[incidentKind];
    const incidents = truth.incidents.filter((i) => i.kind === incidentKind);
    const alerts = spans.filter((s) => s.kind === alertKind);
    const matches = (s: AlertSpan, i: TruthIncident) =>
      s.key === i.key && s.openedAt >= i.start && s.openedAt <= i.end + windowMs;
    const delays: number[] = [];
    const missed: TruthIncident[] = [];
    for (const incident of incidents) {
      let first = Number.POSITIVE_INFINITY;
      for (const s of alerts) if (matches(s, incident) && s.openedAt < first) first = s.openedAt;
      if (first === Number.POSITIVE_INFINITY) missed.push(incident);
      else delays.push(first - incident.start);
    }
    const falseAlarms = alerts
      .filter((s) => !incidents.some((i) => matches(s, i)))
      .map((s) => ({ key: s.key, firstSeen: s.openedAt }));
    const tp = alerts.length - falseAlarms.length;
    const precision = alerts.length > 0 ? tp / alerts.length : null;
    const recall = incidents.length > 0 ? delays.length / incidents.length : null;
    kinds.push({
      incidentKind,
      alertKind,
      incidents: incidents.length,
      detected: delays.length,
      alerts: alerts.length,
      truePositives: tp,
      falsePositives: falseAlarms.length,
      precision,
      recall,
      f1: f1Of(precision, recall, alerts.length, incidents.length),
      delayMeanMs:
        delays.length > 0 ? Math.round(delays.reduce((a, b) => a + b, 0) / delays.length) : null,
      delayMaxMs: delays.length > 0 ? Math.max(...delays) : null,
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
