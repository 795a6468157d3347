/**
 * Inline display in a tslab notebook cell. In a kernel the chart or table is sent to the
 * notebook and the call returns undefined (so the cell prints nothing more); anywhere else it
 * returns the SVG or text, so the same code works in a script or a test.
 */
import { type ChartSpec, type PngOptions, renderSvg, svgToPng } from './render';
import { type Row, type TableOptions, tableHtml, tableText } from './table';

/** The part of tslab's `display` that loglab uses. */
export interface NotebookDisplay {
  svg(s: string): void;
  png(b: Uint8Array): void;
  html(s: string): void;
}

interface TslabGlobal {
  require(id: string): unknown;
}

/**
 * tslab's `display`, when this process is a tslab kernel. The executor sets `__tslab__` on
 * globalThis; its `require('tslab')` returns the kernel's own module instance, the only one
 * wired to the notebook (a second copy of tslab would not be).
 */
export function notebookDisplay(): NotebookDisplay | undefined {
  const tslab = (globalThis as { __tslab__?: TslabGlobal }).__tslab__;
  if (!tslab || typeof tslab.require !== 'function') return undefined;
  const mod = tslab.require('tslab') as { display?: NotebookDisplay } | null;
  return mod?.display;
}

export interface ShowOptions extends PngOptions {
  /**
   * PNG by default: an executed notebook opened later is untrusted, and Jupyter does not draw
   * untrusted SVG. SVG stays sharp at any zoom when the notebook is your own.
   */
  format?: 'png' | 'svg';
}

/** Display a chart inline in a notebook; outside a kernel, return its SVG. */
export async function show(
  spec: ChartSpec,
  options: ShowOptions = {},
  display: NotebookDisplay | undefined = notebookDisplay(),
): Promise<string | undefined> {
  const svg = await renderSvg(spec);
  if (!display) return svg;
  if ((options.format ?? 'png') === 'svg') display.svg(svg);
  else display.png(svgToPng(svg, { scale: options.scale ?? 1.5 }));
  return undefined;
}

/** Display rows as a table in a notebook; outside a kernel, return it as aligned text. */
export function showTable(
  rows: readonly Row[],
  options: TableOptions = {},
  display: NotebookDisplay | undefined = notebookDisplay(),
): string | undefined {
  if (!display) return tableText(rows, options);
  display.html(tableHtml(rows, options));
  return undefined;
}
