/**
 * How BENCHMARKS.md writes a measured number: the formats a template placeholder names (see
 * results-template.ts). Every figure on the page goes through one of these, so the same value
 * always reads the same way.
 *
 *   int   1,139,717        fN   2,369,187.0 (N decimals, thousands grouped)
 *   xN    3.64x            MN   2.37 M (millions)
 *   sN    8.67 s (a field in ms, shown in seconds)
 *   msN   0.70 ms          mb   189 MB (a whole number of MiB, as peakRssMB)
 */

/** The value in `spec`'s format, or null when `spec` is not a format. */
export function formatFigure(value: number, spec: string): string | null {
  const m = /^(int|mb|f|x|M|s|ms)(\d?)$/.exec(spec);
  if (m === null) return null;
  const [, kind, digitsText] = m;
  if ((kind === 'int' || kind === 'mb') && digitsText !== '') return null;
  const digits = digitsText === '' ? 0 : Number(digitsText);
  const grouped = (v: number, d: number) =>
    v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  switch (kind) {
    case 'int':
      return grouped(value, 0);
    case 'mb':
      return `${grouped(value, 0)} MB`;
    case 'f':
      return grouped(value, digits);
    case 'x':
      return `${grouped(value, digits)}x`;
    case 'M':
      return `${grouped(value / 1e6, digits)} M`;
    case 's':
      return `${grouped(value / 1000, digits)} s`;
    default:
      return `${grouped(value, digits)} ms`;
  }
}

/** What a format expects, for error messages. */
export const FORMATS = 'int, mb, fN, xN, MN, sN, msN (N a digit, 0 when left out)';
