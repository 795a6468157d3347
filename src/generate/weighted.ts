/**
 * Weighted choice in O(1) per draw (Walker/Vose alias method): the generator picks a product,
 * a user agent or a next page for every line, so a binary search per draw would show in the
 * profile.
 */
import type { Random } from './random';

export interface WeightedPicker<T> {
  readonly items: readonly T[];
  pick(random: Random): T;
  /** The index form of pick, for parallel arrays. */
  pickIndex(random: Random): number;
}

export function createWeightedPicker<T>(
  items: readonly T[],
  weights: readonly number[],
): WeightedPicker<T> {
  const n = items.length;
  if (n === 0 || weights.length !== n) throw new Error('weighted picker needs one weight per item');
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0)) throw new Error('weights must be non-negative numbers');
    total += w;
  }
  if (total <= 0) throw new Error('weights must not all be zero');
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = weights.map((w) => (w * n) / total);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < n; i++) (scaled[i] < 1 ? small : large).push(i);
  while (small.length > 0 && large.length > 0) {
    const s = small.pop() as number;
    const l = large.pop() as number;
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  for (const i of large) prob[i] = 1;
  for (const i of small) prob[i] = 1;

  const pickIndex = (random: Random): number => {
    const u = random.next() * n;
    const i = Math.floor(u);
    return u - i < prob[i] ? i : alias[i];
  };
  return { items, pickIndex, pick: (random) => items[pickIndex(random)] };
}

/** Zipf-like weights 1/rank^s for ranks 1..n: a few items take most of the traffic. */
export function zipfWeights(n: number, s: number): number[] {
  const out: number[] = [];
  for (let rank = 1; rank <= n; rank++) out.push(1 / rank ** s);
  return out;
}
