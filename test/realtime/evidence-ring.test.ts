import { describe, expect, it } from 'vitest';
import { EvidenceRing } from '../../src/realtime/evidence-ring';

describe('evidence ring', () => {
  it('gives the best Σz/√k over the newest k ≥ 2 scores, the one score while it is alone', () => {
    const ring = new EvidenceRing(3);
    expect(ring.push(3.5)).toBe(3.5);
    expect(ring.push(3.5)).toBe(7 / Math.sqrt(2));
    expect(ring.push(3.5)).toBe(10.5 / Math.sqrt(3));
    // The first 3.5 leaves: all three (3.5 + 3.5 − 1) beat the newest two (3.5 − 1).
    expect(ring.push(-1)).toBe(6 / Math.sqrt(3));
    expect(ring.push(2)).toBe(4.5 / Math.sqrt(3));
  });

  it('judges a change on its own steps, not diluted by a quiet step before it', () => {
    // A quiet minute then two of a surge at night: over all three 8.1/√3 = 4.68, under the
    // limit of 6; the last two alone 9.8/√2 = 6.93.
    const ring = new EvidenceRing(3);
    ring.push(-1.7);
    ring.push(4.7);
    expect(ring.push(5.1)).toBe(9.8 / Math.sqrt(2));
  });

  it('never counts one score alone once there are two', () => {
    const ring = new EvidenceRing(3);
    ring.push(-3);
    expect(ring.push(6)).toBe(3 / Math.sqrt(2));
  });

  it('starts again empty after clear', () => {
    const ring = new EvidenceRing(3);
    ring.push(5);
    ring.push(5);
    ring.clear();
    expect(ring.push(2)).toBe(2);
    expect(ring.push(2)).toBe(4 / Math.sqrt(2));
  });
});
