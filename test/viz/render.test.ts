import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChartSpec, renderPng, renderSvg, saveChart, svgToPng } from '../../src/viz/render';

const spec: ChartSpec = {
  title: 'Requests by route',
  width: 300,
  height: 120,
  data: {
    values: [
      { route: '/a', requests: 5 },
      { route: '/b', requests: 9 },
      { route: '/c', requests: 2 },
    ],
  },
  mark: 'bar',
  encoding: {
    x: { field: 'route', type: 'nominal', title: 'route path' },
    y: { field: 'requests', type: 'quantitative', title: 'requests per day' },
  },
};

/** Width and height from the PNG header (IHDR). */
function pngSize(png: Buffer): [number, number] {
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** Width and height the SVG declares. */
function svgSize(svg: string): [number, number] {
  const m = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  if (!m) throw new Error('no size in the SVG');
  return [Number(m[1]), Number(m[2])];
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const dir = mkdtempSync(join(tmpdir(), 'loglab-viz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderSvg', () => {
  it('draws the title, both axis titles and one bar per row', async () => {
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>Requests by route</text>');
    expect(svg).toContain('>route path</text>');
    expect(svg).toContain('>requests per day</text>');
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(3);
  });
});

describe('renderSvg with text from log lines', () => {
  /** What XML 1.0 forbids, raw or as a reference: C0 controls other than tab, LF and CR. */
  const NOT_XML =
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    /[\x00-\x08\x0b\x0c\x0e-\x1f]|&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[1-2]|1[4-9]|2\d|3[01]));/i;
  const hostile: ChartSpec = {
    ...spec,
    title: 'Errors on /c\x1b[2J',
    data: {
      values: [
        { route: '/a\x1b[31mred', requests: 5 },
        { route: '/b\x1b]0;pwned\x07', requests: 9 },
      ],
    },
  };

  it('writes control characters as \\xHH, so the SVG is well-formed XML', async () => {
    const svg = await renderSvg(hostile);
    expect(svg).not.toMatch(NOT_XML);
    expect(svg).toContain('>/a\\x1b[31mred</text>');
    expect(svg).toContain('>/b\\x1b]0;pwned\\x07</text>');
    expect(svg).toContain('>Errors on /c\\x1b[2J</text>');
    // resvg parses the SVG as XML and refuses a document that is not well-formed.
    expect(svgToPng(svg).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    // The caller's spec is left as it was.
    expect(hostile.title).toBe('Errors on /c\x1b[2J');
  });
});

describe('renderPng', () => {
  it('is a PNG of the SVG size times the scale', async () => {
    const [w, h] = svgSize(await renderSvg(spec));
    const png = await renderPng(spec);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual([w, h]);
    expect(pngSize(await renderPng(spec, { scale: 2 }))).toEqual([2 * w, 2 * h]);
  });

  it('draws text: the same chart without its title has fewer dark pixels', () => {
    // resvg silently drops text when it finds no font; counting ink catches that.
    const box = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">';
    const withText = `${box}<rect width="200" height="40" fill="white"/><text x="4" y="30" font-family="sans-serif" font-size="24">Traffic</text></svg>`;
    const without = `${box}<rect width="200" height="40" fill="white"/></svg>`;
    expect(svgToPng(withText).length).toBeGreaterThan(svgToPng(without).length + 200);
  });
});

describe('saveChart', () => {
  it('writes SVG or PNG by extension and refuses anything else', async () => {
    const svgPath = await saveChart(spec, join(dir, 'chart.svg'));
    expect(readFileSync(svgPath, 'utf8')).toContain('>Requests by route</text>');
    const pngPath = await saveChart(spec, join(dir, 'chart.png'));
    expect(readFileSync(pngPath).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    await expect(saveChart(spec, join(dir, 'chart.jpg'))).rejects.toThrow(/\.svg or \.png/);
  });

  it("keeps a spec's own backslashes: an escaped dot in a field, a regex in an expression", async () => {
    const svg = await renderSvg({
      ...spec,
      data: { values: [{ 'a.b': 5, route: '/x/y' }] },
      transform: [{ calculate: "replace(datum.route, /\\//g, '|')", as: 'label' }],
      encoding: {
        x: { field: 'a\\.b', type: 'quantitative' },
        y: { field: 'label', type: 'nominal' },
      },
    } as ChartSpec);
    expect(svg).toContain('>|x|y</text>');
    expect(svg).not.toContain('NaN');
  });
});
