/**
 * bytes-per-route: requests and response bytes per route (the request path without its query
 * string; "-" for none), the heaviest first, ties by route. A "-" byte count adds 0.
 * A value is "requests bytes", so the combiner's output is valid reducer input.
 */
import { byCountThen, DEFAULT_TOP, type Emit, emitRow, type Job, type JobOptions } from '../job';

/** A request's route: its path without the query string, "-" for none (as detectors key URLs). */
export function routeOf(path: string | null): string {
  if (path === null) return '-';
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

function totals(values: readonly string[]): [number, number] {
  let requests = 0;
  let bytes = 0;
  for (const v of values) {
    const sp = v.indexOf(' ');
    requests += Number(v.slice(0, sp));
    bytes += Number(v.slice(sp + 1));
  }
  return [requests, bytes];
}

export function bytesPerRouteJob(options: JobOptions = {}): Job {
  const top = options.top ?? DEFAULT_TOP;
  return {
    name: 'bytes-per-route',
    description: `Bytes per route: requests and response bytes by path without query (top ${top})`,
    columns: ['route', 'requests', 'bytes', 'avgBytes'],
    map(r, emit) {
      emit(routeOf(r.path), `1 ${r.bytes ?? 0}`);
    },
    combine(key: string, values: readonly string[], emit: Emit) {
      const [requests, bytes] = totals(values);
      emit(key, `${requests} ${bytes}`);
    },
    reduce(key, values, emit) {
      const [requests, bytes] = totals(values);
      emitRow(emit, key, { route: key, requests, bytes, avgBytes: Math.round(bytes / requests) });
    },
    finalize(rows) {
      return rows.sort(byCountThen('bytes', 'route')).slice(0, top);
    },
  };
}
