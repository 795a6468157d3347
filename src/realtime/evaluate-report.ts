/** The evaluation as a text table: a row per incident kind, one for anomaly alerts, the misses. */
import { terminalText } from '../log/terminal-text';
import type { Evaluation } from './evaluate';

function ratio(x: number | null): string {
  return x === null ? '-' : x.toFixed(3);
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The evaluation as a text table, one row per incident kind and one for anomaly alerts.
 * `explained`: alerts another incident accounts for (not in precision); `covered`: the smallest
 * share of a detected incident's time its alerts cover. The keys of missed incidents and false
 * alarms are paths and addresses from log lines (or a truth file): control characters in them
 * are shown as `\xHH`.
 */
export function formatEvaluation(e: Evaluation): string {
  const header = [
    'incident',
    'alert',
    'incidents',
    'detected',
    'alerts',
    'false',
    'explained',
    'precision',
    'recall',
    'F1',
    'delay mean',
    'delay max',
    'covered',
  ];
  const rows = e.kinds.map((k) => [
    k.incidentKind,
    k.alertKind,
    String(k.incidents),
    String(k.detected),
    String(k.alerts),
    String(k.falsePositives),
    String(k.explained),
    ratio(k.precision),
    ratio(k.recall),
    ratio(k.f1),
    duration(k.delayMeanMs),
    duration(k.delayMaxMs),
    k.coverageMin === null ? '-' : `${Math.round(k.coverageMin * 100)}%`,
  ]);
  const a = e.anomaly;
  rows.push([
    '(overlap)',
    'anomaly',
    '-',
    '-',
    String(a.alerts),
    String(a.falsePositives),
    '-',
    ratio(a.precision),
    '-',
    '-',
    '-',
    '-',
    '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(header), ...rows.map(line)];
  for (const k of e.kinds) {
    for (const m of k.missed) {
      out.push(
        `missed ${k.incidentKind} ${terminalText(m.key)} at ${new Date(m.start).toISOString()}`,
      );
    }
    for (const f of k.falseAlarms) {
      out.push(
        `false ${k.alertKind} ${terminalText(f.key)} at ${new Date(f.firstSeen).toISOString()}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
