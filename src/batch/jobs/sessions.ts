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
 */
import { emitRow, type Job } from '../job';

export const SESSION_GAP_MS = 30 * 60_000;

interface Totals {
  visitors: number;
  sessions: number;
  lengthMs: number;
  pages: number;
  maxPages: number;
}

const empty = (): Totals => ({ visitors: 0, sessions: 0, lengthMs: 0, pages: 0, maxPages: 0 });

export function sessionsJob(): Job {
  let totals = empty();
  return {
    name: 'sessions',
    description: 'Sessions (30 min inactivity, per address + user agent): count, length, pages',
    columns: [
      'visitors',
      'sessions',
      'avgSessionSeconds',
      'avgPagesPerSession',
      'maxPagesPerSession',
    ],
    map(r, emit) {
      const agent = r.userAgent === null || r.userAgent === '' ? '-' : r.userAgent;
      emit(`${r.ip} ${agent}`, String(r.time));
    },
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
      totals = empty();
      if (t.visitors > 0) emitRow(emit, 'sessions', { ...t });
    },
    finalize(rows) {
      if (rows.length === 0) return [];
      let visitors = 0;
      let sessions = 0;
      let lengthMs = 0;
      let pages = 0;
      let maxPages = 0;
      for (const r of rows) {
        visitors += r.visitors as number;
        sessions += r.sessions as number;
        lengthMs += r.lengthMs as number;
        pages += r.pages as number;
        maxPages = Math.max(maxPages, r.maxPages as number);
      }
      const round2 = (x: number) => Math.round(x * 100) / 100;
      return [
        {
          visitors,
          sessions,
          avgSessionSeconds: round2(lengthMs / 1000 / sessions),
          avgPagesPerSession: round2(pages / sessions),
          maxPagesPerSession: maxPages,
        },
      ];
    },
  };
}
