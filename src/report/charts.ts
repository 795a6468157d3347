/**
 * The charts of a report, from a run record: which ones it has and the vega-lite spec of each
 * (all from src/viz, so the report, notebooks and slides show the same pictures), then each one
 * rendered to SVG for the page and to PNG for slides.
 */
import {
  alertTimelineChart,
  type ChartSpec,
  detectionQualityChart,
  type HourStatusRow,
  hourlyStatusChart,
  renderSvg,
  stageThroughputChart,
  statusMixChart,
  svgToPng,
  topBarChart,
} from '../viz/index';
import { markPng } from './png-mark';
import { alertSpanRows } from './rows';
import type { RunRecord } from './run-record';

/** Every chart a report can have, in the order of the page; a record has data for some. */
export const REPORT_CHART_IDS = [
  'requests-per-hour',
  'status-mix',
  'top-urls',
  'alert-timeline',
  'detection-quality',
  'throughput',
] as const;

export interface ReportChart {
  /** A file-name-safe id: the PNG's name and the anchor in the page. */
  readonly id: string;
  readonly spec: ChartSpec;
}

export interface RenderedChart extends ReportChart {
  readonly svg: string;
}

/** Width of a chart that has a panel's whole width to itself (the page is ~1100 px wide). */
const WIDE = 900;

/** Requests per hour and status, from the status-per-hour job; else the summary's hourly counts. */
function hourRows(record: RunRecord): HourStatusRow[] {
  const job = record.batch?.jobs.find((j) => j.name === 'status-per-hour');
  if (job !== undefined) {
    return job.rows.map((r) => ({
      hour: Number(r.hour),
      status: Number(r.status),
      requests: Number(r.requests),
    }));
  }
  // Without the batch jobs the status of each hour is not known: one bar per hour, unsplit.
  return record.summary.hourly.map((requests, hour) => ({ hour, status: null, requests }));
}

/** The charts a record has data for, in the order of the page. */
export function reportCharts(record: RunRecord): ReportChart[] {
  const { summary, detection } = record;
  const charts: ReportChart[] = [
    { id: 'requests-per-hour', spec: hourlyStatusChart(hourRows(record), { width: WIDE }) },
    { id: 'status-mix', spec: statusMixChart(summary.statusCodes) },
  ];
  if (summary.topUrls.length > 0) {
    charts.push({
      id: 'top-urls',
      spec: topBarChart(
        summary.topUrls.map((u) => ({ key: u.key, value: u.hits })),
        { title: 'Top URLs', subtitle: 'requests per URL, all methods', measure: 'hits' },
      ),
    });
  }
  const truth = record.truth ?? [];
  if (detection.alerts.length > 0 || truth.length > 0) {
    const span =
      summary.firstTime !== null && summary.lastTime !== null
        ? { start: Date.parse(summary.firstTime), end: Date.parse(summary.lastTime) }
        : undefined;
    charts.push({
      id: 'alert-timeline',
      spec: alertTimelineChart(truth, alertSpanRows(detection.alerts), { span, width: WIDE - 200 }),
    });
  }
  if (record.evaluation !== null) {
    charts.push({
      id: 'detection-quality',
      spec: detectionQualityChart(
        record.evaluation.kinds.map((k) => ({
          kind: k.incidentKind,
          precision: k.precision,
          recall: k.recall,
        })),
      ),
    });
  }
  if (record.stages.length > 0) {
    charts.push({
      id: 'throughput',
      spec: stageThroughputChart(
        record.stages.map((s) => ({ stage: s.name, lines: s.lines, seconds: s.seconds })),
      ),
    });
  }
  return charts;
}

/**
 * Ids inside an SVG (clip paths, gradients) made unique to the chart: many SVGs inline in one
 * page share one id space, and a second `clip1` would clip with the first chart's shape.
 *
 * Only attributes inside tags are rewritten, never text: a URL from a log line such as
 * `/a id="x" href="#y"` is drawn as a text node and must stay as it was. Vega writes `<`, `>` and
 * `"` inside attribute values as entities, so a tag ends at the first `>` and a value at the
 * first `"`.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg.replace(/<[^>]*>/g, (tag) =>
    tag
      .replace(/(\sid)="([^"]+)"/g, `$1="${prefix}-$2"`)
      .replace(/(\s(?:xlink:)?href)="#([^"]+)"/g, `$1="#${prefix}-$2"`)
      .replace(
        /(\s(?:clip-path|fill|stroke|mask|filter|marker-start|marker-mid|marker-end))="url\(#([^)"]+)\)"/g,
        `$1="url(#${prefix}-$2)"`,
      ),
  );
}

/** Every chart rendered to SVG (vega in Node: no browser, no script in the page). */
export async function renderCharts(
  charts: readonly ReportChart[],
  onRendered?: (done: number, total: number) => void,
): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of charts) {
    out.push({ ...c, svg: scopeSvgIds(await renderSvg(c.spec), c.id) });
    onRendered?.(out.length, charts.length);
  }
  return out;
}

/**
 * A chart as PNG bytes for a slide: twice the SVG's size, sharp on a projector; marked as
 * loglab's (png-mark.ts), so that drawing the report again may write over it.
 */
export function chartPng(chart: RenderedChart): Buffer {
  return markPng(svgToPng(chart.svg, { scale: 2 }));
}
