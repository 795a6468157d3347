/**
 * The bench chart: throughput per task, from a benchmark report. It takes the report as plain
 * rows (the shapes below); src/bench's reports have that shape as they are.
 */
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig } from './theme';

/** One measured task: its name, its block, ops/s and the throughputs in domain units it has. */
export interface BenchChartRow {
  readonly name: string;
  readonly group: string;
  readonly opsPerSec: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rmePct: number;
  readonly linesPerSec?: number;
  readonly mbPerSec?: number;
  readonly messagesPerSec?: number;
  readonly eventsPerSec?: number;
}

/** What the chart reads of a report: its rows, the ratios between them, where it was measured. */
export interface BenchChartReport {
  readonly stage: string;
  /** ISO 8601. */
  readonly date: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly rows: readonly BenchChartRow[];
  /** `subject` ran `value` times as fast as `baseline` (task names). */
  readonly ratios: readonly {
    readonly subject: string;
    readonly baseline: string;
    readonly value: number;
  }[];
}

/** Which throughput a bench chart draws; each is a domain unit of `BenchChartRow`. */
export type BenchMetric = 'lines' | 'bytes' | 'messages' | 'events' | 'ops';

export interface BenchChartOptions {
  /** Default: the first of lines, bytes, messages, events that every row has; else ops. */
  metric?: BenchMetric;
  /**
   * Rows that are the yardstick (a regex parser, GoAccess), drawn grey. Default: every row a
   * ratio of the report names as its baseline.
   */
  baselines?: readonly string[];
  title?: string;
  width?: number;
}

const METRICS: Record<BenchMetric, { field: keyof BenchChartRow; unit: string }> = {
  lines: { field: 'linesPerSec', unit: 'lines/s' },
  bytes: { field: 'mbPerSec', unit: 'MB/s' },
  messages: { field: 'messagesPerSec', unit: 'messages/s' },
  events: { field: 'eventsPerSec', unit: 'events/s' },
  ops: { field: 'opsPerSec', unit: 'ops/s' },
};

function pickMetric(rows: readonly BenchChartRow[]): BenchMetric {
  for (const m of ['lines', 'bytes', 'messages', 'events'] as const) {
    const field = METRICS[m].field;
    if (rows.length > 0 && rows.every((r) => typeof r[field] === 'number')) return m;
  }
  return 'ops';
}

/** Large throughputs read better in millions or thousands; MB/s stays as it is. */
function scaleFor(max: number, metric: BenchMetric): { divisor: number; prefix: string } {
  if (metric === 'bytes') return { divisor: 1, prefix: '' };
  if (max >= 1e6) return { divisor: 1e6, prefix: 'million ' };
  if (max >= 1e4) return { divisor: 1e3, prefix: 'thousand ' };
  return { divisor: 1, prefix: '' };
}

function formatValue(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: v >= 100 ? 0 : v >= 10 ? 1 : 2 });
}

/**
 * Throughput per task as horizontal bars, one block per `row.group` (a log format, a workload),
 * each bar named by its task, baselines in grey, each labelled with its value and, where the
 * report has a ratio for it, how many times the baseline it is.
 */
export function benchChart(report: BenchChartReport, options: BenchChartOptions = {}): ChartSpec {
  const metric = options.metric ?? pickMetric(report.rows);
  const { field, unit } = METRICS[metric];
  const baselines = new Set(options.baselines ?? report.ratios.map((r) => r.baseline));
  const ratioOf = new Map<string, number>();
  for (const r of report.ratios) ratioOf.set(r.subject, r.value);
  let max = 0;
  for (const row of report.rows) max = Math.max(max, (row[field] as number | undefined) ?? 0);
  const { divisor, prefix } = scaleFor(max, metric);
  const values = report.rows.map((row) => {
    const raw = (row[field] as number | undefined) ?? 0;
    const value = raw / divisor;
    const times = ratioOf.get(row.name);
    return {
      group: row.group,
      task: row.name,
      role: baselines.has(row.name) ? 'baseline' : 'measured',
      value,
      label: `${formatValue(value)}${times === undefined ? '' : `  (${times.toFixed(1)}x)`}`,
      rme: `±${row.rmePct.toFixed(1)}%`,
    };
  });
  const groups = [...new Set(values.map((v) => v.group))];
  const y = {
    field: 'task',
    type: 'nominal' as const,
    sort: null,
    title: null,
    axis: { labelLimit: 260 },
  };
  const axisTitle = `throughput (${prefix}${unit})`;
  const m = report.machine;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? `${report.stage}: throughput`,
      // The key to the grey only where a grey bar is drawn.
      subtitle: `${m.cpu}, ${m.cores} cores, Node ${m.node} · ${report.date.slice(0, 10)}${values.some((v) => v.role === 'baseline') ? ' · grey = baseline' : ''}`,
    },
    config: chartConfig,
    spacing: 8,
    resolve: { scale: { x: 'shared', y: 'independent' } },
    // One block per group, each only as tall as its own tasks; the x axis only under the last.
    vconcat: groups.map((group, i) => {
      const last = i === groups.length - 1;
      return {
        title: {
          text: group,
          fontSize: 12,
          anchor: 'start' as const,
          frame: 'group' as const,
          offset: 4,
        },
        width: options.width ?? CHART_WIDTH - 240,
        height: { step: 20 },
        data: { values: values.filter((v) => v.group === group) },
        encoding: { y },
        layer: [
          {
            mark: { type: 'bar' as const },
            encoding: {
              x: {
                field: 'value',
                type: 'quantitative' as const,
                title: last ? axisTitle : null,
                axis: last ? {} : { labels: false, ticks: false, domain: false },
                // Room on the right for the labels of the longest bar.
                scale: { domain: [0, Math.max(max / divisor, 1e-9) * 1.3], nice: false },
              },
              color: {
                field: 'role',
                type: 'nominal' as const,
                scale: {
                  domain: ['measured', 'baseline'],
                  range: [MEASURED_COLOR, BASELINE_COLOR],
                },
                legend: null,
              },
              tooltip: [
                { field: 'task', title: 'task' },
                { field: 'label', title: axisTitle },
                { field: 'rme', title: 'margin of error' },
              ],
            },
          },
          {
            mark: {
              type: 'text' as const,
              align: 'left' as const,
              dx: 4,
              fontSize: 10,
              color: '#333',
            },
            encoding: {
              x: { field: 'value', type: 'quantitative' as const },
              text: { field: 'label' },
            },
          },
        ],
      };
    }),
  };
}

const MEASURED_COLOR = '#4a7fc1';
const BASELINE_COLOR = '#a7a7a7';
