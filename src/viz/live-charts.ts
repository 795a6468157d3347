/**
 * The charts of the live web dashboard. Unlike the other charts here they carry no rows: each
 * reads a named data set (LIVE_DATA) that the page fills and refills through vega's View API
 * (`view.change(name, changeset)`), so a chart updates in place, keeping its size and scales'
 * transitions, instead of being embedded again on every frame.
 *
 * Rows the page gives them:
 *   series  { t: epoch ms of the step's start, series: "requests" | "5xx", count }
 *   urls    { key: URL path, count }        ips  { key: client IP, count }
 * Keys come from log lines: vega draws them as text marks (SVG text), never as markup.
 */
import type { ChartSpec } from './render';
import { chartConfig, STATUS_CLASS_COLORS } from './theme';

/** Names of the data sets the live charts read. */
export const LIVE_DATA = { series: 'series', urls: 'urls', ips: 'ips' } as const;

const LIVE_WIDTH = 560;
const REQUESTS_COLOR = '#4a7fc1';
/** Lay the chart out again on every update: axis labels grow as the data does. */
const LIVE_AUTOSIZE = { type: 'pad', resize: true } as const;

/** Requests and 5xx per step (the engine's history), as two lines over event time. */
export function liveSeriesChart(width = LIVE_WIDTH): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Requests and 5xx per minute', subtitle: 'event time, UTC' },
    width,
    height: 180,
    data: { name: LIVE_DATA.series },
    autosize: LIVE_AUTOSIZE,
    mark: { type: 'line', point: { size: 18 }, interpolate: 'monotone' },
    encoding: {
      x: {
        field: 't',
        type: 'temporal',
        scale: { type: 'utc' },
        title: null,
        axis: { format: '%H:%M', labelOverlap: true },
      },
      y: { field: 'count', type: 'quantitative', title: 'lines' },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: ['requests', '5xx'], range: [REQUESTS_COLOR, STATUS_CLASS_COLORS['5xx']] },
        legend: { orient: 'top' },
      },
    },
    config: chartConfig,
  };
}

/** The busiest keys of the newest window as horizontal bars, busiest on top. */
export function liveTopChart(
  name: typeof LIVE_DATA.urls | typeof LIVE_DATA.ips,
  title: string,
  width = LIVE_WIDTH / 2 - 20,
): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width,
    height: { step: 18 },
    data: { name },
    autosize: LIVE_AUTOSIZE,
    mark: { type: 'bar', color: REQUESTS_COLOR },
    encoding: {
      y: {
        field: 'key',
        type: 'nominal',
        sort: '-x',
        title: null,
        axis: { labelLimit: 180 },
      },
      x: { field: 'count', type: 'quantitative', title: 'requests in window' },
    },
    config: chartConfig,
  };
}

/** The three live charts by the element id the page draws them in. */
export function liveCharts(): Record<string, ChartSpec> {
  return {
    'chart-series': liveSeriesChart(),
    'chart-urls': liveTopChart(LIVE_DATA.urls, 'Top URLs in window'),
    'chart-ips': liveTopChart(LIVE_DATA.ips, 'Top IPs in window'),
  };
}
