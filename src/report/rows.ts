/**
 * The report's table rows, from a run record: plain cells, never HTML. The page escapes every
 * cell when it writes it (html.ts), so a URL or user agent from a log line can hold anything.
 */
import type { Alert } from '../realtime/alert';
import { alertSpans } from '../realtime/evaluate';
import type { AlertSpanRow } from '../viz/alert-timeline-chart';
import { delayText, utcText } from '../viz/index';
import type { RecordCell, RunRecord } from './run-record';

export type TableRow = Record<string, RecordCell>;

/** Alert lines grouped into alerts (one per kind, key and opening), for the timeline. */
export function alertSpanRows(alerts: readonly Alert[]): AlertSpanRow[] {
  return alertSpans(alerts).map((s) => ({ ...s }));
}

/** One row per alert: when it opened, how long it held, its worst window and severity. */
export function alertTableRows(alerts: readonly Alert[]): TableRow[] {
  const worst = new Map<string, { observed: number; threshold: number; severity: string }>();
  for (const a of alerts) {
    const id = `${a.kind}\u0000${a.key}\u0000${a.firstSeen}`;
    const w = worst.get(id);
    if (a.state === 'open' && (w === undefined || a.severity === 'critical')) {
      worst.set(id, { observed: a.observed, threshold: a.threshold, severity: a.severity });
    }
  }
  return alertSpans(alerts).map((s) => {
    const w = worst.get(`${s.kind}\u0000${s.key}\u0000${s.openedAt}`);
    return {
      'opened (UTC)': utcText(s.openedAt).slice(11),
      alert: s.kind,
      key: s.key,
      severity: w?.severity ?? '-',
      observed: w === undefined ? null : Math.round(w.observed * 100) / 100,
      threshold: w === undefined ? null : Math.round(w.threshold * 100) / 100,
      'held until (UTC)': utcText(s.to).slice(11),
    };
  });
}

/** The evaluation as `loglab evaluate` prints it: one row per incident kind, then anomalies. */
export function evaluationTableRows(record: RunRecord): TableRow[] {
  const e = record.evaluation;
  if (e === null) return [];
  const ratio = (x: number | null) => (x === null ? '-' : x.toFixed(2));
  const rows: TableRow[] = e.kinds.map((k) => ({
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
  rows.push({
    incident: '(any, by overlap)',
    alert: 'anomaly',
    incidents: '-',
    detected: '-',
    alerts: e.anomaly.alerts,
    'false alarms': e.anomaly.falsePositives,
    precision: ratio(e.anomaly.precision),
    recall: '-',
    F1: '-',
    'delay mean': '-',
    'delay max': '-',
  });
  return rows;
}

/** The ground truth, one row per injected incident. */
export function truthTableRows(record: RunRecord): TableRow[] {
  return (record.truth ?? []).map((i) => ({
    incident: i.kind,
    key: i.key,
    'from (UTC)': utcText(i.start).slice(11),
    'to (UTC)': utcText(i.end).slice(11),
    minutes: Math.round((i.end - i.start) / 6_000) / 10,
  }));
}

/** The busiest hours, most requests first (ties: the earlier hour), with their share. */
export function peakHourRows(hourly: readonly number[], top: number): TableRow[] {
  const total = hourly.reduce((a, b) => a + b, 0);
  return hourly
    .map((requests, hour) => ({ hour, requests }))
    .filter((h) => h.requests > 0)
    .sort((a, b) => b.requests - a.requests || a.hour - b.hour)
    .slice(0, top)
    .map((h) => ({
      hour: `${String(h.hour).padStart(2, '0')}:00`,
      requests: h.requests,
      share: `${((100 * h.requests) / total).toFixed(1)}%`,
    }));
}

/** Each stage's lines, seconds and lines per second. */
export function stageTableRows(record: RunRecord): TableRow[] {
  return record.stages.map((s) => ({
    stage: s.name,
    how: s.detail,
    lines: s.lines,
    seconds: Math.round(s.seconds * 100) / 100,
    'lines/s': s.seconds > 0 ? Math.round(s.lines / s.seconds) : null,
  }));
}
