/** Pick a parser by format name, and count what parsers return so that parsed + rejected = read. */
import { parseAuto } from './auto';
import { parseCombined, parseCombinedTime, parseCommon } from './combined';
import { parseJson } from './json';
import {
  isRejection,
  LOG_FORMATS,
  type LogFormat,
  type LogRecord,
  type ParseOutcome,
  type RejectReason,
} from './record';

export type Parser = (line: string) => ParseOutcome;
export type ParseFormat = LogFormat | 'auto';
export const PARSE_FORMATS: readonly ParseFormat[] = ['auto', ...LOG_FORMATS];

export function isParseFormat(value: string): value is ParseFormat {
  return (PARSE_FORMATS as readonly string[]).includes(value);
}

export function getParser(format: ParseFormat): Parser {
  switch (format) {
    case 'combined':
      return parseCombined;
    case 'combined-time':
      return parseCombinedTime;
    case 'common':
      return parseCommon;
    case 'json':
      return parseJson;
    case 'auto':
      return parseAuto;
  }
}

/**
 * What a run of a parser did: every line read is either parsed or rejected, with its reason.
 * `truncated` counts the parsed lines that were cut off inside their last field (record.ts).
 */
export interface ParseStats {
  read: number;
  parsed: number;
  rejected: number;
  truncated: number;
  byReason: Partial<Record<RejectReason, number>>;
}

export function createParseStats(): ParseStats {
  return { read: 0, parsed: 0, rejected: 0, truncated: 0, byReason: {} };
}

/** Count one outcome. */
export function countOutcome(stats: ParseStats, outcome: ParseOutcome): void {
  stats.read++;
  if (isRejection(outcome)) {
    const reason = outcome.reason;
    stats.rejected++;
    stats.byReason[reason] = (stats.byReason[reason] ?? 0) + 1;
  } else {
    stats.parsed++;
    if ((outcome as LogRecord).truncated === true) stats.truncated++;
  }
}

/** "bad-status 3, missing-field 1", most frequent first; "" when nothing was rejected. */
export function formatReasons(stats: ParseStats): string {
  return Object.entries(stats.byReason)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0) || a[0].localeCompare(b[0]))
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}
