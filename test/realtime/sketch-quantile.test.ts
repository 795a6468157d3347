/** The top-down quantile gives the sketch's own answer, on plain and collapsed sketches. */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/generate/index';
import { valueAtQuantile, valueAtRank } from '../../src/realtime/detectors/sketch-quantile';

describe('valueAtQuantile', () => {
  it('equals getValueAtQuantile at every tested quantile, seeds 1-20, with zeros and collapses', () => {
    let compared = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const random = createRandom(seed);
      // Seeds above 10 collapse (20 bins cannot hold 0.01 ms to 10 s at 2%): the sketch's own walk.
      const sketch = new LogCollapsingLowestDenseDDSketch({
        relativeAccuracy: 0.02,
        binLimit: seed > 10 ? 20 : 512,
      });
      const n = 1 + Math.floor(random.next() * 500);
      for (let i = 0; i < n; i++) {
        const x = random.next();
        sketch.accept(x < 0.02 ? 0 : 10 ** (random.next() * 6 - 2));
      }
      for (const q of [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1, (n - 3) / Math.max(1, n - 1)]) {
        expect(valueAtQuantile(sketch, q)).toBe(sketch.getValueAtQuantile(q));
        compared++;
      }
    }
    expect(compared).toBe(160);
  });

  it('is NaN for an empty sketch, as the sketch says', () => {
    const sketch = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: 0.02 });
    expect(valueAtQuantile(sketch, 0.95)).toBeNaN();
    expect(sketch.getValueAtQuantile(0.95)).toBeNaN();
  });
});

describe('valueAtRank as a floor of a growing sketch’s quantile', () => {
  it('stays at or below the 95th percentile while up to count/32 requests are added, seeds 1-20', () => {
    let compared = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const random = createRandom(seed);
      const sketch = new LogCollapsingLowestDenseDDSketch({
        relativeAccuracy: 0.02,
        binLimit: 512,
      });
      const n = 40 + Math.floor(random.next() * 5000);
      for (let i = 0; i < n; i++) sketch.accept(10 ** (random.next() * 3));
      const slack = Math.ceil(n / 32);
      const floor = valueAtRank(sketch, 0.95 * (n - 1) - 0.05 * slack);
      expect(floor).toBeLessThanOrEqual(valueAtQuantile(sketch, 0.95));
      // The worst case: every added request below all the others pulls the quantile down most.
      for (let i = 0; i < slack; i++) {
        sketch.accept(seed % 2 === 0 ? 0.5 : 10 ** (random.next() * 3));
        expect(valueAtQuantile(sketch, 0.95)).toBeGreaterThanOrEqual(floor);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
