/**
 * Box-and-arrow diagrams (notebook 00's pipeline and scale-out pictures): boxes on a grid of
 * columns and rows, coloured by where they run, with arrows between them. Drawn in vega-lite
 * like the HDFS diagram (lake-charts.ts), so labels are text nodes that vega escapes, never
 * markup: a name from anywhere shows as written.
 */
import type { ChartSpec } from './render';
import { CHART_WIDTH, chartConfig } from './theme';

/** One box: its place on the grid, a bold title, up to three lines under it. */
export interface DiagramBox {
  readonly id: string;
  readonly column: number;
  readonly row: number;
  readonly title: string;
  readonly lines?: readonly string[];
  /** Where it runs (a process, a service): the colour, and the legend's entry. */
  readonly where: string;
}

export interface DiagramLink {
  readonly from: string;
  readonly to: string;
}

export interface DiagramOptions {
  title?: string;
  subtitle?: string;
  width?: number;
  /** Pixels per grid row (110). */
  rowHeight?: number;
}

const PALETTE = ['#dbe8f7', '#e3f1de', '#fff0cf', '#efe3f5', '#fbe1de', '#dff2f2'];
const STROKES = ['#4a7fc1', '#4c9a55', '#c58a00', '#7b5ea7', '#d1453b', '#3aa6a6'];
/** A box's half width and half height, in grid units. */
const HALF_W = 0.44;
const HALF_H = 0.36;

/** Where an arrow from box a to box b starts and ends: the edges that face each other. */
function arrowEnds(a: DiagramBox, b: DiagramBox) {
  const ax = a.column + 0.5;
  const ay = a.row + 0.5;
  const bx = b.column + 0.5;
  const by = b.row + 0.5;
  if (a.column === b.column) {
    const down = by > ay ? 1 : -1;
    return { x: ax, y: ay + down * HALF_H, x2: bx, y2: by - down * HALF_H };
  }
  const right = bx > ax ? 1 : -1;
  return { x: ax + right * HALF_W, y: ay, x2: bx - right * HALF_W, y2: by };
}

function textLayer(values: readonly object[], fontWeight: 'bold' | 'normal', X: object, Y: object) {
  return {
    data: { values },
    mark: {
      type: 'text' as const,
      fontSize: 10.5,
      fontWeight,
      baseline: 'middle' as const,
    },
    encoding: { x: { ...X, field: 'x' }, y: { ...Y, field: 'y' }, text: { field: 'text' } },
  };
}

/** The diagram's spec; a link naming a box that is not there is an error. */
export function boxDiagram(
  boxes: readonly DiagramBox[],
  links: readonly DiagramLink[],
  options: DiagramOptions = {},
): ChartSpec {
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const columns = Math.max(1, ...boxes.map((b) => b.column + 1));
  const rows = Math.max(1, ...boxes.map((b) => b.row + 1));
  const width = options.width ?? CHART_WIDTH;
  const height = rows * (options.rowHeight ?? 110);
  const wheres = [...new Set(boxes.map((b) => b.where))];
  const colour = (w: string) => wheres.indexOf(w) % PALETTE.length;
  const rects = boxes.map((b) => ({
    x: b.column + 0.5 - HALF_W,
    x2: b.column + 0.5 + HALF_W,
    y: b.row + 0.5 - HALF_H,
    y2: b.row + 0.5 + HALF_H,
    where: b.where,
    stroke: STROKES[colour(b.where)],
  }));
  const texts = boxes.flatMap((b) => {
    const lines = b.lines ?? [];
    const top = b.row + 0.5 - (lines.length * 0.16) / 2 - 0.02;
    return [
      { x: b.column + 0.5, y: top, text: b.title, bold: true },
      ...lines.map((text, i) => ({
        x: b.column + 0.5,
        y: top + 0.17 * (i + 1),
        text,
        bold: false,
      })),
    ];
  });
  // Arrow heads turn with their arrow, in pixels: a grid unit is not as wide as it is high.
  const xUnit = width / columns;
  const yUnit = height / rows;
  const arrows = links.map((l) => {
    const a = byId.get(l.from);
    const b = byId.get(l.to);
    if (a === undefined || b === undefined) {
      throw new Error(`boxDiagram: the link ${l.from} → ${l.to} names a box that is not there`);
    }
    const e = arrowEnds(a, b);
    const angle = (Math.atan2((e.y2 - e.y) * yUnit, (e.x2 - e.x) * xUnit) * 180) / Math.PI;
    return { ...e, angle: Math.round(angle) };
  });
  const X = {
    type: 'quantitative' as const,
    axis: null,
    scale: { domain: [0, columns], nice: false, zero: false },
  };
  const Y = {
    type: 'quantitative' as const,
    axis: null,
    scale: { domain: [0, rows], nice: false, zero: false, reverse: true },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'The pipeline',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    config: { ...chartConfig, view: { stroke: null } },
    width,
    height,
    layer: [
      {
        data: { values: arrows },
        mark: { type: 'rule', color: '#666', strokeWidth: 1.5 },
        encoding: {
          x: { ...X, field: 'x' },
          y: { ...Y, field: 'y' },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
        },
      },
      {
        data: { values: arrows },
        mark: { type: 'point', shape: 'triangle-right', filled: true, color: '#666', size: 70 },
        encoding: {
          x: { ...X, field: 'x2' },
          y: { ...Y, field: 'y2' },
          angle: { field: 'angle', type: 'quantitative', scale: null },
        },
      },
      {
        data: { values: rects },
        mark: { type: 'rect', cornerRadius: 5, strokeWidth: 1.2 },
        encoding: {
          x: { ...X, field: 'x' },
          x2: { field: 'x2' },
          y: { ...Y, field: 'y' },
          y2: { field: 'y2' },
          fill: {
            field: 'where',
            type: 'nominal',
            title: 'runs in',
            scale: { domain: wheres, range: wheres.map((w) => PALETTE[colour(w)]) },
            legend: { orient: 'bottom', direction: 'vertical', labelLimit: width },
          },
          stroke: { field: 'stroke', type: 'nominal', scale: null, legend: null },
        },
      },
      textLayer(
        texts.filter((t) => t.bold),
        'bold',
        X,
        Y,
      ),
      textLayer(
        texts.filter((t) => !t.bold),
        'normal',
        X,
        Y,
      ),
    ],
  };
}
