/**
 * Charts of the batch jobs' results (stage 5), one per built-in job, from the rows the job
 * reports (`loglab mapreduce run --json`): the rows go in as they are, so the CLI's `--out`, the
 * notebooks and a report draw the same picture. `jobChart` picks the chart by job name; the
 * top-N jobs' charts are in batch-top-charts.ts, the per-hour ones in batch-hour-charts.ts.
 *
 * URLs, routes and addresses come from log lines: they reach the SVG only as text that vega
 * escapes, never as markup (test/viz/batch-charts.test.ts renders hostile URLs).
 */
import { BAR_COLOR, type BatchChartOptions, header, sum } from './batch-chart-parts';
import { peakHoursChart, statusPerHourChart, uniqueVisitorsChart } from './batch-hour-charts';
import { bytesPerRouteChart, errorsChart, slowPagesChart, topUrlsChart } from './batch-top-charts';
import type { ChartSpec } from './render';
import { CHART_WIDTH, formatCount, STATUS_CLASS_COLORS } from './theme';

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

/** A bucket of one of the sessions job's two histograms (batch/jobs/sessions.ts). */
export interface SessionsChartRow {
  readonly measure: string;
  readonly bucket: string;
  readonly sessions: number;
  readonly pages: number;
  readonly seconds: number;
}

const SESSION_PANELS = [
  { measure: 'length', title: 'session length' },
  { measure: 'pages', title: 'pages per session' },
] as const;

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
 * The sessions job's two histograms side by side: sessions by length and by pages, a bar per
 * bucket in the job's order, each labelled with its count; the averages over all sessions in
 * the subtitle (exact: the rows carry each bucket's pages and seconds).
 */
export function sessionsChart(
  rows: readonly SessionsChartRow[],
  options: BatchChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    measure: r.measure,
    bucket: r.bucket,
    sessions: r.sessions,
    label: r.sessions === 0 ? '' : formatCount(r.sessions),
  }));
  const lengths = rows.filter((r) => r.measure === 'length');
  const total = sum(lengths.map((r) => r.sessions));
  const average =
    total === 0
      ? 'no sessions'
      : `${formatCount(total)} sessions, ${(sum(lengths.map((r) => r.seconds)) / total / 60).toFixed(1)} min and ${(sum(lengths.map((r) => r.pages)) / total).toFixed(1)} pages on average`;
  const width = Math.round((options.width ?? CHART_WIDTH - 60) / 2) - 30;
  const y = { field: 'sessions', type: 'quantitative' as const };
  return {
    ...header(
      'Sessions: how long, how many pages',
      `${average}; per address and user agent, 30 minutes without a request ends a session`,
      options,
    ),
    data: { values },
    hconcat: SESSION_PANELS.map(({ measure, title }) => {
      const x = {
        field: 'bucket',
        type: 'ordinal' as const,
        sort: rows.filter((r) => r.measure === measure).map((r) => r.bucket),
        title,
        axis: { labelAngle: -35 },
      };
      return {
        width,
        height: 200,
        transform: [{ filter: { field: 'measure', equal: measure } }],
        layer: [
          {
            mark: { type: 'bar' as const, color: BAR_COLOR },
            encoding: { x, y: { ...y, title: 'sessions', axis: { format: ',d' } } },
          },
          {
            mark: {
              type: 'text' as const,
              baseline: 'bottom' as const,
              dy: -2,
              fontSize: 9,
              color: '#333',
            },
            encoding: { x, y, text: { field: 'label' } },
          },
        ],
      };
    }),
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
