/**
 * Reading a GoAccess JSON report (Debian's GoAccess 1.7, `--log-format=COMBINED -o report.json`)
 * and comparing it with a `Summary`, figure by figure. How GoAccess counts, from its source
 * (parser.c, gstorage.c) and checked against its output:
 *
 * - `general.valid_requests` are the lines it parsed; `total_requests` adds the ones it could not.
 *   It skips empty lines and lines starting with `#` without counting them.
 * - Unique visitors (`general.unique_visitors`) are distinct (date, host, user agent) keys, the
 *   date being the one written in the log (its time zone is ignored), over requests whose status
 *   is not 4xx (`--4xx-to-unique-count` is off by default). Crawlers are counted
 *   (`--ignore-crawlers` is off by default). A missing or empty user agent counts as "-". The
 *   visitors panel holds the same keys per day (`data` "20150517", `visitors.count`), so its
 *   rows add up to the general figure.
 * - A request is keyed by its URL-decoded target (`%XX` → byte, query string kept, CR/LF dropped,
 *   spaces trimmed) plus method and protocol, so GET and HEAD of one URL are separate rows. Each
 *   request lands in exactly one panel: `not_found` for status 404, `static_requests` when the
 *   target ends in a static extension (`.css`, `.js`, `.png`, … — a query string hides it),
 *   `requests` otherwise. Our `topUrls` counts a target as written, all methods together; its
 *   GoAccess figure is the sum of every row with the decoded key over the three panels.
 * - `hosts` counts every request of a client address; `status_codes` every request per status;
 *   `visit_time` every request per hour of the log's own clock.
 * - Panels list at most 366 rows unless `--max-items` says more.
 *
 * GoAccess reports raw bytes inside its JSON strings (no UTF-8 check): read the file as Latin-1
 * so that each byte is one character, and compare with `goaccessRequestKey`, which gives our
 * targets in the same form.
 */
import type { Summary } from './types';

/** What is compared, taken from a GoAccess JSON report. */
export interface GoAccessFigures {
  /** Lines processed, parsed or not. */
  total: number;
  valid: number;
  failed: number;
  uniqueVisitors: number;
  /** Unique visitors per day of the log's clock, "YYYY-MM-DD" → visitors (the visitors panel). */
  dailyVisitors: Record<string, number>;
  statusCodes: Record<string, number>;
  /** Requests per hour of the log's clock, index 0–23. */
  hourly: number[];
  /** Hits per decoded request key, summed over methods, protocols and the three request panels. */
  requestHits: Map<string, number>;
  hostHits: Map<string, number>;
}

interface PanelRow {
  data: string;
  hits: { count: number };
  visitors?: { count: number };
  items?: PanelRow[];
}

function rows(report: Record<string, unknown>, panel: string): PanelRow[] {
  const p = report[panel] as { data?: PanelRow[] } | undefined;
  return p?.data ?? [];
}

