/**
 * The live dashboard as text: one pure function from the engine's snapshot and a few figures
 * the caller measures (rate, lag, recent alerts) to the lines a terminal shows, so tests can
 * check a frame exactly and the driver (driver.ts) only redraws it.
 *
 * It keeps what the classic dashboard showed (the current time, the analysis window, logs
 * processed, the rate, error alerts such as "/broken-page: 15 errors in 5 min" and address
 * alerts such as "IP 192.168.1.100: 150 requests in 5 min") and adds the event-time view:
 * the watermark and the late events, a sparkline of requests and 5xx per minute, the top URLs
 * and addresses of the newest window, the consumer lag on a cluster and the latest alert lines.
 * The classic dashboard filed floods under "anomaly alerts"; here open alerts are listed by
 * the detector that raised them (error-spike, ip-flood, scanner, anomaly: the `kind` of the
 * NDJSON lines and the files of realtime/detectors/), so a learner can tell a flood from a
 * scanner and both from the site-wide anomaly detector.
 * Times are UTC. Every line fits `width` columns; with `rows` the bottom sections are cut first.
 * Paths and addresses come from log lines: they are drawn through terminalText, so a line that
 * holds control characters cannot move the cursor or rewrite the screen.
 */
import pc from 'picocolors';
import { terminalText } from '../../log/terminal-text';
import type { Alert } from '../alert';
import type { DetectCounts } from '../detect-counts';
import type { EngineSnapshot, TopEntry } from '../snapshot';

export interface DashboardExtras {
  /** The command that draws the dashboard, first in the title: "loglab detect". */
  command: string;
  /** Wall-clock time of the frame (epoch ms). */
  now: number;
  /** Where the lines come from: "day.log", "weblogs.raw on Kafka 127.0.0.1:9092, group realtime". */
  source: string;
  counts: DetectCounts;
  /** Lines per second, recently. */
  rate: number;
  /** Records the consumer group still has to read; null without a broker. */
  lag: number | null;
  windowMs: number;
  hopMs: number;
  latenessMs: number;
  /** The latest alert lines, oldest first. */
  recent: readonly Alert[];
  /** The input ended: the figures are final. */
  done?: boolean;
  /** ANSI colours (a terminal); plain text otherwise. */
  color?: boolean;
  /** Lines available (the terminal's height): the bottom sections are cut to fit. */
  rows?: number;
}

const MIN_WIDTH = 40;
/**
 * Open alerts are listed per detector, in this order: the classic four always (with "none"),
 * the detectors of distributed and slow attacks and of slow pages only while they have an alert open, so the
 * frame stays as short as the classic one on a quiet day.
 */
const KINDS: readonly Alert['kind'][] = ['error-spike', 'ip-flood', 'scanner', 'anomaly'];
const WHEN_OPEN: readonly Alert['kind'][] = ['prefix-flood', 'slow-scan', 'slow-page'];
const KIND_WIDTH = Math.max(...KINDS.map((k) => k.length));
const SPARKS = '▁▂▃▄▅▆▇█';

type Style = (text: string) => string;

interface Line {
  text: string;
  style?: Style;
}

