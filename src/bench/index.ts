export * from './harness';
export * from './parse-bench';
