/** Rows for the tables notebooks show: ground truth, and what a parser made of each line. */
import { isRejection, type ParseOutcome } from '../log/record';
import type { TimeSpan } from './prepare';
import type { Row } from './table';

/** "2024-03-12 14:05:00" (UTC): readable, sorts as text, no time-zone guessing. */
export function utcText(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** One row per incident: kind, key, start and end (UTC) and length in minutes. */
export function incidentRows(incidents: readonly TimeSpan[]): Row[] {
  return incidents.map((i) => ({
    kind: i.kind ?? 'incident',
    key: i.key ?? '',
    'start (UTC)': utcText(i.start),
    'end (UTC)': utcText(i.end),
    minutes: Math.round((i.end - i.start) / 6_000) / 10,
  }));
}

/**
 * One row per line: its number, "parsed" (", truncated" for a line cut off inside its last field)
 * or the rejection reason, what was understood (or why not) and the raw line.
 */
export function outcomeRows(
  lines: readonly string[],
  parse: (line: string) => ParseOutcome,
): Row[] {
  return lines.map((raw, i) => {
    const outcome = parse(raw);
    if (isRejection(outcome)) {
      return { line: i + 1, outcome: outcome.reason, detail: outcome.message, raw };
    }
    const request = outcome.method === null ? '"-"' : `${outcome.method} ${outcome.path}`;
    return {
      line: i + 1,
      outcome: outcome.truncated === true ? 'parsed, truncated' : 'parsed',
      detail: `${outcome.ip} ${request} → ${outcome.status}`,
      raw,
    };
  });
}
