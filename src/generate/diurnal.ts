/**
 * When lines happen. Fast mode spreads an exact number of lines over the span so that their
 * density follows the diurnal curve; real-time mode uses a flat curve (a steady rate). Times are
 * drawn as the ordered sample of `count` independent draws from that density (arrivals of a
 * Poisson process conditioned on its count), produced in ascending order one at a time, so a
 * day of traffic needs no sorting and no memory per line.
 */
import type { Random } from './random';

/**
 * Relative traffic per hour of the day (UTC), at the middle of each hour: a night trough around
 * 04:00, a working-day plateau and an evening peak around 20:00, as shops see it.
 */
export const DIURNAL_WEIGHTS: readonly number[] = [
  0.45, 0.32, 0.24, 0.19, 0.16, 0.2, 0.3, 0.48, 0.68, 0.82, 0.9, 0.95, 1.0, 0.97, 0.92, 0.9, 0.92,
  1.0, 1.12, 1.25, 1.32, 1.22, 0.95, 0.68,
];

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The curve's value at an instant: linear between hour midpoints, so there are no steps. */
export function diurnalWeight(epochMs: number): number {
  const ofDay = (((epochMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS - 0.5;
  const h0 = Math.floor(ofDay);
  const frac = ofDay - h0;
  const a = DIURNAL_WEIGHTS[(h0 + 24) % 24];
  const b = DIURNAL_WEIGHTS[(h0 + 25) % 24];
  return a + (b - a) * frac;
}

/** A source of ascending line times. */
export interface SlotTimes {
  /** The next time in epoch ms (integer), never smaller than the one before. */
  next(): number;
}

/**
 * `count` ascending times in [start, start + spanMs), distributed as `weight(t)`. The density is
 * piecewise constant over cells of at least a minute, which is finer than anything a reader of
 * the log can see.
 */
export function createCurveSlots(
  random: Random,
  start: number,
  spanMs: number,
  count: number,
  weight: (epochMs: number) => number,
): SlotTimes {
  const cellMs = Math.max(60_000, Math.ceil(spanMs / 1_000_000));
  const cells = Math.max(1, Math.ceil(spanMs / cellMs));
  const cum = new Float64Array(cells + 1);
  for (let c = 0; c < cells; c++) {
    const from = c * cellMs;
    const to = Math.min(spanMs, from + cellMs);
    cum[c + 1] = cum[c] + weight(start + (from + to) / 2) * (to - from);
  }
  const total = cum[cells];
  let remaining = 1; // 1 − the last drawn quantile
  let left = count;
  let cell = 0;
  const last = start + spanMs - 1;
  return {
    next() {
      if (left <= 0) return last;
      // Ascending order statistics of uniforms: u(i) = 1 − (1 − u(i−1)) · V^(1/(n−i+1)).
      // V^(1/k) = exp(−E/k) with E exponential; while x = E/k is tiny, three terms of the
      // series are exact to double precision and cost far less than Math.pow.
      const x = random.standardExponential() / left;
      remaining *= x < 1e-4 ? 1 - x + x * x * (0.5 - x / 6) : Math.exp(-x);
      left--;
      const target = (1 - remaining) * total;
      while (cell < cells - 1 && cum[cell + 1] <= target) cell++;
      const from = cell * cellMs;
      const width = Math.min(spanMs, from + cellMs) - from;
      const inCell = cum[cell + 1] - cum[cell];
      const offset = inCell > 0 ? ((target - cum[cell]) / inCell) * width : 0;
      const t = Math.floor(start + from + offset);
      return Math.min(t, last);
    },
  };
}

/**
 * An endless steady stream at `perSecond` (exponential gaps), for real-time runs with no end;
 * `factor(t)` multiplies the rate (a surge), 1 by default.
 */
export function createRateSlots(
  random: Random,
  start: number,
  perSecond: number,
  factor: (epochMs: number) => number = () => 1,
): SlotTimes {
  let t = start;
  const mean = 1000 / perSecond;
  return {
    next() {
      t += random.exponential(mean / factor(t));
      return Math.floor(t);
    },
  };
}
