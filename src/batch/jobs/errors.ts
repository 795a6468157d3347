/**
 * errors: the classic error analysis, `/server-error 500 14`: requests answered 4xx or 5xx per
 * URL and status, the most frequent first. URL is the request target as logged ("-" for none),
 * as in `loglab summary`, whose error rows these equal.
 */
import {
  byCountThen,
  combineSum,
  DEFAULT_TOP,
  emitRow,
  type Job,
  type JobOptions,
  type Row,
  sumCounts,
} from '../job';

export function errorsJob(options: JobOptions = {}): Job {
  const top = options.top ?? DEFAULT_TOP;
  const order = byCountThen('count', 'key');
  return {
    name: 'errors',
    description: `Error analysis: URL, status and count of 4xx/5xx answers (top ${top})`,
    columns: ['url', 'status', 'count'],
    map(r, emit) {
      // The status first: three digits and a space, so the URL (which may hold spaces) follows.
      if (r.status >= 400) emit(`${r.status} ${r.path ?? '-'}`, '1');
    },
    combine: combineSum,
    reduce(key, values, emit) {
      emitRow(emit, key, {
        url: key.slice(4),
        status: Number(key.slice(0, 3)),
        count: sumCounts(values),
      });
    },
    finalize(rows) {
      // Ties go by "status url", the order `loglab summary` breaks them in.
      const keyed: Row[] = rows.map((r) => ({ ...r, key: `${r.status} ${r.url}` }));
      return keyed
        .sort(order)
        .slice(0, top)
        .map((r) => ({ url: r.url, status: r.status, count: r.count }));
    },
  };
}
