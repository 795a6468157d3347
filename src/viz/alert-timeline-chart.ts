/**
 * The alert timeline against the ground truth: one lane per key (a URL or a client address), the
 * injected incident shaded across it and each alert drawn over it as a bar from the start of its
 * first window to the end of the last window in which it held, with a mark where it opened. An
 * incident with no bar over it was missed; a bar in a lane with no shading is a false alarm.
 */

import { INCIDENT_KIND_COLORS } from './detection-charts';
import type { IncidentRow } from './detection-input';
import type { ChartSpec } from './render';
import { utcText } from './rows';
import { CHART_WIDTH, chartConfig, INCIDENT_COLOR } from './theme';

/** One alert (its lines grouped): what, where, from its first window's start to its end. */
export interface AlertSpanRow {
  readonly kind: string;
  readonly key: string;
  readonly from: number;
  readonly to: number;
  /** When it opened (event time). */
  readonly openedAt: number;
}

/** One colour per alert kind; the detector of an incident kind takes that kind's colour. */
export const ALERT_KIND_COLORS: Record<string, string> = {
  'error-spike': INCIDENT_KIND_COLORS['error-burst'],
  'ip-flood': INCIDENT_KIND_COLORS['ip-flood'],
  scanner: INCIDENT_KIND_COLORS.scanner,
  anomaly: '#7b5ea7',
};

export interface AlertTimelineOptions {
  title?: string;
  subtitle?: string;
  width?: number;
  /** The time axis's extent (the log's first and last request); default the rows'. */
  span?: { start: number; end: number };
  /** Lanes drawn at most (the earliest first); default 30. */
  maxLanes?: number;
}

/** A short bar on a day-long axis would be under a pixel: widen each to at least this. */
const MIN_BAR_PX = 4;
const LANE_KEY_MAX = 40;

/**
 * The lane of an alert or incident: its whole key, so two URLs alike in their first
 * LANE_KEY_MAX characters keep a lane each; only the axis label is cut (see `y` below).
 */
function laneOf(kind: string, key: string): string {
  // An anomaly is about the whole site: its key is a series name, not a URL or an address.
  return kind === 'anomaly' ? `site: ${key}` : key;
}

export function alertTimelineChart(
  incidents: readonly IncidentRow[],
  alerts: readonly AlertSpanRow[],
  options: AlertTimelineOptions = {},
): ChartSpec {
  const width = options.width ?? CHART_WIDTH - 120;
  const times = [
    ...incidents.flatMap((i) => [i.start, i.end]),
    ...alerts.flatMap((a) => [a.from, a.to]),
  ];
  const start = options.span?.start ?? Math.min(...times);
  const end = options.span?.end ?? Math.max(...times);
  const minMs = times.length > 0 ? ((end - start) * MIN_BAR_PX) / width : 0;
  const widen = (from: number, to: number) => {
    const extra = Math.max(0, minMs - (to - from)) / 2;
    return { x: from - extra, x2: to + extra };
  };

  // Lanes in order of their first event; at most maxLanes of them.
  const firstAt = new Map<string, number>();
  const note = (lane: string, t: number) => {
    const seen = firstAt.get(lane);
    if (seen === undefined || t < seen) firstAt.set(lane, t);
  };
  for (const i of incidents) note(laneOf(i.kind, i.key), i.start);
  for (const a of alerts) note(laneOf(a.kind, a.key), a.openedAt);
  const lanes = [...firstAt]
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxLanes ?? 30)
    .map(([lane]) => lane);
  const shown = new Set(lanes);

  const truth = incidents
    .map((i) => ({
      lane: laneOf(i.kind, i.key),
      ...widen(i.start, i.end),
      what: `injected ${i.kind}`,
      key: i.key,
      from: utcText(i.start),
      to: utcText(i.end),
    }))
    .filter((r) => shown.has(r.lane));
  const bars = alerts
    .map((a) => ({
      lane: laneOf(a.kind, a.key),
      ...widen(a.from, a.to),
      kind: a.kind,
      key: a.key,
      opened: a.openedAt,
      from: utcText(a.from),
      openedText: utcText(a.openedAt),
      to: utcText(a.to),
    }))
    .filter((r) => shown.has(r.lane));
  const kinds = Object.keys(ALERT_KIND_COLORS).filter((k) => bars.some((b) => b.kind === k));
  // The extent is an invisible layer rather than a scale domain: vega-lite finds a domain given
  // on a layered temporal scale in conflict with the layers' own data, and says so on stderr.
  const time = {
    type: 'temporal' as const,
    scale: { type: 'utc' as const },
    title: 'event time (UTC)',
    axis: { format: end - start > 2 * 3600_000 ? '%H:%M' : '%H:%M:%S', labelOverlap: true },
  };
  const y = {
    field: 'lane',
    type: 'nominal' as const,
    sort: lanes,
    title: null,
    // Labels are cut to LANE_KEY_MAX characters, the lanes keep their whole key; vega's own
    // limit (180 px) would cut more.
    axis: {
      labelLimit: 300,
      labelExpr: `length(datum.label) > ${LANE_KEY_MAX} ? slice(datum.label, 0, ${LANE_KEY_MAX - 1}) + '…' : datum.label`,
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Alerts against the ground truth',
      subtitle: options.subtitle ?? [
        'shaded: an injected incident; bar: an alert, from its first window to its last',
        '▼ where it opened; a shaded lane without a bar was missed, a bar alone is a false alarm',
      ],
    },
    config: chartConfig,
    width,
    height: { step: 24 },
    layer: [
      {
        data: { values: [{ t: start }, { t: end }] },
        mark: { type: 'rule', opacity: 0 },
        encoding: { x: { field: 't', ...time } },
      },
      {
        data: { values: truth },
        mark: { type: 'bar', color: INCIDENT_COLOR, opacity: 0.45 },
        encoding: {
          y,
          x: { field: 'x', ...time },
          x2: { field: 'x2' },
          tooltip: [
            { field: 'what', title: 'incident' },
            { field: 'key', title: 'key' },
            { field: 'from', title: 'from (UTC)' },
            { field: 'to', title: 'to (UTC)' },
          ],
        },
      },
      {
        data: { values: bars },
        mark: { type: 'bar', height: { band: 0.45 } },
        encoding: {
          y,
          x: { field: 'x', ...time },
          x2: { field: 'x2' },
          color: {
            field: 'kind',
            type: 'nominal',
            title: 'alert',
            scale: { domain: kinds, range: kinds.map((k) => ALERT_KIND_COLORS[k]) },
            legend: { orient: 'bottom' },
          },
          tooltip: [
            { field: 'kind', title: 'alert' },
            { field: 'key', title: 'key' },
            { field: 'openedText', title: 'opened (UTC)' },
            { field: 'from', title: 'first window from' },
            { field: 'to', title: 'held until' },
          ],
        },
      },
      {
        data: { values: bars },
        mark: {
          type: 'point',
          shape: 'triangle-down',
          filled: true,
          size: 50,
          color: '#222',
          yOffset: -9,
        },
        encoding: { y, x: { field: 'opened', ...time } },
      },
    ],
  };
}
