/**
 * Render a vega-lite spec in Node without the native `canvas` package:
 * vega-lite compile → vega parse → headless View (`renderer: 'none'`) → SVG string,
 * and SVG → PNG through resvg with the system fonts (Debian `fonts-dejavu-core`).
 */
import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { loadVega } from './load-vega.cjs';

export type ChartSpec = TopLevelSpec;

/** The SVG of a vega-lite spec. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixels per SVG unit; 2 gives a sharp picture on high-density screens. Default 1. */
  scale?: number;
}

/** The font that every chart names first: it is what resvg finds on Debian (fonts-dejavu-core). */
export const CHART_FONT = 'DejaVu Sans';

/** Rasterise an SVG string to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 1;
  const resvg = new Resvg(svg, {
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    // Without system fonts resvg draws no text at all: titles and axes would vanish silently.
    font: {
      loadSystemFonts: true,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  return resvg.render().asPng();
}

/** The PNG of a vega-lite spec. */
export async function renderPng(spec: ChartSpec, options: PngOptions = {}): Promise<Buffer> {
  return svgToPng(await renderSvg(spec), options);
}

/** Write a chart to `path` as SVG or PNG, chosen by the extension; returns the path. */
export async function saveChart(
  spec: ChartSpec,
  path: string,
  options: PngOptions = {},
): Promise<string> {
  if (path.endsWith('.png')) await writeFile(path, await renderPng(spec, options));
  else if (path.endsWith('.svg')) await writeFile(path, await renderSvg(spec));
  else throw new Error(`saveChart: ${path} must end in .svg or .png`);
  return path;
}
