/**
 * Charts of how MapReduce runs, for notebook 05: the records each reducer was sent (skew), the
 * bytes shuffled with and without a combiner, and the wall time of runs side by side. Plain rows
 * in (batch.reducerShares, batch.combinerSavings and batch.runTimes give them as they are).
 */
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig, formatCount } from './theme';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SERIES_COLORS = ['#d1453b', '#4a7fc1', '#4c9a55', '#e3a23b', '#7b5ea7'];

export interface ReducerShareRow {
  readonly series: string;
  readonly reducer: number;
  readonly records: number;
  /** records / all records of the series, 0–1. */
  readonly share: number;
}

export interface CombinerSavingsRow {
  readonly job: string;
  readonly withCombiner: number;
  readonly withoutCombiner: number;
  readonly saved: number;
}

export interface RunTimeRow {
  readonly runner: string;
  readonly seconds: number;
  readonly linesPerSec?: number;
}

export interface MapReduceChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/**
 * Each reducer's share of the records it was sent, grouped per reducer, one bar per series, and
 * the even share (1 / reducers) as a dashed rule: a hot key shows as one bar far above it.
 */
export function reducerShareChart(
  rows: readonly ReducerShareRow[],
  options: MapReduceChartOptions = {},
): ChartSpec {
  const reducers = new Set(rows.map((r) => r.reducer)).size;
  const series = [...new Set(rows.map((r) => r.series))];
  const values = rows.map((r) => ({
    ...r,
    reducer: `reducer ${r.reducer}`,
    label: formatCount(r.records),
  }));
  const x = { field: 'reducer', type: 'nominal' as const, title: null, axis: { labelAngle: 0 } };
  const xOffset = { field: 'series', type: 'nominal' as const, sort: series };
  const y = {
    field: 'share',
    type: 'quantitative' as const,
    title: "share of the series' records",
    axis: { format: '.0%' },
  };
  return {
    $schema: SCHEMA,
    title: {
      text: options.title ?? 'Records per reducer',
      subtitle:
        options.subtitle ??
        `dashed: an even split over ${reducers} reducer${reducers === 1 ? '' : 's'}; labels: records sent`,
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 200,
    height: 220,
    layer: [
      {
        data: { values },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              x,
              xOffset,
              y,
              color: {
                field: 'series',
                type: 'nominal',
                title: null,
                sort: series,
                scale: { domain: series, range: SERIES_COLORS.slice(0, series.length) },
                legend: { orient: 'bottom', direction: 'vertical', labelLimit: 400 },
              },
            },
          },
          {
            mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 9 },
            encoding: { x, xOffset, y, text: { field: 'label' } },
          },
        ],
      },
      {
        data: { values: [{ even: reducers > 0 ? 1 / reducers : 0 }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#555' },
        encoding: { y: { field: 'even', type: 'quantitative' } },
      },
    ],
  };
}

function kb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;
}

/** "−91%", "−99.97%" (two decimals once it rounds to 100), "no saving". */
function savedText(r: CombinerSavingsRow): string {
  if (r.withoutCombiner <= 0 || r.withCombiner >= r.withoutCombiner) return 'no saving';
  const pct = 100 * (1 - r.withCombiner / r.withoutCombiner);
  return `−${pct.toFixed(pct >= 99.5 ? 2 : 0)}%`;
}

/** Bytes shuffled per job with its combiner and without, and what the combiner saved. */
export function combinerSavingsChart(
  rows: readonly CombinerSavingsRow[],
  options: MapReduceChartOptions = {},
): ChartSpec {
  const jobs = rows.map((r) => r.job);
  const values = rows.flatMap((r) => [
    { job: r.job, run: 'without combiner', bytes: r.withoutCombiner, label: kb(r.withoutCombiner) },
    {
      job: r.job,
      run: 'with combiner',
      bytes: r.withCombiner,
      label: `${kb(r.withCombiner)} (${savedText(r)})`,
    },
  ]);
  const most = Math.max(1, ...rows.map((r) => r.withoutCombiner));
  const y = { field: 'job', type: 'nominal' as const, sort: jobs, title: null };
  const yOffset = {
    field: 'run',
    type: 'nominal' as const,
    sort: ['without combiner', 'with combiner'],
  };
  const total = (f: 'withCombiner' | 'withoutCombiner') => rows.reduce((n, r) => n + r[f], 0);
  return {
    $schema: SCHEMA,
    title: {
      text: options.title ?? 'Bytes shuffled, with and without the combiner',
      subtitle:
        options.subtitle ??
        `${kb(total('withoutCombiner'))} without, ${kb(total('withCombiner'))} with`,
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 260,
    height: { step: 14 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          yOffset,
          x: {
            field: 'bytes',
            type: 'quantitative',
            title: 'bytes shuffled',
            scale: { domain: [0, most * 1.35], nice: false },
            axis: { format: '~s' },
          },
          color: {
            field: 'run',
            type: 'nominal',
            title: null,
            scale: { domain: ['without combiner', 'with combiner'], range: ['#aaa', '#4c9a55'] },
            legend: { orient: 'bottom' },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: {
          y,
          yOffset,
          x: { field: 'bytes', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}

/** Wall time per run, each bar labelled with its seconds and lines per second. */
export function runTimesChart(
  rows: readonly RunTimeRow[],
  options: MapReduceChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    runner: r.runner,
    seconds: r.seconds,
    label:
      r.linesPerSec === undefined
        ? `${r.seconds.toFixed(2)} s`
        : `${r.seconds.toFixed(2)} s, ${formatCount(r.linesPerSec)} lines/s`,
  }));
  const most = Math.max(0.001, ...rows.map((r) => r.seconds));
  const y = {
    field: 'runner',
    type: 'nominal' as const,
    sort: null,
    title: null,
    axis: { labelLimit: 260 },
  };
  return {
    $schema: SCHEMA,
    title: {
      text: options.title ?? 'The same jobs on each runner: wall time',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 260,
    height: { step: 26 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#4a7fc1' },
        encoding: {
          y,
          x: {
            field: 'seconds',
            type: 'quantitative',
            title: 'seconds',
            scale: { domain: [0, most * 1.6], nice: false },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: { y, x: { field: 'seconds', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}
