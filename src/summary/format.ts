/**
 * The seed-style text of a summary: the classic project's batch outputs (error analysis rows
 * `/server-error 500 14`, peak usage `18:00 1000`, top URLs with hits, busy IPs), plus totals,
 * status codes and unique visitors. Plain numbers, aligned columns, one section per figure.
 *
 * URLs and addresses come from log lines, and a host field is not validated: they go through
 * terminalText, so ESC or BEL in one shows as `\x1b`, `\x07` instead of recolouring the terminal,
 * and a column's width counts what is shown.
 */
import { terminalText } from '../log/terminal-text';
import type { KeyHits, Summary } from './types';

/** Longest URL that sets the width of a column; longer ones just run past it. */
const MAX_COLUMN = 60;

/** "18:00" for hour 18. */
export function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '';
}

/** Rows of cells as aligned text; columns listed in `right` are right-aligned. */
function table(rows: string[][], right: number[]): string[] {
  if (rows.length === 0) return ['  (none)'];
  const widths = rows[0].map((_, i) =>
    Math.min(MAX_COLUMN, Math.max(...rows.map((r) => r[i].length))),
  );
  return rows.map(
    (r) =>
      `  ${r
        .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd()}`,
  );
}

/** Hits first: keys (URLs above all) vary in length, counts do not. */
function keyHitsTable(rows: KeyHits[], keyName: string): string[] {
  if (rows.length === 0) return ['  (none)'];
  return table([['hits', keyName], ...rows.map((r) => [String(r.hits), terminalText(r.key)])], [0]);
}

function topTitle(rows: number, what: string): string {
  return rows > 0 ? `Top ${rows} ${what}` : `Top ${what}`;
}

/** The summary as text; `name` (a file name) goes into the title when given. */
export function formatSummary(s: Summary, name?: string): string {
  const out: string[] = [];
  out.push(name ? `Summary of ${name}` : 'Summary');
  const reasons = Object.entries(s.rejectReasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  // Truncated lines are parsed and counted (log/combined.ts); said only when there are some.
  const truncated = s.truncated > 0 ? `${s.truncated} truncated, ` : '';
  const rejected = `${truncated}${s.rejected} rejected${reasons ? `: ${reasons}` : ''}`;
  out.push(
    ...table(
      [
        ['requests', String(s.total), `(${s.read} lines read, ${rejected})`],
        [
          'unique visitors',
          String(s.uniqueVisitors),
          '(address + user agent per UTC day, 4xx left out)',
        ],
        [
          'peak hour',
          s.peakHour ? `${hourLabel(s.peakHour.hour)} ${s.peakHour.requests}` : '-',
          '(busiest UTC clock hour, all days together)',
        ],
      ],
      [1],
    ),
  );
  if (s.firstTime && s.lastTime) out.push(`  from ${s.firstTime} to ${s.lastTime}`);

  out.push('', 'Requests per status code');
  const codes = Object.entries(s.statusCodes);
  out.push(
    ...(codes.length === 0
      ? ['  (none)']
      : table(
          codes.map(([code, n]) => [code, String(n), percent(n, s.total)]),
          [1, 2],
        )),
  );

  out.push('', topTitle(s.topUrls.length, 'URLs'), ...keyHitsTable(s.topUrls, 'url'));
  out.push('', topTitle(s.topIps.length, 'IPs'), ...keyHitsTable(s.topIps, 'ip'));

  out.push('', 'Error analysis (4xx and 5xx)');
  out.push(
    ...(s.topErrors.length === 0
      ? ['  (none)']
      : table(
          [
            ['url', 'status', 'count'],
            ...s.topErrors.map((e) => [terminalText(e.url), String(e.status), String(e.count)]),
          ],
          [1, 2],
        )),
  );
  return `${out.join('\n')}\n`;
}
