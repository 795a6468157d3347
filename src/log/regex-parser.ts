/**
 * The baseline for benchmarks: a combined-log parser written the way most tutorials write one,
 * with one regular expression and Date.parse. It gives the same records as `parseCombined` on
 * ordinary lines; it does not decode Apache's backslash escapes, does not take quotes inside
 * fields, and has only two rejection reasons. Do not use it for real work: it is here to be
 * measured against.
 */
import type { LogRecord, ParseOutcome, Rejection } from './record';

const COMBINED_LINE =
  /^(\S+) (\S+) (\S+) \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;

const MONTHS: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

const NO_MATCH: Rejection = Object.freeze({
  kind: 'rejected',
  reason: 'unknown-format',
  message: 'the line does not match the combined-log pattern',
});
const BAD_TIME: Rejection = Object.freeze({
  kind: 'rejected',
  reason: 'bad-timestamp',
  message: 'the timestamp is not a valid date',
});

function orNull(value: string): string | null {
  return value === '-' ? null : value;
}

export function parseCombinedRegex(line: string): ParseOutcome {
  const m = COMBINED_LINE.exec(line);
  if (m === null) return NO_MATCH;
  const [, ip, ident, user, day, mon, year, clock, tzHours, tzMinutes, request] = m;
  const time = Date.parse(`${year}-${MONTHS[mon]}-${day}T${clock}${tzHours}:${tzMinutes}`);
  if (Number.isNaN(time)) return BAD_TIME;
  let method: string | null = null;
  let path: string | null = null;
  let protocol: string | null = null;
  if (request !== '-' && request !== '') {
    const parts = request.split(' ');
    method = parts[0];
    path = parts.length > 2 ? parts.slice(1, -1).join(' ') : (parts[1] ?? null);
    protocol = parts.length > 2 ? parts[parts.length - 1] : null;
  }
  const record: LogRecord = {
    ip,
    ident: orNull(ident),
    user: orNull(user),
    time,
    method,
    path,
    protocol,
    status: Number(m[11]),
    bytes: m[12] === '-' ? null : Number(m[12]),
    referrer: orNull(m[13]),
    userAgent: orNull(m[14]),
    durationMs: null,
  };
  return record;
}
