/**
 * Charts of the streaming stage: how a topic's messages spread over its partitions (and how far
 * a consumer group has read each one), and throughput and lag over a live run. They take plain
 * rows (the shapes below): stream.partitionRows and bench.runLiveStream give them as they are.
 */
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig, formatCount } from './theme';

/** One partition's bar: messages stored and, with a group, its committed offset and lag. */
export type PartitionRow = {
  readonly partition: number;
  readonly messages: number;
  /** null without a group (the bar is not split). */
  readonly committed: number | null;
  readonly lag: number;
};

/** One sample of a live run: rates over the interval ending `seconds` after the start. */
export interface StreamPoint {
  readonly seconds: number;
  /** Messages acknowledged per second. */
  readonly produced: number;
  /** Messages consumed per second. */
  readonly consumed: number;
  /** Acknowledged but not yet consumed. */
  readonly lag: number;
}

const READ_COLOR = '#4a7fc1';
const LAG_COLOR = '#e3a23b';
const PRODUCED_COLOR = '#4c9a55';
const CONSUMED_COLOR = '#4a7fc1';

export interface PartitionChartOptions {
  title?: string;
  subtitle?: string;
  /** A partition to point out (the one a hot key lands on, say), with a label under its bar. */
  highlight?: { partition: number; label: string };
  width?: number;
}

/**
 * Messages per partition as vertical bars. When the rows carry a group's committed offsets, each
 * bar is split into what the group has read (committed) and its lag, and labelled with both.
 */
export function partitionChart(
  rows: readonly PartitionRow[],
  options: PartitionChartOptions = {},
): ChartSpec {
  const withGroup = rows.some((r) => r.committed !== null);
  const total = rows.reduce((a, r) => a + r.messages, 0);
  const most = rows.reduce((a, r) => Math.max(a, r.messages), 0);
  const parts = rows.flatMap((r) =>
    withGroup
      ? [
          {
            partition: String(r.partition),
            part: 'read (committed)',
            messages: r.messages - r.lag,
          },
          { partition: String(r.partition), part: 'lag (not yet read)', messages: r.lag },
        ]
      : [{ partition: String(r.partition), part: 'messages', messages: r.messages }],
  );
  // Two lines where there is lag, so neighbouring labels do not run into each other.
  const labels = rows.map((r) => ({
    partition: String(r.partition),
    messages: r.messages,
    count: formatCount(r.messages),
    lag: `lag ${formatCount(r.lag)}`,
    lines: withGroup && r.lag > 0 ? 2 : 1,
  }));
  const x = {
    field: 'partition',
    type: 'ordinal' as const,
    title: 'partition',
    sort: rows.map((r) => String(r.partition)),
    axis: { labelAngle: 0 },
  };
  const marked = options.highlight
    ? labels.filter((l) => l.partition === String(options.highlight?.partition))
    : [];
  const highlight = marked.map((l) => ({
    data: { values: [{ ...l, note: options.highlight?.label ?? '' }] },
    mark: {
      type: 'text' as const,
      baseline: 'bottom' as const,
      dy: -3 - 13 * l.lines,
      fontSize: 11,
      fontWeight: 'bold' as const,
      color: '#8a5a00',
    },
    encoding: {
      x,
      y: { field: 'messages', type: 'quantitative' as const },
      text: { field: 'note' },
    },
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Messages per partition',
      subtitle:
        options.subtitle ??
        `${formatCount(total)} messages in ${rows.length} partition${rows.length === 1 ? '' : 's'}`,
    },
    config: chartConfig,
    width: options.width ?? Math.min(CHART_WIDTH - 160, 70 * Math.max(rows.length, 1)),
    height: 220,
    layer: [
      {
        data: { values: parts },
        mark: { type: 'bar' },
        encoding: {
          x,
          y: {
            field: 'messages',
            type: 'quantitative',
            stack: 'zero',
            title: 'messages',
            axis: { format: ',d' },
            // Room above the tallest bar for its label.
            scale: {
              domain: [0, Math.max(1, most * (options.highlight ? 1.3 : 1.2))],
              nice: false,
            },
          },
          color: withGroup
            ? {
                field: 'part',
                type: 'nominal',
                title: null,
                scale: {
                  domain: ['read (committed)', 'lag (not yet read)'],
                  range: [READ_COLOR, LAG_COLOR],
                },
                legend: { orient: 'top' },
              }
            : { value: READ_COLOR },
          order: { field: 'part', sort: 'descending' },
          tooltip: [
            { field: 'partition', title: 'partition' },
            { field: 'part', title: 'part' },
            { field: 'messages', title: 'messages', format: ',d' },
          ],
        },
      },
      // The count above the bar, and the lag between the two where there is some.
      ...[1, 2].map((lines) => ({
        data: { values: labels.filter((l) => l.lines === lines) },
        mark: {
          type: 'text' as const,
          baseline: 'bottom' as const,
          dy: -3 - 13 * (lines - 1),
          fontSize: 10,
          color: '#333',
        },
        encoding: {
          x,
          y: { field: 'messages', type: 'quantitative' as const },
          text: { field: 'count' },
        },
      })),
      {
        data: { values: labels.filter((l) => l.lines === 2) },
        mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, color: '#8a5a00' },
        encoding: {
          x,
          y: { field: 'messages', type: 'quantitative' },
          text: { field: 'lag' },
        },
      },
      ...highlight,
    ],
  };
}

