// Hadoop Streaming from TypeScript: what a job is, and running it on the local job runner,
// our YARN or a user's cluster. The batch Runner's Hadoop adapter builds on it.
export { type HadoopConf, readHadoopConf } from './hadoop-conf';
export { applicationClasspath, hadoopLibDir } from './hadoop-lib';
export { resourceManagerDown } from './resource-manager';
export { runStreaming, type StreamingOptions, type StreamingResult } from './run-streaming';
export {
  DEFAULT_RESOURCE_MANAGER,
  type StreamingJob,
  type StreamingTarget,
  streamingArgs,
} from './streaming-args';
export { DEFAULT_HISTORY_WEB } from './task-stderr';
