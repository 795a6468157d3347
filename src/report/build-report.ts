/**
 * A run record to its report: the charts it has data for (charts.ts), each rendered to SVG,
 * and the page around them (html.ts). Pure but for the rendering, which needs no browser.
 */
import { type RenderedChart, renderCharts, reportCharts } from './charts';
import { reportHtml } from './html';
import type { RunRecord } from './run-record';

export interface BuiltReport {
  readonly html: string;
  readonly charts: readonly RenderedChart[];
}

export async function buildReport(record: RunRecord): Promise<BuiltReport> {
  const charts = await renderCharts(reportCharts(record));
  return { html: reportHtml(record, charts), charts };
}
