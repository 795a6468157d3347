/**
 * The live dashboard as data for a browser: the terminal frame's content (render.ts) as one JSON
 * object, which the web server sends as a server-sent event and the page draws. Pure, like
 * renderDashboard, so a frame can be checked exactly.
 *
 * The page puts every string here into the DOM as text (textContent) or into vega text marks;
 * nothing is markup. Alert descriptions are describeAlert's words, with control characters
 * already shown as \xHH; the top URLs and IPs and the source are shown the same way here, as the
 * terminal view shows them. Infinite event times (before the first record, after the end) become
 * null: JSON has no Infinity.
 */
import { terminalText } from '../../log/terminal-text';
import type { Alert } from '../alert';
import type { EngineSnapshot, TopEntry } from '../snapshot';
import type { DashboardExtras } from './render';
import { describeAlert } from './render';

export interface WebAlert {
  kind: Alert['kind'];
  key: string;
  severity: Alert['severity'];
  /** "open" (the first line), "update" (warning became critical) or "resolved". */
  change: 'open' | 'update' | 'resolved';
  windowStart: number;
  windowEnd: number;
  firstSeen: number;
  /** The alert in words: "/broken-page: 15 errors in 5 min (threshold 10)". */
  text: string;
  /** Wall-clock time (epoch ms) the engine emitted this line; null for open alerts' rows. */
  emittedAt: number | null;
}

export interface SeriesRow {
  /** Start of the step, epoch ms of event time. */
  t: number;
  series: 'requests' | '5xx';
  count: number;
}

export interface WebFrame {
  command: string;
  source: string;
  /** Wall-clock time of the frame. */
  now: number;
  done: boolean;
  eventTime: number | null;
  watermark: number | null;
  window: { start: number; end: number } | null;
  windowMs: number;
  hopMs: number;
  latenessMs: number;
  stepMs: number;
  read: number;
  rejected: number;
  late: number;
  rate: number;
  lag: number | null;
  alertLines: number;
  series: SeriesRow[];
  topUrls: TopEntry[];
  topIps: TopEntry[];
  /** Open alerts, ordered by window end, kind and key. */
  open: WebAlert[];
  /** The latest alert lines, oldest first. */
  recent: WebAlert[];
}

/** An emitted alert line with the wall-clock time it was emitted. */
export interface EmittedAlert {
  alert: Alert;
  at: number;
}

export function webFrame(
  snapshot: EngineSnapshot,
  extras: Omit<DashboardExtras, 'recent' | 'color' | 'rows'>,
  recent: readonly EmittedAlert[],
): WebFrame {
  const series: SeriesRow[] = [];
  const { start, stepMs, requests, errors } = snapshot.series;
  for (let i = 0; i < requests.length; i++) {
    series.push({ t: start + i * stepMs, series: 'requests', count: requests[i] });
    series.push({ t: start + i * stepMs, series: '5xx', count: errors[i] });
  }
  return {
    command: extras.command,
    source: terminalText(extras.source),
    now: extras.now,
    done: extras.done === true,
    eventTime: finite(snapshot.maxEventTime),
    watermark: finite(snapshot.watermark),
    window: snapshot.window === null ? null : { ...snapshot.window },
    windowMs: extras.windowMs,
    hopMs: extras.hopMs,
    latenessMs: extras.latenessMs,
    stepMs,
    read: extras.counts.read,
    rejected: extras.counts.rejected,
    late: snapshot.late,
    rate: Math.round(extras.rate),
    lag: extras.lag,
    alertLines: extras.counts.alerts,
    series,
    topUrls: snapshot.topUrls.map(shownEntry),
    topIps: snapshot.topIps.map(shownEntry),
    open: snapshot.openAlerts.map((a) => webAlert(a, null)),
    recent: recent.map((r) => webAlert(r.alert, r.at)),
  };
}

export function webAlert(a: Alert, emittedAt: number | null): WebAlert {
  return {
    kind: a.kind,
    key: a.key,
    severity: a.severity,
    change: a.state === 'resolved' ? 'resolved' : a.firstSeen !== a.windowEnd ? 'update' : 'open',
    windowStart: a.windowStart,
    windowEnd: a.windowEnd,
    firstSeen: a.firstSeen,
    text: describeAlert(a),
    emittedAt,
  };
}

/** A top-list entry as the page shows it, a copy the frame owns. */
function shownEntry(e: TopEntry): TopEntry {
  return { key: terminalText(e.key), count: e.count };
}

function finite(ms: number): number | null {
  return Number.isFinite(ms) ? ms : null;
}
