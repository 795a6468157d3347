/**
 * Charts of real-time detection: what a detector measured window by window around an injected
 * incident (with its threshold and its alert), the anomaly detector's scores over a day with its
 * control limits, and detection quality against the window size. They take plain rows
 * (detection-input.ts): the realtime explainers' rows and the engine's alerts and scores fit.
 */
import {
  type AlertRow,
  ANOMALY_LIMITS,
  type AnomalyScoreRow,
  type IncidentRow,
  type IncidentWindowsRows,
  type WindowComparisonRow,
} from './detection-input';
import { MINUTE_MS } from './prepare';
import type { ChartSpec } from './render';
import { utcText } from './rows';
import { CHART_WIDTH, chartConfig, INCIDENT_COLOR, STATUS_CLASS_COLORS } from './theme';

const MEASURE_COLOR = '#4a7fc1';
const THRESHOLD_COLOR = STATUS_CLASS_COLORS['5xx'];
const ALERT_COLOR = '#8a2be2';

/** One colour per incident kind, the same in every detection chart. */
export const INCIDENT_KIND_COLORS: Record<string, string> = {
  'error-burst': '#d1453b',
  'ip-flood': '#4a7fc1',
  scanner: '#e3a23b',
};

/** "5 min", "90 s": a window or hop length for titles. */
export function durationText(ms: number): string {
  if (ms % MINUTE_MS === 0) return `${ms / MINUTE_MS} min`;
  return `${ms / 1000} s`;
}

const utcAxis = (title: string | null, format?: string) => ({
  type: 'temporal' as const,
  scale: { type: 'utc' as const },
  title,
  axis: { labelOverlap: true, ...(format ? { format } : {}) },
});

/** The moments an alert changed state: opened, became critical, resolved. */
export interface AlertMoment {
  time: number;
  what: 'opens' | 'critical' | 'resolves';
  observed: number;
}

/**
 * When each alert line took effect in event time: an open line at its window's end (its first
 * line: `firstSeen`), a severity update at its window's end, a resolved line at its window's end.
 */
export function alertMoments(alerts: readonly AlertRow[]): AlertMoment[] {
  const seen = new Set<string>();
  return alerts.map((a) => {
    const id = `${a.kind}\u0000${a.key}\u0000${a.firstSeen}`;
    let what: AlertMoment['what'] = 'resolves';
    if (a.state === 'open') what = seen.has(id) ? 'critical' : 'opens';
    seen.add(id);
    return { time: a.windowEnd, what, observed: a.observed };
  });
}

export interface IncidentWindowChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/**
 * One detector around one incident: its measure in each window (at the window's end, when the
 * detector judges it), the threshold, the incident shaded, and the moments its alert opened,
 * became critical and resolved.
 */
export function incidentWindowChart(
  view: IncidentWindowsRows,
  options: IncidentWindowChartOptions = {},
): ChartSpec {
  const { incident, windowMs, hopMs, threshold } = view;
  const per = `per ${durationText(windowMs)} window`;
  const points = view.points.map((p) => ({
    end: p.end,
    value: p.value,
    window: `${utcText(p.start)} – ${utcText(p.end).slice(11)}`,
  }));
  const most = Math.max(threshold, ...view.points.map((p) => p.value));
  const moments = alertMoments(view.alerts).map((m) => ({
    ...m,
    label: MOMENT_LABELS[m.what],
    at: utcText(m.time),
  }));
  const present = (Object.keys(MOMENT_LABELS) as AlertMoment['what'][])
    .filter((what) => moments.some((m) => m.what === what))
    .map((what) => MOMENT_LABELS[what]);
  // Every layer names the axis the same way: vega-lite merges the layers' titles into one.
  const time = utcAxis('window end (UTC)', '%H:%M');
  const x = { field: 'end', ...time };
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    // The subtitle says "per window"; a rotated title longer than the plot would stretch it.
    title: view.measure,
    scale: { domain: [0, most * 1.15], nice: false },
    axis: { format: ',d', tickMinStep: 1 },
  };
  const shade = [{ start: incident.start, end: incident.end }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? `${view.alertKind} on ${incident.key}`,
      subtitle: options.subtitle ?? [
        `${view.measure} ${per}, a window closing every ${durationText(hopMs)}`,
        `shaded: the injected ${incident.kind}, ${utcText(incident.start).slice(11)} to ${utcText(incident.end).slice(11)} UTC`,
      ],
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 150,
    height: 240,
    layer: [
      {
        data: { values: shade },
        mark: { type: 'rect', color: INCIDENT_COLOR, opacity: 0.35 },
        encoding: { x: { field: 'start', ...time }, x2: { field: 'end' } },
      },
      {
        data: { values: [{ threshold, label: `threshold ${threshold}` }] },
        layer: [
          {
            mark: { type: 'rule', color: THRESHOLD_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 },
            encoding: { y: { field: 'threshold', type: 'quantitative' } },
          },
          {
            mark: {
              type: 'text',
              align: 'right',
              baseline: 'bottom',
              dy: -3,
              fontSize: 10,
              color: THRESHOLD_COLOR,
            },
            encoding: {
              y: { field: 'threshold', type: 'quantitative' },
              x: { value: options.width ?? CHART_WIDTH - 150 },
              text: { field: 'label' },
            },
          },
        ],
      },
      {
        data: { values: moments },
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'time', ...time },
          color: {
            field: 'label',
            type: 'nominal',
            title: null,
            scale: { domain: present, range: present.map((l) => MOMENT_COLORS[l]) },
            legend: { orient: 'right', labelLimit: 200 },
          },
          tooltip: [
            { field: 'label', title: 'alert' },
            { field: 'at', title: 'event time (UTC)' },
            { field: 'observed', title: view.measure },
          ],
        },
      },
      {
        data: { values: points },
        mark: {
          type: 'line',
          color: MEASURE_COLOR,
          strokeWidth: 1.5,
          point: { filled: true, size: 18, color: MEASURE_COLOR },
        },
        encoding: {
          x,
          y,
          tooltip: [
            { field: 'window', title: 'window (UTC)' },
            { field: 'value', title: view.measure },
          ],
        },
      },
    ],
  };
}

