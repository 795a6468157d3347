/**
 * Charts that explain event-time windows: the windows tumbling, hopping and sliding operators
 * make over a handful of events, and how a watermark sorts an out-of-order stream into on-time
 * and late events. They take plain rows (the shapes below): realtime's explainers (windowsByKind,
 * watermarkTrace, latenessEffects, which run the real operators) give them as they are.
 */
import type { ChartSpec } from './render';
import type { Row } from './table';
import { CHART_WIDTH, chartConfig, STATUS_CLASS_COLORS } from './theme';

export type WindowKind = 'tumbling' | 'hopping' | 'sliding';

/** One window an operator made: [start, end), or [start, end] when `endInclusive`, and its events. */
export interface ExplainedWindow {
  readonly kind: WindowKind;
  readonly start: number;
  readonly end: number;
  readonly endInclusive: boolean;
  readonly count: number;
}

/** The settings the windows were made with, for the panel titles. */
export interface WindowKindsOptions {
  readonly sizeMs: number;
  readonly hopMs: number;
  readonly differenceMs: number;
}

/** One event in arrival order against the watermark it met. */
export interface WatermarkStep {
  readonly arrival: number;
  readonly time: number;
  readonly watermarkBefore: number;
  readonly maxEventTime: number;
  readonly watermark: number;
  readonly late: boolean;
}

/** The windows of one allowed lateness, against those of the sorted events. */
export interface LatenessEffect {
  readonly latenessMs: number;
  readonly late: number;
  readonly windows: readonly string[];
  readonly sameAsSorted: boolean;
}

const KIND_COLORS: Record<WindowKind, string> = {
  tumbling: '#4a7fc1',
  hopping: '#4c9a55',
  sliding: '#7b5ea7',
};

const ON_TIME_COLOR = '#4a7fc1';
const LATE_COLOR = STATUS_CLASS_COLORS['5xx'];
const WATERMARK_COLOR = '#333333';
const MAX_TIME_COLOR = '#a7a7a7';

export interface WindowKindsChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/** "[5000, 10000)" or, for a window that holds its end, "[3000, 8000]". */
export function windowLabel(w: Pick<ExplainedWindow, 'start' | 'end' | 'endInclusive'>): string {
  return `[${w.start}, ${w.end}${w.endInclusive ? ']' : ')'}`;
}

function holds(w: ExplainedWindow, t: number): boolean {
  return t >= w.start && (w.endInclusive ? t <= w.end : t < w.end);
}

/**
 * One panel per kind of window on one event-time axis (ms): each window a bar from its start to
 * its end, named by its interval and labelled with its count, the events it holds as dots on it,
 * and every event as a dotted line through all panels.
 */
export function windowKindsChart(
  times: readonly number[],
  windows: readonly ExplainedWindow[],
  settings: WindowKindsOptions,
  options: WindowKindsChartOptions = {},
): ChartSpec {
  const kinds: WindowKind[] = ['tumbling', 'hopping', 'sliding'];
  const titles: Record<WindowKind, string> = {
    tumbling: `tumbling: ${settings.sizeMs} ms windows, aligned to 0, [start, end)`,
    hopping: `hopping: ${settings.sizeMs} ms windows starting every ${settings.hopMs} ms, [start, end)`,
    sliding: `sliding (Kafka Streams): time difference ${settings.differenceMs} ms, [start, end]`,
  };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const w of windows) {
    lo = Math.min(lo, w.start);
    hi = Math.max(hi, w.end);
  }
  for (const t of times) {
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  // Room on the right for the count labels of the last windows.
  const domain = [lo - (hi - lo) * 0.02, hi + (hi - lo) * 0.12];
  const events = times.map((t) => ({ t }));
  const present = kinds.filter((k) => windows.some((w) => w.kind === k));
  const width = options.width ?? CHART_WIDTH - 130;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Windows over the same events',
      subtitle:
        options.subtitle ??
        `${times.length} events of one key at ${times.join(', ')} ms; dots: the events each window holds`,
    },
    config: chartConfig,
    spacing: 14,
    vconcat: present.map((kind, i) => {
      const own = windows.filter((w) => w.kind === kind);
      const bars = own.map((w) => ({
        interval: windowLabel(w),
        start: w.start,
        end: w.end,
        label: `${w.count} event${w.count === 1 ? '' : 's'}`,
      }));
      const dots = own.flatMap((w) =>
        times.filter((t) => holds(w, t)).map((t) => ({ interval: windowLabel(w), t })),
      );
      const y = {
        field: 'interval',
        type: 'nominal' as const,
        sort: bars.map((b) => b.interval),
        title: null,
        axis: { labelFontSize: 10 },
      };
      const last = i === present.length - 1;
      const x = {
        type: 'quantitative' as const,
        scale: { domain, nice: false, zero: false },
        title: last ? 'event time (ms)' : null,
        axis: { format: 'd', labelFlush: false },
      };
      return {
        title: {
          text: titles[kind],
          fontSize: 12,
          anchor: 'start' as const,
          frame: 'group' as const,
          offset: 6,
        },
        width,
        height: { step: 20 },
        layer: [
          {
            data: { values: events },
            mark: { type: 'rule' as const, color: '#bbbbbb', strokeDash: [2, 3] },
            encoding: { x: { ...x, field: 't' } },
          },
          {
            data: { values: bars },
            mark: {
              type: 'bar' as const,
              color: KIND_COLORS[kind],
              opacity: 0.55,
              cornerRadius: 2,
              height: { band: 0.7 },
            },
            encoding: {
              y,
              x: { ...x, field: 'start' },
              x2: { field: 'end' },
              tooltip: [
                { field: 'interval', title: 'window (ms)' },
                { field: 'label', title: 'holds' },
              ],
            },
          },
          {
            data: { values: bars },
            mark: { type: 'text' as const, align: 'left' as const, dx: 8, fontSize: 10 },
            encoding: { y, x: { ...x, field: 'end' }, text: { field: 'label' } },
          },
          {
            data: { values: dots },
            mark: { type: 'point' as const, filled: true, size: 36, color: '#222222' },
            encoding: { y, x: { ...x, field: 't' } },
          },
        ],
      };
    }),
  };
}

