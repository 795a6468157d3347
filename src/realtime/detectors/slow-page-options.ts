/**
 * slow-page's options, their defaults and their checks (the detector is in slow-page.ts).
 */
import { badFlag } from '../../errors';

export interface SlowPageOptions {
  /** The quantile compared (0.95). */
  quantile: number;
  /** The window's quantile must reach this many times the baseline's. */
  ratio: number;
  /** Timed requests a window needs before its quantile is judged. */
  minRequests: number;
  /** Requests of the window that must reach the limit. */
  minSlow: number;
  /** Requests a URL's baseline must hold before the URL is judged. */
  minBaseline: number;
  /** Buckets an open alert keeps out of the baseline before the new level is learned. */
  holdBuckets: number;
  /** Relative accuracy of the sketches. */
  relativeAccuracy: number;
  /** Bins per sketch at most (the lowest collapse past it). */
  maxBins: number;
  /** URL baselines kept at most. */
  maxUrls: number;
}

export const DEFAULT_SLOW_PAGE: Readonly<SlowPageOptions> = Object.freeze({
  quantile: 0.95,
  ratio: 2.5,
  minRequests: 3,
  minSlow: 3,
  minBaseline: 30,
  holdBuckets: 180,
  relativeAccuracy: 0.02,
  maxBins: 512,
  maxUrls: 10_000,
});

export function slowPageOptions(overrides: Partial<SlowPageOptions> = {}): SlowPageOptions {
  const o = { ...DEFAULT_SLOW_PAGE, ...overrides };
  if (!(o.quantile > 0 && o.quantile < 1)) {
    throw badFlag(`slow-page quantile must be in (0, 1), got ${o.quantile}`);
  }
  if (!(o.ratio > 1 && Number.isFinite(o.ratio))) {
    throw badFlag(`slow-page ratio must be a number above 1, got ${o.ratio}`);
  }
  for (const name of ['minRequests', 'minSlow', 'minBaseline', 'maxBins', 'maxUrls'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) {
      throw badFlag(`slow-page ${name} must be a whole number ≥ 1, got ${o[name]}`);
    }
  }
  if (o.minSlow > o.minRequests) {
    throw badFlag(`slow-page minSlow must not exceed minRequests, got ${o.minSlow}`);
  }
  if (!Number.isInteger(o.holdBuckets) || o.holdBuckets < 0) {
    throw badFlag(`slow-page holdBuckets must be a whole number ≥ 0, got ${o.holdBuckets}`);
  }
  if (!(o.relativeAccuracy > 0 && o.relativeAccuracy < 1)) {
    throw badFlag(`slow-page relativeAccuracy must be in (0, 1), got ${o.relativeAccuracy}`);
  }
  return o;
}
