/**
 * What the charts of the batch jobs share: their options, the title block, and the ranked
 * horizontal bars every top-N job is drawn with.
 */
import { chartConfig } from './theme';

export const BATCH_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const BAR_COLOR = '#4a7fc1';

export interface BatchChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/** The 24 UTC hours "00"–"23", the order of every per-hour chart. */
export const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

export const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** The spec's schema, title and look. */
export function header(text: string, subtitle: string, options: BatchChartOptions) {
  return {
    $schema: BATCH_SCHEMA,
    title: { text: options.title ?? text, subtitle: options.subtitle ?? subtitle },
    config: chartConfig,
  };
}

/**
 * Horizontal bars in the rows' own order (the jobs order them), each labelled with its value:
 * the chart of every top-N job.
 */
export function rankedBars(
  values: Record<string, string | number>[],
  y: { field: string; title: string | null },
  x: { field: string; title: string | null; label: string; format?: string },
  color: object,
  width: number,
): Record<string, unknown> {
  const most = Math.max(1, ...values.map((v) => v[x.field] as number));
  const Y = {
    field: y.field,
    type: 'nominal' as const,
    sort: null,
    title: y.title,
    axis: { labelLimit: 260 },
  };
  return {
    width,
    height: { step: 22 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' as const },
        encoding: {
          y: Y,
          x: {
            field: x.field,
            type: 'quantitative' as const,
            title: x.title,
            scale: { domain: [0, most * 1.25], nice: false },
            axis: { format: x.format ?? ',d' },
          },
          color,
        },
      },
      {
        mark: { type: 'text' as const, align: 'left' as const, dx: 4, fontSize: 10, color: '#333' },
        encoding: {
          y: Y,
          x: { field: x.field, type: 'quantitative' as const },
          text: { field: x.label },
        },
      },
    ],
  };
}
