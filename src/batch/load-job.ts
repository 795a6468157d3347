/**
 * A `JobRef` turned into a `Job`: a built-in by name, or the default export of a module (a Job,
 * or a factory that takes the options). The caller says how to load a module: the main thread
 * imports it, a worker thread (CommonJS under tsx) requires it.
 */
import { badFlag } from '../errors';
import type { Job } from './job';
import { createJob } from './jobs/index';
import type { JobRef } from './runner';

export type ModuleLoader = (path: string) => Promise<unknown>;

function isJob(value: unknown): value is Job {
  const j = value as Job | null;
  return (
    j !== null &&
    typeof j === 'object' &&
    typeof j.name === 'string' &&
    typeof j.map === 'function' &&
    typeof j.reduce === 'function'
  );
}

export async function loadJob(ref: JobRef, load: ModuleLoader): Promise<Job> {
  if (ref.module === undefined) return createJob(ref.name, ref.options);
  const mod = (await load(ref.module)) as { default?: unknown };
  let found: unknown = mod.default ?? mod;
  if (typeof found === 'function') found = (found as (o: unknown) => unknown)(ref.options ?? {});
  if (!isJob(found)) {
    throw badFlag(
      `${ref.module} does not export a job as its default: an object with a name, a map and a reduce function (or a function that returns one)`,
    );
  }
  if (found.name !== ref.name) {
    throw badFlag(`${ref.module} does not export a default job named "${ref.name}"`);
  }
  return found;
}
