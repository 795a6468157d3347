/**
 * Small tables for notebooks (ground truth, rejected lines): HTML for a kernel, aligned plain
 * text everywhere else. Cells are shown as given; times are the caller's to format.
 */
import { terminalLine } from '../log/terminal-text';

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

export interface TableOptions {
  /** Columns in order; default the keys of the first row. */
  columns?: readonly string[];
  /** Longer cells are cut with "…" so one raw line cannot stretch the table. Default 80. */
  maxWidth?: number;
}

function cellText(value: Cell, maxWidth: number): string {
  // Cells hold paths, user agents and raw lines from log lines: controls and bidirectional
  // marks shown escaped, backslashes kept (a raw line's own escapes, `\xe4` as the log wrote it).
  const s = value === null || value === undefined ? '' : terminalLine(String(value));
  return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
}

function columnsOf(rows: readonly Row[], options: TableOptions): string[] {
  return [...(options.columns ?? (rows.length > 0 ? Object.keys(rows[0]) : []))];
}

/** The table as aligned plain text; numbers are right-aligned. */
export function tableText(rows: readonly Row[], options: TableOptions = {}): string {
  const columns = columnsOf(rows, options);
  const maxWidth = options.maxWidth ?? 80;
  const cells = rows.map((r) => columns.map((c) => cellText(r[c], maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'),
  );
  const line = (row: string[]) =>
    row
      .map((s, i) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Text made safe for HTML content and quoted attribute values: `& < > " '` as entities. */
export function escapeHtml(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The table as an HTML fragment; cells are escaped, raw log lines included. */
export function tableHtml(rows: readonly Row[], options: TableOptions = {}): string {
  const columns = columnsOf(rows, options);
  const maxWidth = options.maxWidth ?? 80;
  const head = columns.map((c) => `<th style="text-align:left">${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((r) => {
      const tds = columns.map((c) => {
        const align = typeof r[c] === 'number' ? 'right' : 'left';
        return `<td style="text-align:${align}"><code>${escapeHtml(cellText(r[c], maxWidth))}</code></td>`;
      });
      return `<tr>${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