const MOMENT_LABELS: Record<AlertMoment['what'], string> = {
  opens: 'alert opens',
  critical: 'alert turns critical',
  resolves: 'alert resolves',
};

const MOMENT_COLORS: Record<string, string> = {
  'alert opens': ALERT_COLOR,
  'alert turns critical': '#a0182b',
  'alert resolves': '#4c9a55',
};

export interface AnomalyScoreChartOptions {
  /** The detector's limits (defaults: ANOMALY_LIMITS, the detector's). */
  openZ?: number;
  resolveZ?: number;
  /** Shaded behind both panels. */
  incidents?: readonly IncidentRow[];
  /** Anomaly alert lines: each opening is marked in its series' panel. */
  alerts?: readonly AlertRow[];
  title?: string;
  subtitle?: string;
  width?: number;
}

const MIN_SHADE_PX = 6;

/**
 * The anomaly detector's robust z-scores over time, one panel per series (requests per step;
 * share of 5xx answers), with the control limits: an alert opens beyond ±openZ (a drop only
 * below −openZ, on requests) and resolves inside ±resolveZ. Incidents are shaded (at least a few
 * pixels wide) and every anomaly alert opening is marked where it happened.
 */
export function anomalyScoreChart(
  scores: readonly AnomalyScoreRow[],
  options: AnomalyScoreChartOptions = {},
): ChartSpec {
  const openZ = options.openZ ?? ANOMALY_LIMITS.openZ;
  const resolveZ = options.resolveZ ?? ANOMALY_LIMITS.resolveZ;
  const width = options.width ?? CHART_WIDTH;
  const first = scores.length > 0 ? scores[0].start : 0;
  const last = scores.length > 0 ? scores[scores.length - 1].start : 0;
  const minMs = ((last - first) * MIN_SHADE_PX) / width;
  const shade = (options.incidents ?? []).map((i) => {
    const widen = Math.max(0, minMs - (i.end - i.start)) / 2;
    return { start: i.start - widen, end: i.end + widen, kind: i.kind, key: i.key };
  });
  const opened = alertMoments(options.alerts ?? [])
    .map((m, i) => ({ ...m, key: (options.alerts ?? [])[i].key }))
    .filter((m) => m.what === 'opens');
  const panels: {
    field: 'requestsZ' | 'errorRatioZ';
    title: string;
    keys: string[];
    low: boolean;
  }[] = [
    {
      field: 'requestsZ',
      title: 'requests per minute (z)',
      keys: ['requests-spike', 'requests-drop'],
      low: true,
    },
    { field: 'errorRatioZ', title: 'share of 5xx (z)', keys: ['error-ratio-spike'], low: false },
  ];
  const x = utcAxis('minute (UTC)', '%H:%M');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Anomaly scores over the day',
      subtitle: options.subtitle ?? [
        'robust z-score of each minute against its trailing baseline (median and MAD)',
        `red: an alert opens beyond ${openZ}; grey: it resolves inside ${resolveZ}; shaded: injected incidents`,
      ],
    },
    config: chartConfig,
    spacing: 10,
    vconcat: panels.map((panel, i) => {
      const values = scores
        .filter((s) => s[panel.field] !== null)
        .map((s) => ({ start: s.start, z: s[panel.field] as number }));
      const limits = [
        { z: openZ, kind: 'open' },
        { z: resolveZ, kind: 'resolve' },
        ...(panel.low
          ? [
              { z: -openZ, kind: 'open' },
              { z: -resolveZ, kind: 'resolve' },
            ]
          : []),
      ];
      const marks = opened
        .filter((m) => panel.keys.includes(m.key))
        .map((m) => ({ time: m.time, label: `${m.key} opens`, at: utcText(m.time) }));
      // Every layer names the axis the same way (vega-lite merges them); only the last shows it.
      const xOf = (field: string) => ({
        field,
        ...x,
        title: i === panels.length - 1 ? x.title : null,
      });
      return {
        width,
        height: 150,
        layer: [
          {
            data: { values: shade },
            mark: { type: 'rect' as const, color: INCIDENT_COLOR, opacity: 0.45 },
            encoding: {
              x: xOf('start'),
              x2: { field: 'end' },
              tooltip: [
                { field: 'kind', title: 'incident' },
                { field: 'key', title: 'key' },
              ],
            },
          },
          {
            data: { values: limits },
            mark: { type: 'rule' as const, strokeDash: [6, 4] },
            encoding: {
              y: { field: 'z', type: 'quantitative' as const },
              color: {
                field: 'kind',
                type: 'nominal' as const,
                scale: { domain: ['open', 'resolve'], range: [THRESHOLD_COLOR, '#999999'] },
                legend: null,
              },
            },
          },
          {
            data: { values },
            mark: { type: 'line' as const, color: MEASURE_COLOR, strokeWidth: 1 },
            encoding: {
              x: xOf('start'),
              y: { field: 'z', type: 'quantitative' as const, title: panel.title },
            },
          },
          {
            data: { values: marks },
            layer: [
              {
                mark: { type: 'point' as const, shape: 'triangle-down', filled: true, size: 70 },
                encoding: {
                  x: xOf('time'),
                  y: { value: 6 },
                  color: { value: ALERT_COLOR },
                  tooltip: [
                    { field: 'label', title: 'alert' },
                    { field: 'at', title: 'event time (UTC)' },
                  ],
                },
              },
              {
                mark: {
                  type: 'text' as const,
                  align: 'left' as const,
                  dx: 7,
                  fontSize: 10,
                  color: ALERT_COLOR,
                },
                encoding: {
                  x: xOf('time'),
                  y: { value: 6 },
                  text: { field: 'label' },
                },
              },
            ],
          },
        ],
      };
    }),
  };
}

