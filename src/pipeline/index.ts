/**
 * The pipeline: the wiring between the ports (Broker, later Store and Runner) and the stages.
 * This is where its shape is drawn; other docblocks point here instead of drawing it again.
 *
 *   generate ──lines──▶ line producer ──▶ weblogs.raw (key = client IP)
 *   (traffic model,      └ unparseable ──▶ weblogs.deadletter (line + reason)
 *    incidents,                              │
 *    ground truth)       ┌───────────────────┴──────────────────────┐
 *                 group "realtime"                          group "archiver" (stage 4)
 *                 stream-detector: partition merge          archive-roller: line → file of
 *                 → parse → engine → alerts                 its event hour; run-archiver:
 *                 run-detection: poll, detect, produce      _tmp → claim → rename → commit ──▶ Store
 *                 weblogs.alerts, commit                    (recovery from the lake for each
 *                                                           partition it is given: roll-claim)
 *                                                                │
 *                                                           MapReduce jobs ──▶ report
 *
 *   run-stream: generate, produce and consume in one process (`loglab stream`), with the
 *   detector as one more batch handler of its consumer side (`--detect`) and the archiver as
 *   a second consumer group beside it (`--archive`, stream-archive).
 *   demo-run: all of it once, then the MapReduce jobs over the lake and the report (`loglab
 *   demo`); like report-file-run it starts threads by file URL, so it is not exported here.
 *   embedded-demo and cluster-demo run it on either engine for notebooks, importing it when
 *   called.
 *
 * The stages (generate, log, stream, realtime, summary) know nothing of this folder: no stage
 * imports pipeline/, and each takes a port, never an adapter.
 */

export * from './architecture';
export * from './archive-partitions';
export * from './archive-progress';
export * from './archive-roller';
export * from './archiver-crash';
export * from './archiver-outage';
export * from './cluster-demo';
export * from './demo-totals';
export * from './embedded-demo';
export * from './lake-audit';
export * from './lake-files';
export * from './lake-recovery';
export * from './lake-writer';
export * from './roll-claim';
export * from './run-archiver';
export * from './run-detection';
export * from './run-stream';
export * from './stream-archive';
export * from './stream-detector';
