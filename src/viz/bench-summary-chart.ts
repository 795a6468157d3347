/**
 * The summary chart of BENCHMARKS.md: each target's latest figure as a share of its bound, so
 * targets in different units (lines/s, ratios, MB, ms) sit on one axis, with the line at 1 where
 * the bound is; a log axis, so half the target and twice it sit equally far from the line. Dots,
 * not bars: a bar on a log axis has no zero to start from. Takes plain rows (src/bench's judged targets have that shape).
 */
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig } from './theme';

export interface BenchSummaryRow {
  /** A few words naming the target. */
  readonly label: string;
  /** figure ÷ bound ('at least' targets) or bound ÷ figure ('at most'): ≥ 1 is met. */
  readonly share: number;
  readonly met: boolean;
  /** The figure as the page writes it, e.g. "2.37 M lines/s". */
  readonly figure: string;
}

export function benchSummaryChart(
  rows: readonly BenchSummaryRow[],
  options: { title?: string; subtitle?: string } = {},
): ChartSpec {
  const values = rows.map((r) => ({
    target: r.label,
    share: Math.round(r.share * 1000) / 1000,
    status: r.met ? 'met' : 'not met',
    figure: r.figure,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Benchmarks against their targets',
      subtitle: options.subtitle ?? 'latest results file of each stage; 1 = the target',
    },
    width: CHART_WIDTH - 300,
    config: chartConfig,
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          y: {
            field: 'target',
            type: 'nominal',
            sort: null,
            title: null,
            axis: { labelLimit: 280 },
          },
          x: {
            field: 'share',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'measured / target (log scale)',
          },
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: ['met', 'not met'], range: ['#4c9a55', '#d1453b'] },
            title: null,
          },
          tooltip: [
            { field: 'target', type: 'nominal' },
            { field: 'figure', type: 'nominal' },
            { field: 'share', type: 'quantitative', format: '.2f' },
          ],
        },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: 'rule', color: '#333', strokeDash: [4, 3] },
        encoding: { x: { field: 'one', type: 'quantitative' } },
      },
    ],
  };
}
