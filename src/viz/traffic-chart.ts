import { MINUTE_MS, type TimeSpan, type TrafficPoint } from './prepare';
import type { ChartSpec } from './render';
import { utcText } from './rows';
import { CHART_WIDTH, chartConfig, INCIDENT_COLOR, STATUS_CLASS_COLORS } from './theme';

export interface TrafficChartOptions {
  title?: string;
  subtitle?: string;
  /** Shaded behind both panels and labelled with their kind. */
  incidents?: readonly TimeSpan[];
  /** The bucket width the points were made with, for the axis title. Default one minute. */
  bucketMs?: number;
  width?: number;
}

const MIN_SHADE_PX = 6;

function perBucket(bucketMs: number): string {
  if (bucketMs === MINUTE_MS) return 'minute';
  if (bucketMs % MINUTE_MS === 0) return `${bucketMs / MINUTE_MS} min`;
  return `${bucketMs / 1000} s`;
}

/** Clock times for a day, dates too for longer spans; vega's own choice for short ones. */
function timeFormat(points: readonly TrafficPoint[]): { format?: string } {
  if (points.length < 2) return {};
  const span = points[points.length - 1].time - points[0].time;
  if (span < 2 * 3600_000) return {};
  return { format: span <= 36 * 3600_000 ? '%H:%M' : '%b %d %H:%M' };
}

/**
 * Traffic over time in two panels on one time axis: all requests above, 4xx and 5xx responses
 * below (errors are a few per cent of traffic and would be a flat line on the same scale).
 * Incidents are shaded in both panels.
 */
export function trafficPerMinuteChart(
  points: readonly TrafficPoint[],
  options: TrafficChartOptions = {},
): ChartSpec {
  const bucketMs = options.bucketMs ?? MINUTE_MS;
  const unit = `requests per ${perBucket(bucketMs)}`;
  const width = options.width ?? CHART_WIDTH;
  // A five-minute incident in a day is under 3 px wide: draw each at least MIN_SHADE_PX wide
  // (centred on the real span) so that it can be seen; the tooltip keeps the real times.
  const span = points.length > 1 ? points[points.length - 1].time - points[0].time : 0;
  const minMs = (span * MIN_SHADE_PX) / width;
  const incidents = (options.incidents ?? []).map((s) => {
    const widen = Math.max(0, minMs - (s.end - s.start)) / 2;
    return {
      start: s.start - widen,
      end: s.end + widen,
      from: utcText(s.start),
      to: utcText(s.end),
      kind: s.kind ?? 'incident',
      key: s.key ?? '',
    };
  });
  const errors = points.flatMap((p) => [
    { time: p.time, series: '4xx', requests: p.status4xx },
    { time: p.time, series: '5xx', requests: p.status5xx },
  ]);
  const x = {
    field: 'time',
    type: 'temporal' as const,
    scale: { type: 'utc' as const },
    title: 'time (UTC)',
    axis: { labelOverlap: true, ...timeFormat(points) },
  };
  const count = { format: ',d', tickMinStep: 1 };
  const shading = {
    data: { values: incidents },
    mark: { type: 'rect' as const, color: INCIDENT_COLOR, opacity: 0.35 },
    encoding: {
      x: { field: 'start', type: 'temporal' as const, scale: { type: 'utc' as const } },
      x2: { field: 'end' },
      tooltip: [
        { field: 'kind', title: 'incident' },
        { field: 'key', title: 'key' },
        { field: 'from', title: 'from (UTC)' },
        { field: 'to', title: 'to (UTC)' },
      ],
    },
  };
  const labels = {
    data: { values: incidents },
    mark: {
      type: 'text' as const,
      align: 'left' as const,
      baseline: 'top' as const,
      dx: 3,
      dy: 3,
      fontSize: 10,
      color: '#8a5a00',
    },
    encoding: {
      x: { field: 'start', type: 'temporal' as const, scale: { type: 'utc' as const } },
      y: { value: 0 },
      text: { field: 'kind' },
    },
  };
  const withIncidents = incidents.length > 0;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Traffic per minute',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    config: chartConfig,
    spacing: 12,
    // The colour legend belongs to the error panel, not to the whole figure.
    resolve: { scale: { x: 'shared', color: 'independent' }, legend: { color: 'independent' } },
    vconcat: [
      {
        width,
        height: 180,
        layer: [
          ...(withIncidents ? [shading, labels] : []),
          {
            data: { values: points as TrafficPoint[] },
            mark: { type: 'line', strokeWidth: 1.2, color: STATUS_CLASS_COLORS['3xx'] },
            encoding: {
              x: { ...x, title: null },
              y: { field: 'requests', type: 'quantitative', title: `all ${unit}`, axis: count },
            },
          },
        ],
      },
      {
        width,
        height: 110,
        layer: [
          ...(withIncidents ? [shading] : []),
          {
            data: { values: errors },
            mark: { type: 'line', strokeWidth: 1.2 },
            encoding: {
              x,
              y: {
                field: 'requests',
                type: 'quantitative',
                title: `errors per ${perBucket(bucketMs)}`,
                axis: count,
              },
              color: {
                field: 'series',
                type: 'nominal',
                title: 'status',
                scale: {
                  domain: ['4xx', '5xx'],
                  range: [STATUS_CLASS_COLORS['4xx'], STATUS_CLASS_COLORS['5xx']],
                },
                legend: { orient: 'right' },
              },
            },
          },
        ],
      },
    ],
  };
}
