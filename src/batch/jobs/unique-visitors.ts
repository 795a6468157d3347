/**
 * unique-visitors: visitors per UTC day as GoAccess counts them: distinct (address, user agent)
 * pairs per day, requests answered 4xx left out, a missing user agent counted as "-". Rows by day.
 * Their sum equals `loglab summary`'s unique visitors.
 */
import { type Emit, emitRow, type Job } from '../job';

function distinct(key: string, values: readonly string[], emit: Emit): void {
  for (const v of new Set(values)) emit(key, v);
}

const MS_PER_DAY = 86_400_000;

export function uniqueVisitorsJob(): Job {
  // Logs are in time order: the day of the last record is nearly always the next one's.
  let lastDay = Number.NaN;
  let lastDate = '';
  return {
    name: 'unique-visitors',
    description: 'Unique visitors per UTC day (address + user agent, 4xx left out, as GoAccess)',
    columns: ['date', 'visitors'],
    map(r, emit) {
      if (r.status >= 400 && r.status < 500) return;
      const agent = r.userAgent === null || r.userAgent === '' ? '-' : r.userAgent;
      const day = Math.floor(r.time / MS_PER_DAY);
      if (day !== lastDay) {
        lastDay = day;
        lastDate = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
      }
      emit(lastDate, `${r.ip} ${agent}`);
    },
    combine: distinct,
    reduce(key, values, emit) {
      emitRow(emit, key, { date: key, visitors: new Set(values).size });
    },
  };
}
