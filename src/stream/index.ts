export * from './assignors';
export * from './broker';
export * from './consume-loop';
export * from './kafka-broker';
export * from './kafka-errors';
export * from './memory-broker';
export * from './partitioner';
export * from './topics';
