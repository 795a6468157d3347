/**
 * Robust location and scale for the anomaly detector: the median and the median absolute
 * deviation (MAD) of a small sample. 1.4826 · MAD estimates the standard deviation of normal
 * data, yet a few outliers in the sample (an incident last hour) barely move it.
 */

/** Scale factor from MAD to a standard deviation under normality. */
export const MAD_TO_SD = 1.4826;

/** Median of values[0..n), reordering `values` (pass a scratch copy). */
export function medianInPlace(values: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  const view = values.subarray(0, n);
  view.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? view[mid] : (view[mid - 1] + view[mid]) / 2;
}

export interface RobustSummary {
  median: number;
  /** 1.4826 · MAD: a standard deviation that ignores outliers. */
  scale: number;
  /** The plain standard deviation, which does see heavy tails. */
  sd: number;
}

/**
 * Median and MAD-based scale of values[0..n). `scratch` must hold n numbers; `values` is left
 * untouched. Writes into `into` to avoid allocating once a minute.
 */
export function robustSummary(
  values: Float64Array,
  n: number,
  scratch: Float64Array,
  into: RobustSummary,
): RobustSummary {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    scratch[i] = v;
    sum += v;
    squares += v * v;
  }
  const mean = sum / n;
  into.sd = n > 1 ? Math.sqrt(Math.max(0, (squares - n * mean * mean) / (n - 1))) : 0;
  const median = medianInPlace(scratch, n);
  for (let i = 0; i < n; i++) scratch[i] = Math.abs(values[i] - median);
  into.median = median;
  into.scale = MAD_TO_SD * medianInPlace(scratch, n);
  return into;
}
