/**
 * unique-visitors: visitors per UTC day as GoAccess counts them: distinct (address, user agent)
 * pairs per day, requests answered 4xx left out, a missing user agent counted as "-". Rows by day.
 * Their sum equals `loglab summary`'s unique visitors.
 *
 * The key is the day and the address, the values its user agents: a reducer holds the distinct
 * user agents of one address at a time, never a whole day's visitors (300,000 a day at 10M
 * lines). It adds them up by day and emits one row per day at its end (`reduceEnd`);
 * `finalize` adds up the reducers' rows.
 */
import { compareText, type Emit, emitRow, type Job, type Row } from '../job';

const MS_PER_DAY = 86_400_000;

function distinct(key: string, values: readonly string[], emit: Emit): void {
  for (const v of new Set(values)) emit(key, v);
}

export function uniqueVisitorsJob(): Job {
  // Logs are in time order: the day of the last record is nearly always the next one's.
  let lastDay = Number.NaN;
  let lastDate = '';
  /** Visitors per day of the reduce task in progress. */
  const days = new Map<string, number>();
  return {
    name: 'unique-visitors',
    description: 'Unique visitors per UTC day (address + user agent, 4xx left out, as GoAccess)',
    columns: ['date', 'visitors'],
    map(r, emit) {
      if (r.status >= 400 && r.status < 500) return;
      const day = Math.floor(r.time / MS_PER_DAY);
      if (day !== lastDay) {
        lastDay = day;
        lastDate = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
      }
      emit(`${lastDate} ${r.ip}`, r.userAgent === null || r.userAgent === '' ? '-' : r.userAgent);
    },
    combine: distinct,
    reduce(key, values) {
      const date = key.slice(0, 10);
      days.set(date, (days.get(date) ?? 0) + new Set(values).size);
    },
    reduceEnd(emit) {
      for (const [date, visitors] of days) emitRow(emit, date, { date, visitors });
      days.clear();
    },
    finalize(rows) {
      const total = new Map<string, number>();
      for (const r of rows) {
        const date = r.date as string;
        total.set(date, (total.get(date) ?? 0) + (r.visitors as number));
      }
      return [...total]
        .map(([date, visitors]): Row => ({ date, visitors }))
        .sort((a, b) => compareText(a.date, b.date));
    },
  };
}
