import { fromStatusMap, type StatusCount, statusClass } from './prepare';
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig, formatCount, STATUS_CLASS_COLORS } from './theme';

export interface StatusChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/**
 * Requests per status code as horizontal bars coloured by class, each labelled with its count
 * and share: 200s dwarf everything else, so the labels carry the small codes.
 */
export function statusMixChart(
  counts: readonly StatusCount[] | Map<number, number> | Record<string | number, number>,
  options: StatusChartOptions = {},
): ChartSpec {
  const rows = Array.isArray(counts)
    ? [...(counts as readonly StatusCount[])].sort((a, b) => a.status - b.status)
    : fromStatusMap(counts as Map<number, number> | Record<string, number>);
  let total = 0;
  let most = 0;
  for (const r of rows) {
    total += r.requests;
    if (r.requests > most) most = r.requests;
  }
  const values = rows.map((r) => ({
    status: String(r.status),
    class: statusClass(r.status),
    requests: r.requests,
    label: `${formatCount(r.requests)} (${total > 0 ? ((100 * r.requests) / total).toFixed(r.requests * 1000 < total ? 2 : 1) : '0'}%)`,
  }));
  const classes = [...new Set(values.map((v) => v.class))].sort();
  const y = {
    field: 'status',
    type: 'nominal' as const,
    sort: values.map((v) => v.status),
    title: 'HTTP status',
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Status mix',
      subtitle: options.subtitle ?? `${formatCount(total)} requests`,
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 140,
    height: { step: 22 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          // Room on the right for the labels of the longest bar.
          x: {
            field: 'requests',
            type: 'quantitative',
            title: 'requests',
            scale: { domain: [0, Math.max(1, most * 1.3)], nice: false },
          },
          color: {
            field: 'class',
            type: 'nominal',
            title: 'class',
            scale: { domain: classes, range: classes.map((c) => STATUS_CLASS_COLORS[c]) },
          },
          tooltip: [
            { field: 'status', title: 'status' },
            { field: 'label', title: 'requests' },
          ],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
        encoding: {
          y,
          x: { field: 'requests', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}
