/** The built-in jobs, by name: what `loglab mapreduce list` shows and `run all` runs, in order. */
import { badFlag } from '../../errors';
import type { Job, JobOptions } from '../job';
import { bytesPerRouteJob } from './bytes-per-route';
import { errorsJob } from './errors';
import { ipAnomaliesJob } from './ip-anomalies';
import { peakHoursJob } from './peak-hours';
import { sessionsJob } from './sessions';
import { slowPagesJob } from './slow-pages';
import { statusPerHourJob } from './status-per-hour';
import { topUrlsJob } from './top-urls';
import { uniqueVisitorsJob } from './unique-visitors';

export const BUILTIN_JOBS: Readonly<Record<string, (options?: JobOptions) => Job>> = Object.freeze({
  errors: errorsJob,
  'peak-hours': peakHoursJob,
  'top-urls': topUrlsJob,
  'ip-anomalies': ipAnomaliesJob,
  'unique-visitors': uniqueVisitorsJob,
  'bytes-per-route': bytesPerRouteJob,
  'status-per-hour': statusPerHourJob,
  sessions: sessionsJob,
  'slow-pages': slowPagesJob,
});

export const JOB_NAMES: readonly string[] = Object.keys(BUILTIN_JOBS);

export function isBuiltinJob(name: string): boolean {
  return Object.hasOwn(BUILTIN_JOBS, name);
}

/** A built-in job by name; BAD_FLAG naming the jobs there are for any other name. */
export function createJob(name: string, options?: JobOptions): Job {
  if (!isBuiltinJob(name)) {
    throw badFlag(`no job named "${name}"; there are: ${JOB_NAMES.join(', ')}`);
  }
  return BUILTIN_JOBS[name](options);
}

export {
  bytesPerRouteJob,
  errorsJob,
  ipAnomaliesJob,
  peakHoursJob,
  sessionsJob,
  slowPagesJob,
  statusPerHourJob,
  topUrlsJob,
  uniqueVisitorsJob,
};
