/**
 * Render a vega-lite spec in Node without the native `canvas` package:
 * vega-lite compile → vega parse → headless View (`renderer: 'none'`) → SVG string,
 * and SVG → PNG through resvg with the system fonts (Debian `fonts-dejavu-core`).
 *
 * Every string of the spec is drawn through terminalText first: labels, tooltips and titles hold
 * paths and addresses from log lines, and vega escapes `<` and `&` but writes ESC or BEL as they
 * are, which XML 1.0 forbids even as `&#27;`. So the SVG (a file, the report, a notebook, resvg's
 * input) stays well-formed, shows `\x1b` where the line had ESC, and is laid out with the width
 * of what it shows.
 */
import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { terminalLine } from '../log/terminal-text';
import { loadVega } from './load-vega.cjs';

export type ChartSpec = TopLevelSpec;

/**
 * `value` with control characters in every string written as `\xHH`, through arrays and plain
 * objects (a Date or any other object is kept as it is); the same value when nothing changed.
 */
function visibleStrings(value: unknown): unknown {
  // A spec's own strings (a field `a\\.b`, an expression's regex) keep their backslashes.
  if (typeof value === 'string') return terminalLine(value);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = visibleStrings(value[i]);
      if (v === value[i]) continue;
      out ??= value.slice();
      out[i] = v;
    }
    return out ?? value;
  }
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const shown = visibleStrings(v);
    if (shown === v) continue;
    out ??= { ...value };
    out[k] = shown;
  }
  return out ?? value;
}

/** The SVG of a vega-lite spec. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(visibleStrings(spec) as ChartSpec).spec;
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
