/**
 * Charts of the end-to-end report that a notebook can show as well: requests per hour by status
 * class, a top-N list as bars, detection quality per incident kind, and the throughput of each
 * stage. They take plain rows; text in them (URLs, addresses) is data, which vega writes into
 * the SVG escaped.
 */
import { type StatusClass, statusClass } from './prepare';
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig, formatCount, STATUS_CLASS_COLORS } from './theme';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Requests of one UTC clock hour (0–23) with one status code, or with `status: null` when the
 * statuses of that hour are not known (the summary's hourly counts): such bars are drawn unsplit.
 */
export interface HourStatusRow {
  readonly hour: number;
  readonly status: number | null;
  readonly requests: number;
}

/** The class of bars whose status is not known, in the neutral colour of the top charts. */
const ALL = 'all';
const classColor = (c: string) => (c === ALL ? STATUS_CLASS_COLORS['3xx'] : STATUS_CLASS_COLORS[c]);

export interface ReportChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/**
 * Requests per UTC hour as bars stacked by status class, the busiest hour labelled: the seed's
 * "peak usage" (`18:00 1000`) with the errors of each hour in view.
 */
export function hourlyStatusChart(
  rows: readonly HourStatusRow[],
  options: ReportChartOptions = {},
): ChartSpec {
  const byHourClass = new Map<
    string,
    { hour: string; class: StatusClass | typeof ALL; requests: number }
  >();
  const perHour = new Array<number>(24).fill(0);
  for (const r of rows) {
    const hour = `${String(r.hour).padStart(2, '0')}:00`;
    const cls = r.status === null ? ALL : statusClass(r.status);
    const id = `${hour} ${cls}`;
    const cell = byHourClass.get(id) ?? { hour, class: cls, requests: 0 };
    cell.requests += r.requests;
    byHourClass.set(id, cell);
    if (r.hour >= 0 && r.hour < 24) perHour[r.hour] += r.requests;
  }
  const values = [...byHourClass.values()].sort(
    (a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : 0) || (a.class < b.class ? -1 : 1),
  );
  const classes = [...new Set(values.map((v) => v.class))].sort();
  let peak = 0;
  for (let h = 1; h < 24; h++) if (perHour[h] > perHour[peak]) peak = h;
  const total = perHour.reduce((a, b) => a + b, 0);
  const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);
  const x = { field: 'hour', type: 'ordinal' as const, sort: hours, title: 'hour (UTC)' };
  return {
    $schema: SCHEMA,
    title: {
      text: options.title ?? 'Requests per hour',
      subtitle:
        options.subtitle ??
        (total > 0
          ? `peak ${hours[peak]} with ${formatCount(perHour[peak])} requests, of ${formatCount(total)}`
          : 'no requests'),
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'bar' },
        encoding: {
          x: { ...x, scale: { domain: hours }, axis: { labelAngle: -45 } },
          y: {
            field: 'requests',
            type: 'quantitative',
            stack: 'zero',
            title: 'requests',
            axis: { format: ',d' },
          },
          color: {
            field: 'class',
            type: 'nominal',
            title: 'status',
            scale: { domain: classes, range: classes.map(classColor) },
            // Unsplit bars have one colour and nothing to tell apart.
            ...(classes.length === 1 && classes[0] === ALL ? { legend: null } : {}),
          },
          order: { field: 'class', sort: 'descending' },
          tooltip: [
            { field: 'hour', title: 'hour' },
            { field: 'class', title: 'status' },
            { field: 'requests', title: 'requests', format: ',d' },
          ],
        },
      },
      {
        data: { values: total > 0 ? [{ hour: hours[peak], requests: perHour[peak] }] : [] },
        mark: { type: 'text', dy: -6, fontSize: 10, fontWeight: 'bold', color: '#333' },
        encoding: {
          x: { ...x, scale: { domain: hours } },
          y: { field: 'requests', type: 'quantitative' },
          text: { value: 'peak' },
        },
      },
    ],
  };
}

/** A key and its count, in the order to draw (most first). */
export interface KeyValueRow {
  readonly key: string;
  readonly value: number;
}

export interface TopChartOptions extends ReportChartOptions {
  /** What the value counts, for the axis ("hits", "requests"). */
  measure?: string;
  color?: string;
  /** Longer keys are cut with "…" (the table beside it has them whole). Default 48. */
  maxKeyLength?: number;
}

