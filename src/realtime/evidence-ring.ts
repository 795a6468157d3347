/**
 * The evidence of the last few scores together. If the scores are independent standard normals,
 * Σz/√k over a fixed k of them is one too, so it is compared with the same limits as a single
 * score, yet a change that lasts adds up: three steps at z = 3.5 make 6.1. The best of k = 2
 * and 3 (below) is not quite a standard score: the two sums share their newest steps (correlated
 * about 0.8), so a false opening is somewhat less than twice as likely as for one fixed k; at an
 * opening limit of 6 that stays negligible (clean simulated weeks peak at 4.7). A flash crowd at night, when
 * a minute holds a dozen requests, moves each minute's score by 4–5 only: one such minute does
 * not pass the limit, two or three of those minutes together do.
 *
 * The evidence is the best run that ends now: the largest Σz/√k over the newest k scores, for
 * k from 2 to `capacity` (the newest score alone while it is the only one). A change that began
 * two steps ago is judged on those two steps, not diluted by a normal step before it: over the
 * newest three, a quiet minute just before a surge (z = −1.7, then 4.7 and 5.1) made 4.6 and the
 * alert waited a third step; the last two alone make 6.9. A single step is left out once there
 * are more (k ≥ 2): a step alone is judged by the detector's own rule for one step.
 */
export class EvidenceRing {
  private readonly values: Float64Array;
  private count = 0;
  private next = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  /** Add a score and return the evidence of the best run of scores ending with it. */
  push(z: number): number {
    const capacity = this.values.length;
    this.values[this.next] = z;
    this.next = (this.next + 1) % capacity;
    if (this.count < capacity) this.count++;
    if (this.count === 1) return z;
    let sum = z;
    let best = Number.NEGATIVE_INFINITY;
    // From the newest score back.
    for (let k = 2, i = (this.next + capacity - 1) % capacity; k <= this.count; k++) {
      i = i === 0 ? capacity - 1 : i - 1;
      sum += this.values[i];
      const e = sum / Math.sqrt(k);
      if (e > best) best = e;
    }
    return best;
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}
