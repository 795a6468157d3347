/**
 * Flash crowds at the night trough, on generated days outside the tuned seeds (1–10) that once
 * showed the anomaly detector's weak spots. At night a minute holds about fifteen bursty
 * requests, so a five- to seven-fold surge moves each minute's score by only 4–5 (the limit is
 * 6) and the alert rests on the evidence of a few minutes together:
 *
 * - day 16, 04:35: unseen until the evidence of several steps counted; then found after 152 s,
 *   93% covered, because the quiet minute before it diluted the evidence; now 92 s, 97%;
 * - day 75, 03:28: the same, 203 s and 86% covered (the issue asks at least 90%); now 143 s, 91%;
 * - day 60: a false requests-spike a minute after an ip-flood's alert resolved, opened by that
 *   alert's last step in the evidence with two busy minutes after it; now none.
 *
 * Each day is scored for every kind: all eight incidents found, no false alert.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { evaluateDetection, type KindEvaluation } from '../../src/realtime/index';
import { detect } from './collect';

/** Seed → the surge's detection delay (ms) and least coverage, as measured. */
const DAYS: [number, number, number][] = [
  [16, 92_000, 0.97],
  [60, 76_000, 0.988],
  [75, 143_000, 0.911],
];

describe.each(DAYS)('a generated day with a flash crowd, seed %i', (seed, delay, covered) => {
  it('finds every incident, the surge on time and covered, with no false alert', () => {
    const generator = createGenerator(
      defaultOptions({ seed, incidents: [...INCIDENT_KINDS], format: 'combined-time' }),
    );
    const evaluation = evaluateDetection(detect(generator.records()), generator.truth());
    const found = (k: KindEvaluation) => [
      k.incidentKind,
      k.incidents,
      k.detected,
      k.falsePositives,
    ];
    expect(evaluation.kinds.map(found)).toEqual(INCIDENT_KINDS.map((kind) => [kind, 1, 1, 0]));
    const surge = evaluation.kinds.find((k) => k.incidentKind === 'surge') as KindEvaluation;
    expect(surge.delayMaxMs).toBe(delay);
    expect(Number(surge.coverageMin?.toFixed(3))).toBe(covered);
    expect(surge.coverageMin).toBeGreaterThanOrEqual(0.9);
  }, 60_000);
});
