/**
 * The one record type every stage shares: a web-server access-log entry.
 * Fields that a log writes as "-" are null. `time` is epoch milliseconds, UTC.
 */
export interface LogRecord {
  /** Client address: IPv4, IPv6 or a host name, as the log wrote it. */
  ip: string;
  ident: string | null;
  user: string | null;
  /** Epoch milliseconds, UTC (the log's time-zone offset is applied). */
  time: number;
  /** null when the request line was "-" or empty. */
  method: string | null;
  path: string | null;
  protocol: string | null;
  status: number;
  /** null for "-". */
  bytes: number | null;
  referrer: string | null;
  userAgent: string | null;
  /**
   * Time taken to serve the request, ms: Apache's `%D` (microseconds) / 1000 in `combined-time`,
   * nginx's `$request_time` (seconds) × 1000 in JSON. null when the format has none (combined,
   * common) or the log wrote "-".
   */
  durationMs: number | null;
  /**
   * Present, and true, only when the line was cut off inside its last quoted field (the user
   * agent of a combined line): that field holds the text up to the end of the line. Such a line
   * is parsed, and counted as truncated beside it (`ParseStats.truncated`).
   */
  truncated?: true;
}

/** Why a line was not parsed. Stable codes: counted, reported and kept beside the raw line. */
export type RejectReason =
  | 'empty-line'
  | 'bad-host'
  | 'bad-timestamp'
  | 'bad-request'
  | 'bad-status'
  | 'bad-bytes'
  | 'bad-duration'
  | 'bad-quoted-field'
  | 'trailing-garbage'
  | 'bad-json'
  | 'missing-field'
  | 'unknown-format';

export interface Rejection {
  readonly kind: 'rejected';
  readonly reason: RejectReason;
  /** One human sentence, e.g. "timestamp is not [dd/Mon/yyyy:HH:MM:SS +hhmm]". */
  readonly message: string;
}

/** What a parser returns for one line: never throws. */
export type ParseOutcome = LogRecord | Rejection;

export function isRejection(outcome: ParseOutcome): outcome is Rejection {
  return (outcome as Rejection).kind === 'rejected';
}

export function isRecord(outcome: ParseOutcome): outcome is LogRecord {
  return (outcome as Rejection).kind !== 'rejected';
}

/**
 * `combined-time` is combined with Apache's `%D` (the request time in microseconds) appended as
 * the last field: `LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D"`.
 */
export type LogFormat = 'combined' | 'combined-time' | 'common' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['combined', 'combined-time', 'common', 'json'];

/** Whether lines of the format carry a request time (`durationMs`). */
export function formatHasDuration(format: LogFormat): boolean {
  return format === 'combined-time' || format === 'json';
}