export interface WatermarkChartOptions {
  latenessMs: number;
  title?: string;
  subtitle?: string;
  width?: number;
}

/**
 * An out-of-order stream: each event's event time against its position in arrival order, the
 * newest event time seen and the watermark (that minus the allowed lateness) as steps, and the
 * events that arrived behind the watermark marked late.
 */
export function watermarkChart(
  steps: readonly WatermarkStep[],
  options: WatermarkChartOptions,
): ChartSpec {
  const points = steps.map((s) => ({
    arrival: s.arrival,
    time: s.time,
    series: s.late ? 'late (behind the watermark)' : 'on time',
    watermark: Number.isFinite(s.watermarkBefore) ? s.watermarkBefore : null,
  }));
  const lines = steps.flatMap((s) => [
    { arrival: s.arrival, time: s.maxEventTime, series: 'newest event time seen' },
    { arrival: s.arrival, time: s.watermark, series: 'watermark' },
  ]);
  const late = steps.filter((s) => s.late).length;
  const pointSeries = ['on time', 'late (behind the watermark)'];
  const lineSeries = ['newest event time seen', 'watermark'];
  // Colour and shape (dash) of one field with one title merge into one legend per layer.
  const legend = { orient: 'top' as const, labelLimit: 300 };
  const x = {
    field: 'arrival',
    type: 'quantitative' as const,
    title: 'arrival order (n-th event to arrive)',
    scale: { domainMin: 0, nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  };
  const y = {
    field: 'time',
    type: 'quantitative' as const,
    title: 'event time (ms)',
    scale: { zero: false },
    axis: { format: 'd' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Event time, arrival order and the watermark',
      subtitle:
        options.subtitle ??
        `allowed lateness ${options.latenessMs} ms: ${late} of ${steps.length} events arrived behind the watermark`,
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 60,
    height: 260,
    resolve: { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } },
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: lineSeries, range: [MAX_TIME_COLOR, WATERMARK_COLOR] },
            legend,
          },
          strokeDash: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: {
              domain: lineSeries,
              range: [
                [1, 0],
                [5, 3],
              ],
            },
            legend,
          },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: pointSeries, range: [ON_TIME_COLOR, LATE_COLOR] },
            legend,
          },
          shape: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: pointSeries, range: ['circle', 'cross'] },
            legend,
          },
          tooltip: [
            { field: 'arrival', title: 'arrival' },
            { field: 'time', title: 'event time (ms)' },
            { field: 'watermark', title: 'watermark on arrival (ms)' },
            { field: 'series', title: 'verdict' },
          ],
        },
      },
    ],
  };
}

/** One row per allowed lateness: late events, and whether the windows equal sorted input's. */
export function latenessRows(effects: readonly LatenessEffect[]): Row[] {
  return effects.map((e) => ({
    'allowed lateness (ms)': e.latenessMs,
    'late events': e.late,
    'windows (start–end: count)': e.windows.join('  '),
    'same as sorted input': e.sameAsSorted ? 'yes' : 'no',
  }));
}
