/**
 * sessions: visits cut at 30 minutes of inactivity, per visitor (address + user agent, a missing
 * user agent as "-", as unique-visitors keys them): how many there were, how long they lasted and
 * how many requests each held. One row over the whole input.
 *
 * What we decided:
 * - A session's length runs from its first request to its last (a one-request session lasts 0 s);
 *   a gap of more than 30 minutes starts a new one, as web analytics tools count them.
 * - Every request counts as a page, 4xx and 5xx included (the session is what the visitor did).
 * - No combiner: a visitor's times cannot be cut into sessions until all of them are together.
 *   A reducer adds its visitors up and emits one row at its end (`reduceEnd`): a row per
 *   visitor would be 300,000 rows to carry at 10M lines. `finalize` adds the reducers' rows;
 *   averages are rounded to two decimals from integer sums, so they do not depend on the order
 *   rows were added in.
 *
 * The totals, the reducer's row and `finalize` are exported so that lab 05, where the learner
 * writes the key and the cut, reports its rows exactly as this job does.
 */
import { type Emit, emitRow, type Job, type Row } from '../job';

export const SESSION_GAP_MS = 30 * 60_000;

export const SESSION_COLUMNS: readonly string[] = [
  'visitors',
  'sessions',
  'avgSessionSeconds',
  'avgPagesPerSession',
  'maxPagesPerSession',
];

/** What one reduce task has added up over its visitors: integer sums only. */
export interface SessionTotals {
  visitors: number;
  sessions: number;
  lengthMs: number;
  pages: number;
  maxPages: number;
}

export const emptySessionTotals = (): SessionTotals => ({
  visitors: 0,
  sessions: 0,
  lengthMs: 0,
  pages: 0,
  maxPages: 0,
});

/** One visitor's sessions: first and last request time (epoch ms) and requests in it. */
export interface Session {
  start: number;
  end: number;
  pages: number;
}

/** Add one visitor, given its sessions, to a reduce task's totals. */
export function addVisitorSessions(totals: SessionTotals, sessions: readonly Session[]): void {
  totals.visitors++;
  for (const s of sessions) {
    totals.sessions++;
    totals.lengthMs += s.end - s.start;
    totals.pages += s.pages;
    if (s.pages > totals.maxPages) totals.maxPages = s.pages;
  }
}

/** The row a reduce task emits at its end (none when it saw no visitor). */
export function emitSessionTotals(emit: Emit, totals: SessionTotals): void {
  if (totals.visitors > 0) emitRow(emit, 'sessions', { ...totals });
}

/** The reduce tasks' rows added up into the one row reported. */
export function finalizeSessions(rows: Row[]): Row[] {
  if (rows.length === 0) return [];
  const t = emptySessionTotals();
  for (const r of rows) {
    t.visitors += r.visitors as number;
    t.sessions += r.sessions as number;
    t.lengthMs += r.lengthMs as number;
    t.pages += r.pages as number;
    t.maxPages = Math.max(t.maxPages, r.maxPages as number);
  }
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return [
    {
      visitors: t.visitors,
      sessions: t.sessions,
      avgSessionSeconds: round2(t.lengthMs / 1000 / t.sessions),
      avgPagesPerSession: round2(t.pages / t.sessions),
      maxPagesPerSession: t.maxPages,
    },
  ];
}

export function sessionsJob(): Job {
  let totals = emptySessionTotals();
  return {
    name: 'sessions',
    description: 'Sessions (30 min inactivity, per address + user agent): count, length, pages',
    columns: SESSION_COLUMNS,
    map(r, emit) {
      const agent = r.userAgent === null || r.userAgent === '' ? '-' : r.userAgent;
      emit(`${r.ip} ${agent}`, String(r.time));
    },
    // A plain loop over the sorted times: no Session objects on the hot path.
    reduce(_key, values) {
      const times = Float64Array.from(values, Number).sort();
      let sessions = 1;
      let lengthMs = 0;
      let start = times[0];
      let pages = 1;
      let maxPages = 1;
      for (let i = 1; i < times.length; i++) {
        if (times[i] - times[i - 1] > SESSION_GAP_MS) {
          lengthMs += times[i - 1] - start;
          sessions++;
          start = times[i];
          pages = 0;
        }
        pages++;
        if (pages > maxPages) maxPages = pages;
      }
      lengthMs += times[times.length - 1] - start;
      totals.visitors++;
      totals.sessions += sessions;
      totals.lengthMs += lengthMs;
      totals.pages += times.length;
      totals.maxPages = Math.max(totals.maxPages, maxPages);
    },
    reduceEnd(emit) {
      const t = totals;
      totals = emptySessionTotals();
      emitSessionTotals(emit, t);
    },
    finalize: finalizeSessions,
  };
}
