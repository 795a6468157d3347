/** The shapes a summary is reported in: `loglab summary --json` prints a `Summary`. */

/** A key (URL or client address) and how many requests it had. */
export interface KeyHits {
  key: string;
  hits: number;
}

/** One row of the error analysis: requests for `url` answered with `status` (4xx or 5xx). */
export interface ErrorRow {
  url: string;
  status: number;
  count: number;
}

/**
 * The seed-style summary of an access log, computed in one pass.
 *
 * Conventions (the GoAccess agreement test holds us to them):
 * - `total` counts parsed requests; `read` = `parsed` + `rejected` lines. A line cut off inside
 *   its user agent is parsed (GoAccess counts it too) and also counted in `truncated`.
 * - `uniqueVisitors` counts distinct (day, client address, user agent) triples over requests whose
 *   status is not 4xx, as GoAccess does by default (`--4xx-to-unique-count` off, crawlers
 *   included). The day is the UTC calendar day; GoAccess takes the log's own local date, so the two
 *   agree for logs written in UTC (+0000).
 * - `peakHour` is the busiest clock hour (UTC) over all days together, as in the classic
 *   `18:00 1000`: `hour` is 0–23. Ties go to the earlier hour. `hourly` holds all 24 counts.
 * - `topUrls` is keyed by the request target as the log wrote it (path and query string, not
 *   decoded), all methods together; a request line of "-" counts under the key "-".
 * - Ties in every top list are broken by key (code-unit order), so results never depend on the
 *   order of lines or on how work was split between threads.
 */
export interface Summary {
  read: number;
  parsed: number;
  rejected: number;
  /** Rejected lines per reason, e.g. `{ "bad-quoted-field": 1 }`. */
  rejectReasons: Record<string, number>;
  /**
   * Parsed lines that were cut off inside their last field, the user agent (a log cut
   * mid-write): counted in `total` like any request, with the user agent up to the cut.
   */
  truncated: number;
  /** Parsed requests. */
  total: number;
  /** Requests per status code, e.g. `{ "200": 9126, "404": 213 }`. */
  statusCodes: Record<string, number>;
  uniqueVisitors: number;
  /** The busiest UTC clock hour over all days, or null when nothing was parsed. */
  peakHour: { hour: number; requests: number } | null;
  /** Requests per UTC clock hour, index 0–23. */
  hourly: number[];
  /** First and last request time, ISO 8601 UTC, or null when nothing was parsed. */
  firstTime: string | null;
  lastTime: string | null;
  topUrls: KeyHits[];
  topIps: KeyHits[];
  /** URL, status and count of 4xx and 5xx answers, most frequent first. */
  topErrors: ErrorRow[];
}

export interface ResultOptions {
  /** Rows in each top list (default 10); `Infinity` for all. */
  top?: number;
}
