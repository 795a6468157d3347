/**
 * The top-N jobs' charts: errors by URL and status, top URLs, bytes per route. Bars in the rows'
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
