/**
 * Charts of the storage stage: how HDFS keeps a file (blocks and their replicas on DataNodes,
 * the NameNode holding the names), what the lake holds per hour partition, and the archiver's
 * write throughput over a run. Plain rows in (the shapes below; storage.placeBlocks,
 * pipeline.hourPartitionRows and pipeline.progressRecorder give them as they are).
 */
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig, formatCount } from './theme';

/** One copy of one block on one DataNode (storage.placeBlocks). */
export interface BlockReplicaRow {
  readonly block: number;
  readonly replica: number;
  readonly dataNode: number;
  readonly bytes: number;
}

/** One hour partition of the lake (pipeline.hourPartitionRows). */
export interface HourPartitionChartRow {
  readonly hour: string;
  readonly files: number;
  readonly bytes: number;
  readonly lines: number;
}

/** Totals after a roll (pipeline.progressRecorder). */
export interface ArchivePointRow {
  readonly seconds: number;
  readonly lines: number;
  readonly bytes: number;
}

export interface LakeChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
}

/** Top of the DataNodes' first box, in the diagram's units (the NameNode is above). */
const TOP = 2.3;
const BLOCK_COLORS = ['#4a7fc1', '#4c9a55', '#e3a23b', '#7b5ea7', '#d1453b', '#3aa6a6'];
const NODE_COLOR = '#f3f3f3';

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes >= 10 * 1048576 ? 0 : 1)} MB`;
}

/**
 * The NameNode above a row of DataNodes; in each DataNode, one box per block replica it holds,
 * coloured by block, so the same colour on several nodes is one block and its copies. Drawn
 * with rectangles at computed places (no axes): a diagram, not a plot.
 */
export function hdfsBlocksChart(
  replicas: readonly BlockReplicaRow[],
  options: LakeChartOptions & { dataNodes: number; fileName: string },
): ChartSpec {
  const blocks = [...new Set(replicas.map((r) => r.block))].sort((a, b) => a - b);
  const colorOf = (block: number) => BLOCK_COLORS[(block - 1) % BLOCK_COLORS.length];
  const slots = new Map<number, number>();
  const boxes = replicas.map((r) => {
    const slot = slots.get(r.dataNode) ?? 0;
    slots.set(r.dataNode, slot + 1);
    return {
      x: r.dataNode - 1 + 0.08,
      x2: r.dataNode - 0.08,
      y: TOP + slot * 0.8,
      y2: TOP + slot * 0.8 + 0.65,
      cx: r.dataNode - 0.5,
      cy: TOP + slot * 0.8 + 0.325,
      color: colorOf(r.block),
      label: r.replica === 1 ? `block ${r.block}` : `block ${r.block}, copy ${r.replica}`,
    };
  });
  const n = options.dataNodes;
  const rows = Math.max(1, ...slots.values());
  const bottom = TOP + rows * 0.8 + 0.1;
  const replication = Math.max(1, ...replicas.map((r) => r.replica));
  const nodes = Array.from({ length: n }, (_, i) => ({
    x: i + 0.03,
    x2: i + 0.97,
    y: TOP - 0.6,
    y2: bottom,
    cx: i + 0.5,
    cy: TOP - 0.35,
    label: `DataNode ${i + 1}`,
  }));
  const width = options.width ?? CHART_WIDTH - 40;
  const sizes = new Map(replicas.map((r) => [r.block, r.bytes]));
  const text = [
    { cx: 0.03 * n, cy: 0.3, label: 'NameNode: the names and where each block is, no data' },
    { cx: 0.03 * n, cy: 0.68, label: options.fileName },
    {
      cx: 0.03 * n,
      cy: 1.04,
      label: `→ ${blocks.map((b) => `block ${b} (${mb(sizes.get(b) ?? 0)})`).join(', ') || 'no blocks'}; each on ${replication} DataNode${replication === 1 ? '' : 's'}`,
    },
  ];
  const q = (field: string, domain: number[], reverse = false) => ({
    field,
    type: 'quantitative' as const,
    axis: null,
    scale: { domain, reverse, nice: false, zero: false },
  });
  const X = q('x', [0, n]);
  const Y = q('y', [0, bottom], true);
  const rect = (values: object[], mark: object) => ({
    data: { values },
    mark: { type: 'rect' as const, ...mark },
    encoding: { x: X, x2: { field: 'x2' }, y: Y, y2: { field: 'y2' } },
  });
  const label = (values: object[], mark: object) => ({
    data: { values },
    mark: { type: 'text' as const, ...mark },
    encoding: { x: { ...X, field: 'cx' }, y: { ...Y, field: 'cy' }, text: { field: 'label' } },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'How HDFS stores a file',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    config: { ...chartConfig, view: { stroke: null } },
    width,
    height: Math.round(48 * bottom),
    layer: [
      rect([{ x: 0.03 * n - 0.02, x2: n - 0.03, y: 0.05, y2: 1.25 }], {
        color: '#fff4dc',
        stroke: '#c58a00',
        cornerRadius: 4,
      }),
      label([text[0]], { align: 'left', fontSize: 12, fontWeight: 'bold', dx: 6 }),
      label(text.slice(1), { align: 'left', fontSize: 11, dx: 6 }),
      rect(nodes, { color: NODE_COLOR, stroke: '#aaa', cornerRadius: 4 }),
      label(nodes, { fontSize: 11, fontWeight: 'bold', color: '#333' }),
      {
        data: { values: boxes },
        mark: { type: 'rect' as const, cornerRadius: 3 },
        encoding: {
          x: X,
          x2: { field: 'x2' },
          y: Y,
          y2: { field: 'y2' },
          color: { field: 'color', type: 'nominal' as const, scale: null, legend: null },
        },
      },
      label(boxes, { fontSize: 10, color: 'white', fontWeight: 'bold' }),
    ],
  };
}

/** Bytes and lines per hour partition, two panels on one axis of hours. */
export function hourPartitionChart(
  rows: readonly HourPartitionChartRow[],
  options: LakeChartOptions = {},
): ChartSpec {
  const values = rows.map((r) => ({
    hour: r.hour
      .replace('date=', '')
      .replace('/hour=', ' ')
      .concat(r.hour === 'deadletter' ? '' : 'h'),
    kb: r.bytes / 1024,
    lines: r.lines,
    files: r.files,
  }));
  const order = values.map((v) => v.hour);
  const x = { field: 'hour', type: 'ordinal' as const, sort: order, title: null };
  const width = options.width ?? Math.min(CHART_WIDTH, Math.max(200, 60 * rows.length));
  const totalLines = rows.reduce((a, r) => a + r.lines, 0);
  const totalBytes = rows.reduce((a, r) => a + r.bytes, 0);
  const panel = (field: 'kb' | 'lines', title: string, color: string, bottom: boolean) => ({
    width,
    height: 130,
    data: { values },
    layer: [
      {
        mark: { type: 'bar' as const, color },
        encoding: {
          x: bottom ? { ...x, axis: { labelAngle: -30 } } : { ...x, axis: null },
          y: { field, type: 'quantitative' as const, title, axis: { format: ',d' } },
          tooltip: [
            { field: 'hour' },
            { field: 'files', title: 'files' },
            { field: 'lines', title: 'lines', format: ',d' },
            { field: 'kb', title: 'KB', format: ',.1f' },
          ],
        },
      },
      {
        mark: { type: 'text' as const, baseline: 'bottom' as const, dy: -2, fontSize: 9 },
        encoding: {
          x,
          y: { field, type: 'quantitative' as const },
          text: { field, type: 'quantitative' as const, format: ',d' },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'What the lake holds per hour partition',
      subtitle:
        options.subtitle ??
        `${formatCount(totalLines)} lines, ${mb(totalBytes)} in ${rows.reduce((a, r) => a + r.files, 0)} files`,
    },
    config: chartConfig,
    spacing: 8,
    vconcat: [panel('kb', 'KB', '#4a7fc1', false), panel('lines', 'lines', '#4c9a55', true)],
  };
}

/** Lines archived over time (one point per roll), with the rate of the whole run. */
export function archiveProgressChart(
  points: readonly ArchivePointRow[],
  options: LakeChartOptions = {},
): ChartSpec {
  const last = points[points.length - 1] ?? { seconds: 0, lines: 0, bytes: 0 };
  const rate = last.seconds > 0 ? last.lines / last.seconds : 0;
  const mbps = last.seconds > 0 ? last.bytes / 1048576 / last.seconds : 0;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Archiver write throughput',
      subtitle:
        options.subtitle ??
        `${formatCount(last.lines)} lines in ${last.seconds.toFixed(2)} s: ${formatCount(rate)} lines/s, ${mbps.toFixed(1)} MB/s`,
    },
    config: chartConfig,
    width: options.width ?? CHART_WIDTH - 80,
    height: 200,
    data: { values: points as ArchivePointRow[] },
    mark: { type: 'line', point: { size: 18 }, interpolate: 'linear', color: '#4a7fc1' },
    encoding: {
      x: {
        field: 'seconds',
        type: 'quantitative',
        title: 'time since the start (s)',
        scale: { domainMin: 0, nice: false },
      },
      y: {
        field: 'lines',
        type: 'quantitative',
        title: 'lines in the lake',
        axis: { format: ',d' },
      },
      tooltip: [
        { field: 'seconds', format: '.2f' },
        { field: 'lines', format: ',d' },
        { field: 'bytes', format: ',d' },
      ],
    },
  };
}
