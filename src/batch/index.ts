/**
 * Stage 5, batch: MapReduce jobs over the lake. One `Job` definition (job.ts), the text codec of
 * Hadoop Streaming (codec.ts), the `Runner` port (runner.ts) and the built-in jobs (jobs/).
 * The embedded runner starts threads by file URL, so it is imported from
 * `batch/embedded-runner` directly, not from here (see that module).
 */
export * from './codec';
export * from './counters';
export * from './format';
export * from './job';
export * from './jobs/index';
export * from './rows';
export * from './runner';
export * from './streaming-task';
export * from './trace';
