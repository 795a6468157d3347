/**
 * The top-N jobs' charts: errors by URL and status, top URLs, bytes per route, slow pages. Bars in the rows'
 * own order (the jobs rank them), each labelled with its figure. URLs and routes come from log
 * lines and reach the SVG only as text vega escapes.
 */
import { BAR_COLOR, type BatchChartOptions, header, rankedBars, sum } from './batch-chart-parts';
import { statusClass } from './prepare';
import type { ChartSpec } from './render';
import { CHART_WIDTH, formatCount, STATUS_CLASS_COLORS } from './theme';

export interface ErrorsChartRow {
  readonly url: string;
  readonly status: number;
  readonly count: number;
}

export interface TopUrlsChartRow {
  readonly url: string;
  readonly hits: number;
}

export interface BytesPerRouteChartRow {
  readonly route: string;
  readonly requests: number;
  readonly bytes: number;
  readonly avgBytes: number;
}

export interface SlowPagesChartRow {
  readonly route: string;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly untimed: number;
}

/** Error analysis: one bar per URL and status, coloured by status class. */
export function errorsChart(
  rows: readonly ErrorsChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    label: `${r.status} ${r.url}`,
    class: statusClass(r.status),
    count: r.count,
    text: formatCount(r.count),
  }));
  const classes = [...new Set(values.map((v) => v.class))].sort();
  return {
    ...header(
      'Errors by URL and status',
      `${formatCount(sum(rows.map((r) => r.count)))} error answers in the ${rows.length} rows shown`,
      options,
    ),
    ...rankedBars(
      values,
      { field: 'label', title: 'status and URL' },
      { field: 'count', title: 'requests', label: 'text' },
      {
        field: 'class',
        type: 'nominal',
        title: 'class',
        scale: { domain: classes, range: classes.map((c) => STATUS_CLASS_COLORS[c]) },
      },
      options.width ?? CHART_WIDTH - 280,
    ),
  } as ChartSpec;
}

/** The most requested URLs, most first. */
export function topUrlsChart(
  rows: readonly TopUrlsChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({ url: r.url, hits: r.hits, text: formatCount(r.hits) }));
  return {
    ...header(
      'Top URLs by hits',
      `${formatCount(sum(rows.map((r) => r.hits)))} hits on the ${rows.length} URLs shown`,
      options,
    ),
    ...rankedBars(
      values,
      { field: 'url', title: 'URL' },
      { field: 'hits', title: 'hits', label: 'text' },
      { value: BAR_COLOR },
      options.width ?? CHART_WIDTH - 280,
    ),
  } as ChartSpec;
}

function megabytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;
}

/** Response bytes per route, the heaviest first, each with its requests. */
export function bytesPerRouteChart(
  rows: readonly BytesPerRouteChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    route: r.route,
    bytes: r.bytes,
    text: `${megabytes(r.bytes)} in ${formatCount(r.requests)} requests`,
  }));
  return {
    ...header(
      'Bytes per route',
      `${megabytes(sum(rows.map((r) => r.bytes)))} sent on the ${rows.length} routes shown`,
      options,
    ),
    ...rankedBars(
      values,
      { field: 'route', title: 'route' },
      { field: 'bytes', title: 'bytes', label: 'text', format: '~s' },
      { value: '#4c9a55' },
      options.width ?? CHART_WIDTH - 320,
    ),
  } as ChartSpec;
}

/** A time in ms as it reads: whole ms from 10 on, one decimal below. */
function ms(value: number): string {
  return value >= 10 ? `${Math.round(value).toLocaleString('en-US')} ms` : `${value.toFixed(1)} ms`;
}

/**
 * Slow pages: p95 per route, the slowest first, with p50 and p99 in the label, so a route slow
 * for everyone (p50 high) reads apart from one slow in its tail (p99 far above p95).
 */
export function slowPagesChart(
  rows: readonly SlowPagesChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    route: r.route,
    p95Ms: r.p95Ms,
    text: `${ms(r.p95Ms)} (p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, ${formatCount(r.requests)} requests)`,
  }));
  return {
    ...header(
      'Slow pages: p95 response time per route',
      `${formatCount(sum(rows.map((r) => r.requests)))} timed requests on the ${rows.length} routes shown`,
      options,
    ),
    ...rankedBars(
      values,
      { field: 'route', title: 'route' },
      { field: 'p95Ms', title: 'p95 (ms)', label: 'text', format: ',~f' },
      { value: STATUS_CLASS_COLORS['4xx'] },
      options.width ?? CHART_WIDTH - 400,
    ),
  } as ChartSpec;
}
