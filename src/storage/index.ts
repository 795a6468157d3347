export * from './hdfs-blocks';
export * from './lake-layout';
export * from './local-store';
export * from './prefixed-store';
export * from './retrying-store';
export * from './store';
export * from './webhdfs-store';
