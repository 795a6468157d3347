/**
 * Charts of the batch jobs' results (stage 5), one per built-in job, from the rows the job
 * reports (`loglab mapreduce run --json`): the rows go in as they are, so the CLI's `--out`, the
 * notebooks and a report draw the same picture. `jobChart` picks the chart by job name; the
 * top-N jobs' charts are in batch-top-charts.ts, the per-hour ones in batch-hour-charts.ts.
 *
 * URLs, routes and addresses come from log lines: they reach the SVG only as text that vega
 * escapes, never as markup (test/viz/batch-charts.test.ts renders hostile URLs).
 */
import { BAR_COLOR, type BatchChartOptions, header } from './batch-chart-parts';
import { peakHoursChart, statusPerHourChart, uniqueVisitorsChart } from './batch-hour-charts';
import { bytesPerRouteChart, errorsChart, slowPagesChart, topUrlsChart } from './batch-top-charts';
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig, formatCount, STATUS_CLASS_COLORS } from './theme';

export type { BatchChartOptions } from './batch-chart-parts';

const FLAGGED_COLOR = STATUS_CLASS_COLORS['5xx'];

/** The ip-anomalies job's cut-off for the robust z-score (batch/jobs/ip-anomalies.ts). */
export const IP_ANOMALY_THRESHOLD = 3.5;
/** Flagged addresses named beside their point, the highest scores first. */
const NAMED_ANOMALIES = 5;

export interface IpAnomaliesChartRow {
  readonly ip: string;
  readonly requests: number;
  readonly errors: number;
  readonly distinctUrls: number;
  readonly score: number;
  readonly flagged: boolean;
}

export interface SessionsChartRow {
  readonly visitors: number;
  readonly sessions: number;
  readonly avgSessionSeconds: number;
  readonly avgPagesPerSession: number;
  readonly maxPagesPerSession: number;
}

/**
 * Every address shown by its requests and robust z-score: the flagged ones in red and named,
 * the job's threshold as a dashed rule.
 */
export function ipAnomaliesChart(
  rows: readonly IpAnomaliesChartRow[],
  options: BatchChartOptions & { threshold?: number } = {},
): ChartSpec {
  const threshold = options.threshold ?? IP_ANOMALY_THRESHOLD;
  const width = options.width ?? CHART_WIDTH - 160;
  // Only the highest flagged addresses are named: a long tail of names would cover each other.
  const named = new Set(
    rows
      .filter((r) => r.flagged)
      .sort((a, b) => b.score - a.score)
      .slice(0, NAMED_ANOMALIES)
      .map((r) => r.ip),
  );
  const values = rows.map((r) => ({
    ip: r.ip,
    requests: r.requests,
    errors: r.errors,
    distinctUrls: r.distinctUrls,
    score: r.score,
    flagged: r.flagged ? 'flagged' : 'not flagged',
    label: named.has(r.ip) ? r.ip : '',
  }));
  const flagged = rows.filter((r) => r.flagged).length;
  const x = { field: 'requests', type: 'quantitative' as const, title: 'requests' };
  const y = { field: 'score', type: 'quantitative' as const, title: 'robust z-score' };
  return {
    ...header(
      'IP anomalies: requests against score',
      `${flagged} of ${rows.length} addresses shown flagged above the threshold ${threshold}`,
      options,
    ),
    width,
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x,
          y,
          color: {
            field: 'flagged',
            type: 'nominal',
            title: null,
            scale: { domain: ['flagged', 'not flagged'], range: [FLAGGED_COLOR, BAR_COLOR] },
          },
          tooltip: [
            { field: 'ip' },
            { field: 'requests', format: ',d' },
            { field: 'errors', format: ',d' },
            { field: 'distinctUrls', title: 'distinct URLs' },
            { field: 'score' },
          ],
        },
      },
      {
        data: { values },
        mark: { type: 'text', align: 'right', dx: -7, fontSize: 10, color: FLAGGED_COLOR },
        encoding: { x, y, text: { field: 'label' } },
      },
      {
        data: { values: [{ threshold, label: `threshold ${threshold}` }] },
        layer: [
          {
            mark: { type: 'rule', color: FLAGGED_COLOR, strokeDash: [6, 4] },
            encoding: { y: { field: 'threshold', type: 'quantitative' } },
          },
          {
            // At the right end: the crowd of ordinary addresses sits at the left, near the line.
            mark: {
              type: 'text',
              align: 'right',
              baseline: 'bottom',
              dy: -3,
              x: width - 4,
              fontSize: 10,
              color: FLAGGED_COLOR,
            },
            encoding: {
              y: { field: 'threshold', type: 'quantitative' },
              text: { field: 'label' },
            },
          },
        ],
      },
    ],
  };
}

/**
 * What the sessions job reports, one row over the whole input, as figures side by side: the job
 * sums its sessions up (no row per session), so there is no distribution to draw.
 */
export function sessionsChart(
  rows: readonly SessionsChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const r = rows[0];
  const values = r
    ? [
        { tile: 0, value: formatCount(r.sessions), what: 'sessions' },
        { tile: 1, value: formatCount(r.visitors), what: 'visitors' },
        { tile: 2, value: `${(r.avgSessionSeconds / 60).toFixed(1)} min`, what: 'average length' },
        { tile: 3, value: String(r.avgPagesPerSession), what: 'pages per session' },
        { tile: 4, value: formatCount(r.maxPagesPerSession), what: 'most pages in one' },
      ]
    : [];
  const x = { field: 'tile', type: 'ordinal' as const, axis: null };
  return {
    ...header(
      'Sessions',
      'per address and user agent; 30 minutes without a request ends a session',
      options,
    ),
    config: { ...chartConfig, view: { stroke: null } },
    width: options.width ?? CHART_WIDTH - 100,
    height: 70,
    data: { values },
    layer: [
      {
        mark: { type: 'text', fontSize: 22, fontWeight: 'bold', color: '#7b5ea7', dy: -8 },
        encoding: { x, text: { field: 'value' } },
      },
      {
        mark: { type: 'text', fontSize: 11, color: '#555', dy: 16 },
        encoding: { x, text: { field: 'what' } },
      },
    ],
  };
}

/** A job's result as the chart drawn for it; undefined for a job of your own. */
export function jobChart(
  result: { readonly name: string; readonly rows: readonly object[] },
  options: BatchChartOptions = {},
): ChartSpec | undefined {
  const rows = result.rows as never[];
  switch (result.name) {
    case 'errors':
      return errorsChart(rows, options);
    case 'peak-hours':
      return peakHoursChart(rows, options);
    case 'top-urls':
      return topUrlsChart(rows, options);
    case 'ip-anomalies':
      return ipAnomaliesChart(rows, options);
    case 'unique-visitors':
      return uniqueVisitorsChart(rows, options);
    case 'bytes-per-route':
      return bytesPerRouteChart(rows, options);
    case 'status-per-hour':
      return statusPerHourChart(rows, options);
    case 'sessions':
      return sessionsChart(rows, options);
    case 'slow-pages':
      return slowPagesChart(rows, options);
    default:
      return undefined;
  }
}

/** The chart of every result that has one, keyed by job name. */
export function jobCharts(
  results: readonly { readonly name: string; readonly rows: readonly object[] }[],
  options: BatchChartOptions = {},
): Record<string, ChartSpec> {
  const out: Record<string, ChartSpec> = {};
  for (const r of results) {
    const chart = jobChart(r, options);
    if (chart !== undefined) out[r.name] = chart;
  }
  return out;
}
