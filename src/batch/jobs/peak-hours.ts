/**
 * peak-hours: requests per UTC clock hour over all days together, the classic `18:00 1000`.
 * Rows are the 24 hours "00"–"23" in order (an hour without requests shows 0); `peak` marks the
 * busiest, the earlier hour on a tie, as `loglab summary` picks its peak hour.
 */
import { combineSum, emitRow, type Job, sumCounts } from '../job';

const MS_PER_HOUR = 3_600_000;
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

export function peakHoursJob(): Job {
  return {
    name: 'peak-hours',
    description: 'Peak usage: requests per UTC hour, the busiest marked',
    columns: ['hour', 'requests', 'peak'],
    map(r, emit) {
      emit(HOURS[Math.floor(r.time / MS_PER_HOUR) % 24], '1');
    },
    combine: combineSum,
    reduce(key, values, emit) {
      emitRow(emit, key, { hour: key, requests: sumCounts(values) });
    },
    finalize(rows) {
      if (rows.length === 0) return [];
      const counts = new Map(rows.map((r) => [r.hour as string, r.requests as number]));
      let best = HOURS[0];
      for (const h of HOURS) if ((counts.get(h) ?? 0) > (counts.get(best) ?? 0)) best = h;
      return HOURS.map((hour) => ({ hour, requests: counts.get(hour) ?? 0, peak: hour === best }));
    },
  };
}
