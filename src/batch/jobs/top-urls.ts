/**
 * top-urls: the most requested URLs with their hits, all methods and statuses together. URL is
 * the request target as logged ("-" for none); ties go by URL, as in `loglab summary`.
 */
import {
  byCountThen,
  combineSum,
  DEFAULT_TOP,
  emitRow,
  type Job,
  type JobOptions,
  sumCounts,
} from '../job';

export function topUrlsJob(options: JobOptions = {}): Job {
  const top = options.top ?? DEFAULT_TOP;
  return {
    name: 'top-urls',
    description: `Top ${top} URLs by hits`,
    columns: ['url', 'hits'],
    map(r, emit) {
      emit(r.path ?? '-', '1');
    },
    combine: combineSum,
    reduce(key, values, emit) {
      emitRow(emit, key, { url: key, hits: sumCounts(values) });
    },
    finalize(rows) {
      return rows.sort(byCountThen('hits', 'url')).slice(0, top);
    },
  };
}