export function renderDashboard(
  snapshot: EngineSnapshot,
  extras: DashboardExtras,
  width: number,
): string {
  const w = Math.max(MIN_WIDTH, Math.floor(width));
  // Seconds in the short times only when windows do not close on whole minutes.
  const hhmm = extras.hopMs % 60_000 === 0 && extras.windowMs % 60_000 === 0 ? minutes : seconds;
  const c = pc.createColors(extras.color === true);
  const lines: Line[] = [];
  const rule: Line = { text: '─'.repeat(w), style: c.dim };

  // Header: the command and what it reads, and the wall clock at the right.
  const now = `${dateTime(extras.now)} UTC`;
  const title = `${extras.command} · ${terminalText(extras.source)}${extras.done ? ' · input ended' : ''}`;
  // The wall clock stays: beside the event time below it shows how far --speedup runs ahead.
  const shortTitle = clip(title, w - now.length - 2);
  lines.push({
    text: `${shortTitle}${' '.repeat(w - now.length - shortTitle.length)}${now}`,
    style: c.bold,
  });
  lines.push(rule);

  // Time: event time, the window the top lists are counted over, the watermark.
  const win = snapshot.window;
  lines.push({
    text:
      `event time  ${eventTime(snapshot.maxEventTime)}   window ` +
      (win === null ? '—' : `${hhmm(win.start)}–${hhmm(win.end)}`) +
      ` (${duration(extras.windowMs)}, every ${duration(extras.hopMs)})`,
  });
  lines.push({
    text:
      `watermark   ${eventTime(snapshot.watermark)}   lateness ${duration(extras.latenessMs)}` +
      `   late events ${n(snapshot.late)}`,
    style: snapshot.late > 0 ? c.yellow : undefined,
  });
  const counts = extras.counts;
  lines.push({
    text:
      `logs        ${n(counts.read)} processed   ${n(extras.rate)} lines/s   ` +
      `${n(counts.rejected)} rejected` +
      (extras.lag === null ? '' : `   consumer lag ${n(extras.lag)}`),
  });

  // Per-step series: the newest steps that fit.
  const series = snapshot.series;
  const per = `/${duration(series.stepMs).replace(/^1 /, '')}`;
  const labels = [`requests${per}`, `5xx${per}`];
  const labelWidth = Math.max(...labels.map((l) => l.length)) + 1;
  const maxima = [max(series.requests), max(series.errors)];
  const suffixes = maxima.map((m) => ` max ${n(m)}`);
  const suffixWidth = Math.max(...suffixes.map((s) => s.length));
  const room = Math.max(1, w - labelWidth - suffixWidth);
  const rows = [series.requests, series.errors];
  for (let i = 0; i < 2; i++) {
    const values = rows[i].slice(Math.max(0, rows[i].length - room));
    lines.push({
      text: `${labels[i].padEnd(labelWidth)}${sparkline(values, maxima[i]).padEnd(room)}${suffixes[i].padStart(suffixWidth)}`,
      style: i === 0 ? c.cyan : c.red,
    });
  }
  lines.push(rule);

  // Open alerts, one row per detector: its alerts, or "none".
  const open = snapshot.openAlerts;
  lines.push({ text: `Open alerts (${open.length})`, style: c.bold });
  const kinds = [...KINDS.slice(0, 3)];
  for (const kind of WHEN_OPEN) if (open.some((a) => a.kind === kind)) kinds.push(kind);
  kinds.push('anomaly');
  const kindWidth = Math.max(...kinds.map((k) => k.length));
  for (const kind of kinds) {
    const list = open.filter((a) => a.kind === kind);
    if (list.length === 0) {
      lines.push({ text: `  ${kind.padEnd(kindWidth)}  none`, style: c.dim });
    }
    list.forEach((a, i) => {
      lines.push({
        text: `  ${(i === 0 ? kind : '').padEnd(kindWidth)}  ${describeAlert(a)} · ${a.severity}, since ${hhmm(a.firstSeen)}`,
        style: a.severity === 'critical' ? c.red : c.yellow,
      });
    });
  }
  lines.push(rule);

  // Top URLs and addresses of the newest window: side by side when there is room.
  const half = Math.floor((w - 2) / 2);
  const tops: [string, TopEntry[]][] = [
    ['Top URLs in window', snapshot.topUrls],
    ['Top IPs in window', snapshot.topIps],
  ];
  const countWidth = Math.max(
    5,
    ...snapshot.topUrls.map((e) => n(e.count).length),
    ...snapshot.topIps.map((e) => n(e.count).length),
  );
  const entry = (e: TopEntry | undefined) =>
    e === undefined ? '' : `${n(e.count).padStart(countWidth)}  ${terminalText(e.key)}`;
  if (w >= 80) {
    lines.push({ text: `${clip(tops[0][0], half).padEnd(half + 2)}${tops[1][0]}`, style: c.bold });
    const height = Math.max(1, snapshot.topUrls.length, snapshot.topIps.length);
    for (let i = 0; i < height; i++) {
      const left = snapshot.topUrls.length === 0 && i === 0 ? '  none' : entry(snapshot.topUrls[i]);
      const right = snapshot.topIps.length === 0 && i === 0 ? '  none' : entry(snapshot.topIps[i]);
      lines.push({ text: `${clip(left, half).padEnd(half + 2)}${right}` });
    }
  } else {
    for (const [name, list] of tops) {
      lines.push({ text: name, style: c.bold });
      if (list.length === 0) lines.push({ text: '  none', style: c.dim });
      for (const e of list) lines.push({ text: entry(e) });
    }
  }
  lines.push(rule);

  // The latest alert lines, newest last, as they were emitted.
  lines.push({ text: `Latest alerts (${n(counts.alerts)} lines so far)`, style: c.bold });
  if (extras.recent.length === 0) lines.push({ text: '  none', style: c.dim });
  for (const a of extras.recent) {
    lines.push({
      text: `  ${hhmm(a.windowEnd)} ${(a.state === 'open' && a.firstSeen !== a.windowEnd ? 'update' : a.state).padEnd(8)} ${a.kind.padEnd(Math.max(KIND_WIDTH, a.kind.length))} ${describeAlert(a)}`,
      style: a.state === 'resolved' ? c.green : a.severity === 'critical' ? c.red : c.yellow,
    });
  }

  const shown =
    extras.rows !== undefined && extras.rows > 0 ? lines.slice(0, Math.floor(extras.rows)) : lines;
  return `${shown
    .map((l) => {
      const text = clip(l.text, w);
      return l.style === undefined ? text : l.style(text);
    })
    .join('\n')}\n`;
}

