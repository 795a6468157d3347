/**
 * viz.boxDiagram: boxes and arrows at exact places, arrow heads turned in pixels, colours by
 * where a box runs, and labels drawn as text that vega escapes.
 */
import { describe, expect, it } from 'vitest';
import { boxDiagram, type DiagramBox } from '../../src/viz/architecture-charts';
import { renderSvg } from '../../src/viz/render';

type Layer = { data: { values: Record<string, unknown>[] }; mark: { type: string } };

const boxes: DiagramBox[] = [
  { id: 'a', column: 0, row: 0, title: 'generate', lines: ['one', 'two'], where: 'node' },
  { id: 'b', column: 1, row: 1, title: 'broker', where: 'kafka' },
  { id: 'c', column: 1, row: 0, title: '<script>alert(1)</script>', where: 'node' },
];

describe('boxDiagram', () => {
  const spec = boxDiagram(
    boxes,
    [
      { from: 'a', to: 'b' },
      { from: 'c', to: 'b' },
    ],
    { width: 400, rowHeight: 100, title: 'T' },
  );
  const layers = (spec as unknown as { layer: Layer[] }).layer;

  it('sizes the view by the grid', () => {
    const size = spec as unknown as { width: number; height: number };
    expect([size.width, size.height]).toEqual([400, 200]);
    expect(layers.map((l) => l.mark.type)).toEqual(['rule', 'point', 'rect', 'text', 'text']);
  });

  it('draws an arrow between facing edges, its head turned in pixels', () => {
    expect(layers[0].data.values).toEqual([
      // a (0,0) → b (1,1): right edge of a to left edge of b; 200 px a column, 100 px a row:
      // atan2(1 × 100, 0.12 × 200) = 76.5°.
      { x: 0.94, y: 0.5, x2: 1.06, y2: 1.5, angle: 77 },
      // c above b in one column: bottom edge to top edge, straight down.
      { x: 1.5, y: 0.86, x2: 1.5, y2: 1.1400000000000001, angle: 90 },
    ]);
  });

  it('colours boxes by where they run, a legend entry each', () => {
    const rects = layers[2].data.values;
    expect(rects.map((r) => [r.x, r.x2, r.y, r.y2, r.where])).toEqual([
      [0.06, 0.94, 0.14, 0.86, 'node'],
      [1.06, 1.94, 1.1400000000000001, 1.8599999999999999, 'kafka'],
      [1.06, 1.94, 0.14, 0.86, 'node'],
    ]);
    const fill = (
      layers[2] as unknown as {
        encoding: { fill: { scale: { domain: string[]; range: string[] } } };
      }
    ).encoding.fill.scale;
    expect(fill).toEqual({ domain: ['node', 'kafka'], range: ['#dbe8f7', '#e3f1de'] });
  });

  it('puts titles bold and their lines under them', () => {
    expect(layers[3].data.values.map((t) => [t.text, t.y])).toEqual([
      ['generate', 0.31999999999999995],
      ['broker', 1.48],
      ['<script>alert(1)</script>', 0.48],
    ]);
    expect(layers[4].data.values).toEqual([
      // The title at 0.5 − 2 × 0.16 / 2 − 0.02 = 0.32, each line 0.17 below the one before.
      { x: 0.5, y: 0.49, text: 'one', bold: false },
      { x: 0.5, y: 0.6599999999999999, text: 'two', bold: false },
    ]);
  });

  it('draws a label from anywhere as escaped text', async () => {
    const svg = await renderSvg(spec);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).not.toContain('<script');
  });

  it('refuses a link to a box that is not there', () => {
    expect(() => boxDiagram(boxes, [{ from: 'a', to: 'zz' }])).toThrow(
      'boxDiagram: the link a → zz names a box that is not there',
    );
  });
});
