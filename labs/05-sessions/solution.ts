/**
 * Lab 05, the reference solution: the sessionisation job. `npm test` grades this file; the
 * learner's is exercise.ts. It reports the rows of the library's `sessions` job
 * (src/batch/jobs/sessions.ts) under a name of its own, so both can run in one pass.
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

export type { Session };
export const LAB_JOB_NAME = 'lab-sessions';

export function visitorKey(record: LogRecord): string {
  const agent = record.userAgent === null || record.userAgent === '' ? '-' : record.userAgent;
  return `${record.ip} ${agent}`;
}

export function cutSessions(times: readonly number[]): Session[] {
  const sorted = [...times].sort((a, b) => a - b);
  const sessions: Session[] = [];
  let current: Session | null = null;
  for (const t of sorted) {
    if (current === null || t - current.end > SESSION_GAP_MS) {
      current = { start: t, end: t, pages: 0 };
      sessions.push(current);
    }
    current.end = t;
    current.pages++;
  }
  return sessions;
}

export default function sessionsLabJob(): Job {
  let totals = emptySessionTotals();
  return {
    name: LAB_JOB_NAME,
    description: 'Lab 05: sessions (30 min inactivity, per address + user agent)',
    columns: SESSION_COLUMNS,
    map(record, emit) {
      emit(visitorKey(record), String(record.time));
    },
    reduce(_key, values) {
      addVisitorSessions(totals, cutSessions(values.map(Number)));
    },
    reduceEnd(emit) {
      emitSessionTotals(emit, totals);
      totals = emptySessionTotals();
    },
    finalize: finalizeSessions,
  };
}
