/**
 * Stage 6's report: a run record (run-record.ts) drawn as one self-contained HTML page with
 * inline SVG charts, and the charts as PNG for slides.
 *
 *   run record ─▶ charts.ts (vega-lite specs from src/viz ─▶ SVG) ─▶ html.ts (page, escaped)
 */
export * from './build-report';
export * from './charts';
export * from './html';
export * from './png-mark';
export * from './rows';
export * from './run-record';
