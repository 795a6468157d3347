/**
 * status-per-hour: requests per UTC clock hour and status code, all days together; rows by hour,
 * then status. Summed over hours they give `loglab summary`'s requests per status.
 */
import { combineSum, emitRow, type Job, sumCounts } from '../job';

const MS_PER_HOUR = 3_600_000;

export function statusPerHourJob(): Job {
  return {
    name: 'status-per-hour',
    description: 'Status mix per UTC hour: requests per hour and status code',
    columns: ['hour', 'status', 'requests'],
    map(r, emit) {
      const h = Math.floor(r.time / MS_PER_HOUR) % 24;
      emit(`${h < 10 ? '0' : ''}${h} ${r.status}`, '1');
    },
    combine: combineSum,
    reduce(key, values, emit) {
      emitRow(emit, key, {
        hour: key.slice(0, 2),
        status: Number(key.slice(3)),
        requests: sumCounts(values),
      });
    },
  };
}