/** The figures of a parsed GoAccess JSON report. */
export function goaccessFigures(report: unknown): GoAccessFigures {
  const r = report as Record<string, unknown>;
  const general = r.general as Record<string, number>;
  const statusCodes: Record<string, number> = {};
  for (const group of rows(r, 'status_codes')) {
    for (const item of group.items ?? []) {
      // "200 - OK: The request sent by the client was successful"
      const code = item.data.split(' ')[0];
      statusCodes[code] = (statusCodes[code] ?? 0) + item.hits.count;
    }
  }
  const hourly = new Array<number>(24).fill(0);
  for (const row of rows(r, 'visit_time')) hourly[Number(row.data)] += row.hits.count;
  const requestHits = new Map<string, number>();
  for (const panel of ['requests', 'static_requests', 'not_found']) {
    for (const row of rows(r, panel)) {
      requestHits.set(row.data, (requestHits.get(row.data) ?? 0) + row.hits.count);
    }
  }
  const hostHits = new Map<string, number>();
  for (const row of rows(r, 'hosts')) hostHits.set(row.data, row.hits.count);
  const dailyVisitors: Record<string, number> = {};
  for (const row of rows(r, 'visitors')) {
    const d = row.data;
    dailyVisitors[`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`] = row.visitors?.count ?? 0;
  }
  return {
    total: general.total_requests,
    valid: general.valid_requests,
    failed: general.failed_requests,
    uniqueVisitors: general.unique_visitors,
    dailyVisitors,
    statusCodes,
    hourly,
    requestHits,
    hostHits,
  };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Our request target as GoAccess keys it: UTF-8 bytes, `%XX` decoded once, CR and LF dropped,
 * white space trimmed, cut at a NUL (a C string ends there); one character per byte.
 */
export function goaccessRequestKey(target: string): string {
  const src = Buffer.from(target, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const hi = c === 37 && i + 2 < src.length ? hexValue(src[i + 1]) : -1;
    const lo = hi >= 0 ? hexValue(src[i + 2]) : -1;
    let b = c;
    if (lo >= 0) {
      b = hi * 16 + lo;
      i += 2;
    }
    if (b === 0) break;
    if (b !== 13 && b !== 10) out.push(b);
  }
  let start = 0;
  let end = out.length;
  while (start < end && isCSpace(out[start])) start++;
  while (end > start && isCSpace(out[end - 1])) end--;
  return Buffer.from(out.slice(start, end)).toString('latin1');
}

/** All-zero figures: what GoAccess reports for no lines. */
export function noGoAccessFigures(): GoAccessFigures {
  return {
    total: 0,
    valid: 0,
    failed: 0,
    uniqueVisitors: 0,
    dailyVisitors: {},
    statusCodes: {},
    hourly: new Array<number>(24).fill(0),
    requestHits: new Map(),
    hostHits: new Map(),
  };
}

/**
 * Where `summary` and GoAccess disagree, one sentence per figure; empty when they agree. `extra`
 * holds GoAccess's figures on lines that our parser rejects and GoAccess accepts (none on the
 * shipped real log, whose truncated line both count): GoAccess's counts must equal ours plus
 * those. Unique visitors are not additive, so
 * they are compared only when `extra` counted nothing. Hours are compared as UTC hours, which are
 * the log's clock only for logs written in UTC.
 */
export function compareWithGoAccess(
  summary: Summary,
  ga: GoAccessFigures,
  extra: GoAccessFigures = noGoAccessFigures(),
): string[] {
  const out: string[] = [];
  const check = (what: string, ours: number, theirs: number, more: number) => {
    if (ours + more !== theirs) {
      out.push(`${what}: loglab ${ours}${more ? ` + ${more} rejected` : ''}, GoAccess ${theirs}`);
    }
  };
  check('requests', summary.total, ga.valid, extra.valid);
  const codes = new Set([...Object.keys(summary.statusCodes), ...Object.keys(ga.statusCodes)]);
  for (const code of [...codes].sort()) {
    check(
      `status ${code}`,
      summary.statusCodes[code] ?? 0,
      ga.statusCodes[code] ?? 0,
      extra.statusCodes[code] ?? 0,
    );
  }
  if (extra.valid === 0) check('unique visitors', summary.uniqueVisitors, ga.uniqueVisitors, 0);
  for (let h = 0; h < 24; h++) {
    check(`hour ${h}`, summary.hourly[h] ?? 0, ga.hourly[h], extra.hourly[h]);
  }
  for (const { key, hits } of summary.topUrls) {
    const k = goaccessRequestKey(key);
    check(`URL ${key}`, hits, ga.requestHits.get(k) ?? 0, extra.requestHits.get(k) ?? 0);
  }
  for (const { key, hits } of summary.topIps) {
    check(`IP ${key}`, hits, ga.hostHits.get(key) ?? 0, extra.hostHits.get(key) ?? 0);
  }
  return out;
}
