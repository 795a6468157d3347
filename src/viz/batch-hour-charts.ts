/**
 * The per-hour and per-day jobs' charts: peak hours, the status mix per hour, unique visitors.
 */
import { BAR_COLOR, type BatchChartOptions, HOURS, header, sum } from './batch-chart-parts';
import { statusClass } from './prepare';
import type { ChartSpec } from './render';
import { CHART_WIDTH, formatCount } from './theme';

const PEAK_COLOR = '#d1453b';

export interface PeakHoursChartRow {
  readonly hour: string;
  readonly requests: number;
  readonly peak: boolean;
}

export interface StatusPerHourChartRow {
  readonly hour: string;
  readonly status: number;
  readonly requests: number;
}

export interface UniqueVisitorsChartRow {
  readonly date: string;
  readonly visitors: number;
}

/** Requests per UTC hour, the busiest bar in another colour and labelled. */
export function peakHoursChart(
  rows: readonly PeakHoursChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    hour: r.hour,
    requests: r.requests,
    peak: r.peak,
    label: r.peak ? formatCount(r.requests) : '',
  }));
  const peak = rows.find((r) => r.peak);
  const total = sum(rows.map((r) => r.requests));
  const x = { field: 'hour', type: 'ordinal' as const, sort: HOURS, title: 'hour (UTC)' };
  return {
    ...header(
      'Peak usage: requests per hour',
      peak
        ? `busiest hour ${peak.hour}:00 UTC with ${formatCount(peak.requests)} of ${formatCount(total)} requests`
        : 'no requests',
      options,
    ),
    width: options.width ?? CHART_WIDTH - 80,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x: { ...x, axis: { labelAngle: 0 } },
          y: { field: 'requests', type: 'quantitative', title: 'requests', axis: { format: ',d' } },
          color: {
            condition: { test: 'datum.peak', value: PEAK_COLOR },
            value: BAR_COLOR,
          },
        },
      },
      {
        mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10, color: PEAK_COLOR },
        encoding: {
          x,
          y: { field: 'requests', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}

/** Shades of a status class's colour, for several codes of one class side by side. */
const SHADES: Record<string, readonly string[]> = {
  '1xx': ['#9e9e9e', '#c4c4c4', '#6e6e6e'],
  '2xx': ['#4c9a55', '#85c28c', '#2d6634', '#b3dcb7'],
  '3xx': ['#4a7fc1', '#8fb3e0', '#2b5689', '#bcd2ee'],
  '4xx': ['#e3a23b', '#f2c77d', '#b27617', '#f7dfb0', '#8a5a0e'],
  '5xx': ['#d1453b', '#ec8a82', '#952a22', '#f4bcb7', '#6b1a14'],
  other: ['#7b5ea7', '#ad95cf', '#56407a'],
};

/** The colour of each status code: its class's colour, a lighter or darker shade per code. */
export function statusColors(statuses: readonly number[]): { domain: string[]; range: string[] } {
  const domain = [...new Set(statuses)].sort((a, b) => a - b);
  const seen = new Map<string, number>();
  const range = domain.map((s) => {
    const cls = statusClass(s);
    const n = seen.get(cls) ?? 0;
    seen.set(cls, n + 1);
    const shades = SHADES[cls] ?? SHADES.other;
    return shades[n % shades.length];
  });
  return { domain: domain.map(String), range };
}

/** Requests per UTC hour stacked by status code. */
export function statusPerHourChart(
  rows: readonly StatusPerHourChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    hour: r.hour,
    status: String(r.status),
    requests: r.requests,
  }));
  const total = sum(rows.map((r) => r.requests));
  const errors = sum(rows.filter((r) => r.status >= 400).map((r) => r.requests));
  const colors = statusColors(rows.map((r) => r.status));
  return {
    ...header(
      'Status mix per hour',
      `${formatCount(total)} requests, ${total > 0 ? ((100 * errors) / total).toFixed(1) : '0'}% answered 4xx or 5xx`,
      options,
    ),
    width: options.width ?? CHART_WIDTH - 120,
    height: 220,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'hour',
        type: 'ordinal',
        sort: HOURS,
        title: 'hour (UTC)',
        axis: { labelAngle: 0 },
      },
      y: {
        field: 'requests',
        type: 'quantitative',
        stack: 'zero',
        title: 'requests',
        axis: { format: ',d' },
      },
      color: { field: 'status', type: 'nominal', title: 'status', scale: colors },
      order: { field: 'status', type: 'ordinal' },
      tooltip: [{ field: 'hour' }, { field: 'status' }, { field: 'requests', format: ',d' }],
    },
  };
}

/** Visitors per UTC day. */
export function uniqueVisitorsChart(
  rows: readonly UniqueVisitorsChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({ ...r, label: formatCount(r.visitors) }));
  const x = { field: 'date', type: 'ordinal' as const, sort: null, title: 'day (UTC)' };
  return {
    ...header(
      'Unique visitors per day',
      'distinct address and user agent per UTC day, 4xx answers left out (as GoAccess)',
      options,
    ),
    width: options.width ?? Math.min(CHART_WIDTH - 80, Math.max(160, 70 * rows.length)),
    height: 200,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: BAR_COLOR },
        encoding: {
          x: { ...x, axis: { labelAngle: 0 } },
          y: { field: 'visitors', type: 'quantitative', title: 'visitors', axis: { format: ',d' } },
        },
      },
      {
        mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10 },
        encoding: {
          x,
          y: { field: 'visitors', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}
