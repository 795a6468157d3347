/** Table rows for detection: alert lines, an evaluation against ground truth, a window comparison. */
import type { AlertRow, EvaluationRows, WindowComparisonRow } from './detection-input';
import { utcText } from './rows';
import type { Row } from './table';

function ratio(x: number | null): string {
  return x === null ? '-' : x.toFixed(2);
}

/** "1m15s", "42s", "-": detection delays read in minutes and seconds. */
export function delayText(ms: number | null): string {
  if (ms === null) return '-';
  const sign = ms < 0 ? '−' : '';
  const s = Math.round(Math.abs(ms) / 1000);
  return s >= 60
    ? `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
    : `${sign}${s}s`;
}

/** One row per alert line: what, where, which window (UTC), the value against the threshold. */
export function alertRows(alerts: readonly AlertRow[]): Row[] {
  return alerts.map((a) => ({
    kind: a.kind,
    key: a.key,
    state: a.state,
    severity: a.severity,
    'window (UTC)': `${utcText(a.windowStart)} – ${utcText(a.windowEnd).slice(11)}`,
    observed: a.observed,
    threshold: a.threshold,
    'opened at (UTC)': utcText(a.firstSeen),
  }));
}

/** One row per incident kind and one for anomaly alerts, like `loglab evaluate`. */
export function evaluationRows(e: EvaluationRows): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = e.kinds.map((k) => ({
    incident: k.incidentKind,
    alert: k.alertKind,
    incidents: k.incidents,
    detected: k.detected,
    alerts: k.alerts,
    'false alarms': k.falsePositives,
    precision: ratio(k.precision),
    recall: ratio(k.recall),
    F1: ratio(k.f1),
    'delay mean': delayText(k.delayMeanMs),
    'delay max': delayText(k.delayMaxMs),
  }));
  const a = e.anomaly;
  rows.push({
    incident: '(any, by overlap)',
    alert: 'anomaly',
    incidents: '-',
    detected: '-',
    alerts: a.alerts,
    'false alarms': a.falsePositives,
    precision: ratio(a.precision),
    recall: '-',
    F1: '-',
    'delay mean': '-',
    'delay max': '-',
  });
  return rows;
}

/** One row per window size and incident kind. */
export function comparisonRows(rows: readonly WindowComparisonRow[]): Row[] {
  return rows.map((r) => ({
    window: `${r.windowMs / 60_000} min`,
    thresholds: r.thresholds,
    incident: r.incidentKind,
    incidents: r.incidents,
    detected: r.detected,
    alerts: r.alerts,
    'false alarms': r.falsePositives,
    precision: ratio(r.precision),
    recall: ratio(r.recall),
    F1: ratio(r.f1),
    'delay mean': delayText(r.delayMeanMs),
    'holds after end': delayText(r.holdsAfterEndMs),
  }));
}
