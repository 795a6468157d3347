/**
 * Charts and tables, the same everywhere (notebooks, bench reports, slides):
 *
 *   records ─▶ prepare (pure: per-minute buckets, status counts) ─▶ *Chart(): a vega-lite spec
 *   spec ─▶ renderSvg / renderPng / saveChart (Node, no canvas) ─▶ show / showTable (notebook)
 */
export * from './alert-timeline-chart';
export * from './architecture-charts';
export * from './batch-charts';
export * from './batch-hour-charts';
export * from './batch-top-charts';
export * from './bench-chart';
export * from './bench-summary-chart';
export * from './detection-charts';
export * from './detection-input';
export * from './detection-rows';
export * from './lake-charts';
export * from './live-charts';
export * from './mapreduce-charts';
export * from './prepare';
export * from './render';
export * from './report-charts';
export * from './rows';
export * from './show';
export * from './status-chart';
export * from './stream-charts';
export * from './table';
export * from './theme';
export * from './traffic-chart';
export * from './window-charts';
