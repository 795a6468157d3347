export * from './codec';
export * from './harness';
export * from './kafka-clients';
export * from './parse-bench';
export * from './samples';
export * from './stream-bench';
export * from './stream-cluster';
export * from './stream-live';
