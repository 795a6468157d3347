/**
 * The report's table rows, from a run record: plain cells, never HTML. The page escapes every
 * cell when it writes it (html.ts), so a URL or user agent from a log line can hold anything.
 */
import type { Alert } from '../realtime/alert';
import { alertSpans } from '../realtime/evaluate';
import type { AlertSpanRow } from '../viz/alert-timeline-chart';
import { evaluationRows, utcText } from '../viz/index';
import type { RecordCell, RunRecord } from './run-record';

export type TableRow = Record<string, RecordCell>;

/** Alert lines grouped into alerts (one per kind, key and opening), for the timeline. */
export function alertSpanRows(alerts: readonly Alert[]): AlertSpanRow[] {
  return alertSpans(alerts).map((s) => ({ ...s }));
}

/**
 * Whether the log's requests fall on more than one UTC day: then a time of day alone is
 * ambiguous, and the tables show the date with it.
 */
export function spansDays(record: RunRecord): boolean {
  const { firstTime, lastTime } = record.summary;
  return (
    firstTime !== null && lastTime !== null && firstTime.slice(0, 10) !== lastTime.slice(0, 10)
  );
}

/** A time for a table: the time of day, with its date when `withDate`. */
function timeCell(epochMs: number, withDate: boolean): string {
  return withDate ? utcText(epochMs) : utcText(epochMs).slice(11);
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { warning: 1, critical: 2 };

/**
 * One row per alert: when it opened, how long it held, its worst window and severity. The worst
 * window is the one of highest severity, and among those the largest observed value.
 */
export function alertTableRows(
  alerts: readonly Alert[],
  options: { withDate?: boolean } = {},
): TableRow[] {
  const withDate = options.withDate ?? false;
  const worst = new Map<string, { observed: number; threshold: number; severity: string }>();
  for (const a of alerts) {
    if (a.state !== 'open') continue;
    const id = `${a.kind}\u0000${a.key}\u0000${a.firstSeen}`;
    const w = worst.get(id);
    const rank = SEVERITY_RANK[a.severity] ?? 0;
    const wRank = w === undefined ? -1 : (SEVERITY_RANK[w.severity] ?? 0);
    if (w === undefined || rank > wRank || (rank === wRank && a.observed > w.observed)) {
      worst.set(id, { observed: a.observed, threshold: a.threshold, severity: a.severity });
    }
  }
  return alertSpans(alerts).map((s) => {
    const w = worst.get(`${s.kind}\u0000${s.key}\u0000${s.openedAt}`);
    return {
      'opened (UTC)': timeCell(s.openedAt, withDate),
      alert: s.kind,
      key: s.key,
      severity: w?.severity ?? '-',
      observed: w === undefined ? null : Math.round(w.observed * 100) / 100,
      threshold: w === undefined ? null : Math.round(w.threshold * 100) / 100,
      'held until (UTC)': timeCell(s.to, withDate),
    };
  });
}

/** The evaluation as `loglab evaluate` prints it: the notebooks' rows (viz/detection-rows.ts). */
export function evaluationTableRows(record: RunRecord): TableRow[] {
  return record.evaluation === null ? [] : evaluationRows(record.evaluation);
}

/** The ground truth, one row per injected incident. */
export function truthTableRows(record: RunRecord): TableRow[] {
  const withDate = spansDays(record);
  return (record.truth ?? []).map((i) => ({
    incident: i.kind,
    key: i.key,
    'from (UTC)': timeCell(i.start, withDate),
    'to (UTC)': timeCell(i.end, withDate),
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
