/**
 * Stage 5, batch: MapReduce jobs over the lake. One `Job` definition (job.ts), the text codec of
 * Hadoop Streaming (codec.ts), the `Runner` port (runner.ts) and the built-in jobs (jobs/).
 * The runners start threads or bundle a script by file URL, so they are imported from
 * `batch/embedded-runner` and `batch/hadoop-runner` directly, or when asked for through
 * runners.ts, never from here.
 */
export * from './codec';
export * from './compare-runs';
export * from './counters';
export * from './format';
export * from './job';
export * from './jobs/index';
export * from './rows';
export * from './runner';
export * from './runners';
export * from './streaming-task';
export * from './trace';
