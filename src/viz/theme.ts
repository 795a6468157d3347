/** The look every loglab chart shares, so notebooks, reports and slides match. */
import type { ChartSpec } from './render';

/** Chart width in px: fits a notebook cell and a slide. */
export const CHART_WIDTH = 640;

export const chartConfig: NonNullable<ChartSpec['config']> = {
  // DejaVu first: it is what the PNG renderer finds on Debian; browsers fall back to their own.
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  background: 'white',
  title: { anchor: 'start', fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  view: { stroke: '#ddd' },
};

/** One colour per HTTP status class, the same in every chart. */
export const STATUS_CLASS_COLORS: Record<string, string> = {
  '1xx': '#9e9e9e',
  '2xx': '#4c9a55',
  '3xx': '#4a7fc1',
  '4xx': '#e3a23b',
  '5xx': '#d1453b',
  other: '#7b5ea7',
};

/** Shading of injected incidents behind a time series. */
export const INCIDENT_COLOR = '#f2b134';

/** Format an integer with thousands separators, the same way in labels and tables. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