export interface ThroughputChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/**
 * A live run in two panels on one time axis: messages/s produced and consumed above, the lag
 * (acknowledged but not yet consumed) below. A consumer that keeps up has its line on the
 * producer's and a lag near zero; a slow one falls below and the lag climbs.
 */
export function streamThroughputChart(
  points: readonly StreamPoint[],
  options: ThroughputChartOptions = {},
): ChartSpec {
  let max = 0;
  for (const p of points) max = Math.max(max, p.produced, p.consumed);
  const divisor = max >= 1e6 ? 1e6 : max >= 1e4 ? 1e3 : 1;
  const unit =
    divisor === 1e6 ? 'million messages/s' : divisor === 1e3 ? 'thousand messages/s' : 'messages/s';
  const rates = points.flatMap((p) => [
    { seconds: p.seconds, side: 'produced', rate: p.produced / divisor },
    { seconds: p.seconds, side: 'consumed', rate: p.consumed / divisor },
  ]);
  const x = {
    field: 'seconds',
    type: 'quantitative' as const,
    title: 'time since the start (s)',
    scale: { domainMin: 0, nice: false },
  };
  const width = options.width ?? CHART_WIDTH;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Throughput and lag',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    config: chartConfig,
    spacing: 12,
    resolve: { scale: { x: 'shared' } },
    vconcat: [
      {
        width,
        height: 170,
        data: { values: rates },
        mark: { type: 'line', strokeWidth: 1.5, interpolate: 'step-before' },
        encoding: {
          x: { ...x, title: null },
          y: { field: 'rate', type: 'quantitative', title: unit },
          color: {
            field: 'side',
            type: 'nominal',
            title: null,
            scale: { domain: ['produced', 'consumed'], range: [PRODUCED_COLOR, CONSUMED_COLOR] },
            legend: { orient: 'top' },
          },
          strokeDash: {
            field: 'side',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['produced', 'consumed'],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
          },
        },
      },
      {
        width,
        height: 100,
        data: { values: points as StreamPoint[] },
        mark: { type: 'area', color: LAG_COLOR, opacity: 0.7, interpolate: 'step-before' },
        encoding: {
          x,
          y: {
            field: 'lag',
            type: 'quantitative',
            title: 'lag (messages)',
            axis: { format: ',d' },
          },
        },
      },
    ],
  };
}