/**
 * One alert in words, in the classic dashboard's phrasing: "/broken-page: 15 errors in 5 min",
 * "IP 192.168.1.100: 150 requests in 5 min", with the threshold it crossed. The key comes from
 * a log line: control characters in it are escaped (terminalText).
 */
export function describeAlert(a: Alert): string {
  const span = duration(a.windowEnd - a.windowStart);
  const key = terminalText(a.key);
  switch (a.kind) {
    case 'error-spike':
      return `${key}: ${n(a.observed)} errors in ${span} (threshold ${n(a.threshold)})`;
    case 'ip-flood':
      return `IP ${key}: ${n(a.observed)} requests in ${span} (threshold ${n(a.threshold)})`;
    case 'scanner':
      return `IP ${key}: ${n(a.observed)} not-found paths in ${span} (threshold ${n(a.threshold)})`;
    case 'prefix-flood':
      return `network ${key}: ${n(a.observed)} requests in ${span} (threshold ${n(a.threshold)})`;
    case 'slow-scan':
      return `IP ${key}: ${n(a.observed)} not-found paths in ${span}, slowly (threshold ${n(a.threshold)})`;
    case 'slow-page':
      return `${key}: p95 ${n(a.observed)} ms in ${span}, slow (threshold ${n(a.threshold)} ms)`;
    case 'anomaly':
      if (a.key === 'error-ratio-spike') {
        return `site: ${percent(a.observed)} of requests failed in ${span} (limit ${percent(a.threshold)})`;
      }
      if (a.key === 'requests-drop') {
        return `site: ${n(a.observed)} requests in ${span}, a drop (limit ${n(a.threshold)})`;
      }
      if (a.key === 'requests-spike') {
        return `site: ${n(a.observed)} requests in ${span}, a spike (limit ${n(a.threshold)})`;
      }
      return `site ${key}: ${a.observed} in ${span} (limit ${a.threshold})`;
  }
}

/** Values as block characters scaled to `top` (their maximum by default); zero is a space. */
export function sparkline(values: readonly number[], top = max(values)): string {
  let out = '';
  for (const v of values) {
    if (!(v > 0) || !(top > 0)) out += ' ';
    else out += SPARKS[Math.min(7, Math.max(0, Math.ceil((v / top) * 8) - 1))];
  }
  return out;
}

/** 300000 → "5 min", 30000 → "30 s", 3600000 → "1 h", 1500 → "1500 ms". */
export function duration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function max(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

function n(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** "2024-03-12 18:42:10". */
function dateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function minutes(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

function seconds(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** An event time, or what stands in for one before the first record and after the end. */
function eventTime(ms: number): string {
  if (ms === Number.NEGATIVE_INFINITY) return '—';
  if (ms === Number.POSITIVE_INFINITY) return 'end of input';
  return dateTime(ms);
}

/** Cut to `width` columns, with an ellipsis when something was cut. */
function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
