/**
 * Lab 05: sessionisation as a MapReduce job. Read README.md first; it has the rules and hints.
 *
 * Fill in the four places marked TODO. Run `npm run lab -- 05` to grade this file: the tests run
 * your job on loglab's embedded runner, next to the library's `sessions` job, and compare rows.
 * Keep the exported names and signatures: the tests (and the runners) import them.
 */
import type { Job } from '../../src/batch/job';
import {
  addVisitorSessions,
  emitSessionTotals,
  emptySessionTotals,
  finalizeSessions,
  SESSION_COLUMNS,
  SESSION_GAP_MS,
  type Session,
} from '../../src/batch/jobs/sessions';
import type { LogRecord } from '../../src/log/record';

// A session: `start` and `end` are the times (epoch ms) of its first and last request, `pages`
// the requests in it. SESSION_GAP_MS is 30 minutes.
export type { Session };

// What you will need, imported for you.
void [SESSION_GAP_MS, addVisitorSessions];

/** The name the runners know this job by (the library's own job is `sessions`). */
export const LAB_JOB_NAME = 'lab-sessions';

/**
 * TODO 1: the key of a visitor: the client address and the user agent together, so that two
 * browsers behind one address are two visitors. A missing user agent (null or "") counts as "-".
 */
export function visitorKey(record: LogRecord): string {
  throw new Error(`not implemented: visitorKey(${record.ip})`);
}

/**
 * TODO 2: cut one visitor's request times (in any order) into sessions. Sort them; a gap of
 * MORE than SESSION_GAP_MS between two requests starts a new session (exactly 30 minutes does
 * not). Return the sessions in time order: [{ start, end, pages }, …].
 */
export function cutSessions(times: readonly number[]): Session[] {
  throw new Error(`not implemented: cutSessions of ${times.length} times`);
}

export default function sessionsLabJob(): Job {
  let totals = emptySessionTotals();
  return {
    name: LAB_JOB_NAME,
    description: 'Lab 05: sessions (30 min inactivity, per address + user agent)',
    columns: SESSION_COLUMNS,

    /** TODO 3: emit one pair per request: the visitor's key, and the request's time as text. */
    map(record, emit) {
      void emit;
      throw new Error(`not implemented: map of a request from ${record.ip}`);
    },

    /**
     * TODO 4: `values` are every time your map emitted for this one visitor, from every split,
     * in no particular order. Turn them back into numbers, cut them into sessions and add the
     * visitor to `totals` with addVisitorSessions(totals, sessions).
     */
    reduce(key, values) {
      throw new Error(`not implemented: reduce of ${key} (${values.length} values)`);
    },

    // Given: each reduce task emits its totals at its end, a row per bucket of the two
    // histograms, then starts afresh (a runner may run several reduce tasks on one job object) …
    reduceEnd(emit) {
      emitSessionTotals(emit, totals);
      totals = emptySessionTotals();
    },
    // … and the reduce tasks' rows are added up into the rows the `sessions` job reports.
    finalize: finalizeSessions,
  };
}
