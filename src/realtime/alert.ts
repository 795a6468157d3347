/**
 * Alerts: what the detectors report, one NDJSON object per line.
 *
 * One alert per (kind, key) while its condition holds, evaluated on closed windows:
 * - it opens once, on the first closed window in which the condition holds (`state: "open"`,
 *   `firstSeen` = `lastSeen` = that window's end);
 * - it is updated only when its severity rises from warning to critical (`state: "open"` again,
 *   same `firstSeen`, newer window): at most one update, so a long incident is never a storm;
 * - it resolves on the first closed window in which the condition no longer holds
 *   (`state: "resolved"`, that window and its value; `lastSeen` stays the end of the last window
 *   that held), or at the end of the input.
 * Times are epoch ms of event time. `firstSeen` is the event time at which the alert opened.
 */
import { jsonWithoutControls } from '../log/terminal-text';

export type AlertKind =
  | 'error-spike'
  | 'ip-flood'
  | 'scanner'
  | 'prefix-flood'
  | 'slow-scan'
  | 'slow-page'
  | 'anomaly';
export const ALERT_KINDS: readonly AlertKind[] = [
  'error-spike',
  'ip-flood',
  'scanner',
  'prefix-flood',
  'slow-scan',
  'slow-page',
  'anomaly',
];

export type Severity = 'warning' | 'critical';
export type AlertState = 'open' | 'resolved';

export interface Alert {
  kind: AlertKind;
  /**
   * URL path (error-spike, slow-page: without its query), client IP (ip-flood, scanner, slow-scan), network prefix
   * (prefix-flood: `203.0.113.0/24`, `2001:db8:1:2::/64`) or series (anomaly).
   */
  key: string;
  /** The window this line is about: [windowStart, windowEnd), epoch ms. */
  windowStart: number;
  windowEnd: number;
  /** The detector's measure in that window, in the units of `threshold`. */
  observed: number;
  /** The limit the condition compares `observed` with (for a drop, observed must stay above). */
  threshold: number;
  severity: Severity;
  /** End of the first window in which the condition held: when the alert opened. */
  firstSeen: number;
  /** End of the latest window in which the condition held. */
  lastSeen: number;
  state: AlertState;
}

export interface OpenAlert extends Alert {
  state: 'open';
}

export interface ResolvedAlert extends Alert {
  state: 'resolved';
}

export function isOpenAlert(alert: Alert): alert is OpenAlert {
  return alert.state === 'open';
}

export function isResolvedAlert(alert: Alert): alert is ResolvedAlert {
  return alert.state === 'resolved';
}

export function isAlertKind(value: unknown): value is AlertKind {
  return typeof value === 'string' && (ALERT_KINDS as readonly string[]).includes(value);
}

export type AlertSink = (alert: Alert) => void;

/**
 * The alert as one NDJSON line, fields in the documented order, with the newline; DEL, C1
 * control characters and bidirectional controls of its key written as `\uXXXX`
 * (jsonWithoutControls).
 */
export function formatAlert(a: Alert): string {
  return `${jsonWithoutControls(
    JSON.stringify({
      kind: a.kind,
      key: a.key,
      windowStart: a.windowStart,
      windowEnd: a.windowEnd,
      observed: a.observed,
      threshold: a.threshold,
      severity: a.severity,
      firstSeen: a.firstSeen,
      lastSeen: a.lastSeen,
      state: a.state,
    }),
  )}\n`;
}

/** critical when the observed value is at least `factor` times the threshold. */
export function severityOf(observed: number, threshold: number, factor = 2): Severity {
  return observed >= factor * threshold ? 'critical' : 'warning';
}

/**
 * One verdict of a detector on one closed window, folded into the alert of (kind, key).
 * Returns the alert that is open afterwards (null when none) and appends the lines to emit.
 * `current` is the detector's own record of the open alert; emitted lines are copies.
 */
export function trackAlert(
  current: Alert | null,
  kind: AlertKind,
  key: string,
  holds: boolean,
  windowStart: number,
  windowEnd: number,
  observed: number,
  threshold: number,
  severity: Severity,
  out: Alert[],
): Alert | null {
  if (holds) {
    if (current === null) {
      const opened: Alert = {
        kind,
        key,
        windowStart,
        windowEnd,
        observed,
        threshold,
        severity,
        firstSeen: windowEnd,
        lastSeen: windowEnd,
        state: 'open',
      };
      out.push({ ...opened });
      return opened;
    }
    current.lastSeen = windowEnd;
    if (severity === 'critical' && current.severity === 'warning') {
      current.windowStart = windowStart;
      current.windowEnd = windowEnd;
      current.observed = observed;
      current.threshold = threshold;
      current.severity = severity;
      out.push({ ...current });
    }
    return current;
  }
  if (current !== null) {
    out.push({ ...current, windowStart, windowEnd, observed, threshold, state: 'resolved' });
  }
  return null;
}

/** Resolve an open alert at the end of the input: its last window, marked resolved. */
export function resolveAtEnd(current: Alert, out: Alert[]): void {
  out.push({ ...current, state: 'resolved' });
}

const KIND_ORDER: Record<AlertKind, number> = {
  'error-spike': 0,
  'ip-flood': 1,
  scanner: 2,
  'prefix-flood': 3,
  'slow-scan': 4,
  'slow-page': 5,
  anomaly: 6,
};

/** Alerts of one closing step in a fixed order (window end, kind, key), whatever the input order. */
export function compareAlerts(a: Alert, b: Alert): number {
  return (
    a.windowEnd - b.windowEnd ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}