/** A top-N list as horizontal bars, each labelled with its count. */
export function topBarChart(
  rows: readonly KeyValueRow[],
  options: TopChartOptions = {},
): ChartSpec {
  const max = options.maxKeyLength ?? 48;
  let most = 0;
  // Keys are cut for the axis; two cut keys alike get a rank so that they stay two bars.
  const values = rows.map((r, i) => {
    if (r.value > most) most = r.value;
    const label = r.key.length > max ? `${r.key.slice(0, max - 1)}…` : r.key;
    return { rank: i + 1, label: `${i + 1}. ${label}`, key: r.key, value: r.value };
  });
  const y = {
    field: 'label',
    type: 'nominal' as const,
    sort: values.map((v) => v.label),
    title: null,
    // Room for the key as cut above; vega's own limit (180 px) would cut it again.
    axis: { labelLimit: 320 },
  };
  return {
    $schema: SCHEMA,
    title: {
      text: options.title ?? 'Top keys',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 300,
    height: { step: 20 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: options.color ?? STATUS_CLASS_COLORS['3xx'] },
        encoding: {
          y,
          x: {
            field: 'value',
            type: 'quantitative',
            title: options.measure ?? 'count',
            scale: { domain: [0, Math.max(1, most * 1.2)], nice: false },
            axis: { format: ',d' },
          },
          tooltip: [
            { field: 'key', title: 'key' },
            { field: 'value', title: options.measure ?? 'count', format: ',d' },
          ],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
        encoding: {
          y,
          x: { field: 'value', type: 'quantitative' },
          text: { field: 'value', format: ',d' },
        },
      },
    ],
  };
}

/** Precision and recall of one incident kind (null: undefined, not drawn). */
export interface KindQualityRow {
  readonly kind: string;
  readonly precision: number | null;
  readonly recall: number | null;
}

/** Precision and recall side by side for each incident kind, on a 0–1 scale. */
export function detectionQualityChart(
  rows: readonly KindQualityRow[],
  options: ReportChartOptions = {},
): ChartSpec {
  const values = rows.flatMap((r) =>
    (['precision', 'recall'] as const)
      .filter((m) => r[m] !== null)
      .map((m) => ({ kind: r.kind, measure: m, value: r[m] as number })),
  );
  return {
    $schema: SCHEMA,
    title: {
      text: options.title ?? 'Detection quality per incident kind',
      subtitle: options.subtitle ?? 'alerts scored against the ground truth',
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 240,
    height: { step: 16 },
    data: { values },
    encoding: {
      y: { field: 'kind', type: 'nominal', title: null },
      yOffset: { field: 'measure', sort: ['precision', 'recall'] },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x: {
            field: 'value',
            type: 'quantitative',
            title: null,
            scale: { domain: [0, 1.15] },
            axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.2f' },
          },
          color: {
            field: 'measure',
            type: 'nominal',
            title: null,
            scale: { domain: ['precision', 'recall'], range: ['#4a7fc1', '#4c9a55'] },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' },
        encoding: {
          x: { field: 'value', type: 'quantitative' },
          text: { field: 'value', format: '.2f' },
        },
      },
    ],
  };
}

/** One stage of a run: lines it read in how many seconds. */
export interface StageThroughputRow {
  readonly stage: string;
  readonly lines: number;
  readonly seconds: number;
}

/** Lines per second of each stage as bars, labelled with lines and seconds. */
export function stageThroughputChart(
  rows: readonly StageThroughputRow[],
  options: ReportChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => {
    const rate = r.seconds > 0 ? r.lines / r.seconds : 0;
    return {
      stage: r.stage,
      rate,
      label: `${formatCount(rate)} lines/s (${formatCount(r.lines)} lines in ${r.seconds.toFixed(2)} s)`,
    };
  });
  const most = Math.max(1, ...values.map((v) => v.rate));
  const y = {
    field: 'stage',
    type: 'nominal' as const,
    sort: values.map((v) => v.stage),
    title: null,
  };
  return {
    $schema: SCHEMA,
    title: {
      text: options.title ?? 'Throughput per stage',
      subtitle: options.subtitle ?? 'lines per second, wall clock, each stage on its own',
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 120,
    height: { step: 26 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#4c9a55' },
        encoding: {
          y,
          x: {
            field: 'rate',
            type: 'quantitative',
            title: 'lines per second',
            // Room on the right for the longest label.
            scale: { domain: [0, most * 1.9], nice: false },
            axis: { format: '~s' },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
        encoding: { y, x: { field: 'rate', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}
