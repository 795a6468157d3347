/**
 * loglab's public surface: what notebooks, labs and benchmarks import. One namespace per
 * pipeline stage, so a call says which stage it belongs to (`log.parseCombined`, `viz.show`).
 * `storage` is the lake: the Store port, its local and WebHDFS adapters and the lake's layout.
 * The pipeline's shape is drawn in pipeline/index.ts; `pipeline` holds the wiring between the
 * broker and the stages. `batch` is stage 5's MapReduce jobs, codec and Runner port (the
 * embedded runner itself is `batch/embedded-runner`, which starts threads by file URL). `bench`
 * is the harness the stages are measured with. This file only re-exports.
 */
export * as batch from './batch/index';
export * as bench from './bench/index';
export * as config from './config';
export * from './errors';
export * as generate from './generate/index';
export * as log from './log/index';
export * as pipeline from './pipeline/index';
export * as realtime from './realtime/index';
export * as report from './report/index';
export * as storage from './storage/index';
export * as stream from './stream/index';
export * as summary from './summary/index';
export * as viz from './viz/index';
