/**
 * What a detection run counted, for its last stderr line and the dashboard: lines read, parsed,
 * rejected and late, and the alerts emitted and opened per kind.
 */
import type { AlertKind } from './alert';

export interface DetectCounts {
  /** Lines read (from a file) or records consumed (from a topic). */
  read: number;
  parsed: number;
  rejected: number;
  /** Parsed records that arrived behind the watermark (counted, not windowed). */
  late: number;
  /** Alert lines emitted (open, update, resolved). */
  alerts: number;
  /** Alerts opened, per kind. */
  opened: Record<AlertKind, number>;
}

/** "read 100000, parsed 99990, rejected 10, late 0, alerts 8 (opened: error-spike 1, …)". */
export function formatDetectCounts(c: DetectCounts): string {
  const opened = (Object.keys(c.opened) as AlertKind[])
    .filter((k) => c.opened[k] > 0)
    .map((k) => `${k} ${c.opened[k]}`);
  return (
    `read ${c.read}, parsed ${c.parsed}, rejected ${c.rejected}, late ${c.late}, alerts ${c.alerts}` +
    (opened.length > 0 ? ` (opened: ${opened.join(', ')})` : '')
  );
}