export interface WindowComparisonChartOptions {
  title?: string;
  subtitle?: string;
  /** Width of each of the three panels. */
  panelWidth?: number;
}

/**
 * Detection quality against the window size, one line per incident kind in three panels: F1,
 * mean detection delay, and how long the alert still held after the incident ended.
 */
export function windowComparisonChart(
  rows: readonly WindowComparisonRow[],
  options: WindowComparisonChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    window: r.windowMs / MINUTE_MS,
    kind: r.incidentKind,
    f1: r.f1,
    delay: r.delayMeanMs === null ? null : r.delayMeanMs / MINUTE_MS,
    holds: r.holdsAfterEndMs === null ? null : r.holdsAfterEndMs / MINUTE_MS,
  }));
  const kinds = [...new Set(values.map((v) => v.kind))];
  const windows = [...new Set(values.map((v) => v.window))].sort((a, b) => a - b);
  const thresholds = [...new Set(rows.map((r) => r.thresholds))];
  const panels: { field: 'f1' | 'delay' | 'holds'; title: string; domain?: number[] }[] = [
    { field: 'f1', title: 'F1', domain: [0, 1] },
    { field: 'delay', title: 'detection delay (min)' },
    { field: 'holds', title: 'held after the end (min)' },
  ];
  const color = {
    field: 'kind',
    type: 'nominal' as const,
    title: 'incident',
    scale: { domain: kinds, range: kinds.map((k) => INCIDENT_KIND_COLORS[k] ?? '#777777') },
    legend: { orient: 'top' as const },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'What the window size changes',
      subtitle:
        options.subtitle ??
        (thresholds.length === 1 && thresholds[0] === 'rate'
          ? 'thresholds scaled with the window (the same rate as 15 / 150 / 20 per 5 min)'
          : 'the same thresholds for every window (15 errors, 150 requests, 20 paths)'),
    },
    config: chartConfig,
    spacing: 24,
    data: { values },
    hconcat: panels.map((panel) => ({
      width: options.panelWidth ?? 170,
      height: 200,
      transform: [{ filter: `datum.${panel.field} !== null` }],
      mark: { type: 'line' as const, point: { filled: true, size: 40 }, strokeWidth: 1.5 },
      encoding: {
        x: {
          field: 'window',
          type: 'ordinal' as const,
          title: 'window (min)',
          sort: windows,
          scale: { domain: windows },
          axis: { labelAngle: 0 },
        },
        y: {
          field: panel.field,
          type: 'quantitative' as const,
          title: panel.title,
          ...(panel.domain ? { scale: { domain: panel.domain } } : {}),
        },
        color,
        tooltip: [
          { field: 'kind', title: 'incident' },
          { field: 'window', title: 'window (min)' },
          { field: panel.field, title: panel.title, format: '.2f' },
        ],
      },
    })),
  };
}
