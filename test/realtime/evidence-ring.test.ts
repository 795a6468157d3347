import { describe, expect, it } from 'vitest';
import { EvidenceRing } from '../../src/realtime/evidence-ring';

describe('evidence ring', () => {
  it('sums the last scores as Σz/√n, over fewer while it fills and the newest three after', () => {
    const ring = new EvidenceRing(3);
    expect(ring.push(3.5)).toBe(3.5);
    expect(ring.push(3.5)).toBe(7 / Math.SQRT2);
    expect(ring.push(3.5)).toBe(10.5 / Math.sqrt(3));
    // The first 3.5 leaves: 3.5 + 3.5 − 1.
    expect(ring.push(-1)).toBe(6 / Math.sqrt(3));
  });

  it('starts again empty after clear', () => {
    const ring = new EvidenceRing(3);
    ring.push(5);
    ring.push(5);
    ring.clear();
    expect(ring.push(2)).toBe(2);
  });
});
