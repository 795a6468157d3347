/** The seeded random source and weighted choice the generator is built on. */
import { describe, expect, it } from 'vitest';
import { createRandom, shuffled } from '../../src/generate/random';
import { createWeightedPicker, zipfWeights } from '../../src/generate/weighted';

describe('createRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws uniformly in [0, 1)', () => {
    const random = createRandom(1);
    const bins = new Array<number>(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = random.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      bins[Math.floor(u * 10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const n of bins) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('forks independent streams that are still determined by the seed', () => {
    const x = createRandom(3).fork(1);
    const y = createRandom(3).fork(1);
    const z = createRandom(3).fork(2);
    const sx = Array.from({ length: 4 }, () => x.int(1000));
    expect(Array.from({ length: 4 }, () => y.int(1000))).toEqual(sx);
    expect(Array.from({ length: 4 }, () => z.int(1000))).not.toEqual(sx);
  });

  it('has helpers in range', () => {
    const random = createRandom(5);
    for (let i = 0; i < 1000; i++) {
      const k = random.int(6);
      expect(Number.isInteger(k) && k >= 0 && k < 6).toBe(true);
      const r = random.range(2, 3);
      expect(r >= 2 && r < 3).toBe(true);
      expect(random.exponential(10)).toBeGreaterThanOrEqual(0);
    }
    expect(shuffled(random, [1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('createWeightedPicker', () => {
  it('picks in proportion to the weights, never a zero weight', () => {
    const picker = createWeightedPicker(['a', 'b', 'c', 'never'], [1, 2, 7, 0]);
    const random = createRandom(11);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, never: 0 };
    for (let i = 0; i < 100_000; i++) counts[picker.pick(random)]++;
    expect(counts.never).toBe(0);
    expect(Math.abs(counts.a - 10_000)).toBeLessThan(600);
    expect(Math.abs(counts.b - 20_000)).toBeLessThan(800);
    expect(Math.abs(counts.c - 70_000)).toBeLessThan(1_000);
  });

  it('refuses weights it cannot use', () => {
    expect(() => createWeightedPicker([], [])).toThrow('weighted picker needs one weight per item');
    expect(() => createWeightedPicker(['a'], [-1])).toThrow('weights must be non-negative numbers');
    expect(() => createWeightedPicker(['a', 'b'], [0, 0])).toThrow('weights must not all be zero');
  });

  it('zipfWeights falls off as 1/rank^s', () => {
    expect(zipfWeights(4, 1)).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
    expect(zipfWeights(3, 2)).toEqual([1, 1 / 4, 1 / 9]);
  });
});

describe('standardExponential', () => {
  it('has the exponential distribution: mean 1, P(X > x) = e^-x', () => {
    const random = createRandom(21);
    const n = 200_000;
    let sum = 0;
    const above = [0, 0, 0, 0];
    const cuts = [0.5, 1, 3, 8];
    for (let i = 0; i < n; i++) {
      const x = random.standardExponential();
      expect(x >= 0).toBe(true);
      sum += x;
      for (let k = 0; k < cuts.length; k++) if (x > cuts[k]) above[k]++;
    }
    expect(Math.abs(sum / n - 1)).toBeLessThan(0.01);
    cuts.forEach((cut, k) => {
      const expected = n * Math.exp(-cut);
      expect(Math.abs(above[k] - expected)).toBeLessThan(5 * Math.sqrt(expected) + 1);
    });
  });
});
