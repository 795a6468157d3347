/**
 * Job results as seed-style text: a title, then aligned columns, numbers to the right, as
 * `loglab summary` prints its sections (`/server-error  500  14`).
 */
import { terminalText } from '../log/terminal-text';
import type { Cell } from './job';
import type { JobResult } from './runner';

/** Longest cell that sets a column's width; longer ones just run past it. */
const MAX_COLUMN = 60;

function show(cell: Cell | undefined): string {
  if (cell === true) return 'yes';
  if (cell === false) return '';
  if (cell === null || cell === undefined) return '-';
  // A path or user agent from a log line can hold ESC, CSI or a carriage return.
  return typeof cell === 'string' ? terminalText(cell) : String(cell);
}

/** One job's rows under its name and description. */
export function formatJobResult(result: JobResult): string {
  const out = [`${result.name}: ${result.description}`];
  if (result.rows.length === 0) return `${out[0]}\n  (none)\n`;
  const cols = result.columns;
  const numeric = cols.map((c) => result.rows.every((r) => typeof r[c] === 'number'));
  const cells = [cols.slice(), ...result.rows.map((r) => cols.map((c) => show(r[c])))];
  const widths = cols.map((_, i) =>
    Math.min(MAX_COLUMN, Math.max(...cells.map((r) => r[i].length))),
  );
  for (const row of cells) {
    const line = row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ');
    out.push(`  ${line.trimEnd()}`);
  }
  return `${out.join('\n')}\n`;
}

/** Bytes as B, KB, MB or GB (powers of 1000), for counters. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
