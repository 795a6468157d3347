/**
 * Detection quality with default settings, measured against the generator's ground truth.
 *
 * - Seeds 1–10, a simulated day each with every incident kind (eight incidents a day), written
 *   as combined-time so that the request time is there for slow-page: every incident is
 *   detected by the alert its kind maps to (evaluate.ts) and no alert is false, so precision
 *   and recall are exactly 1 for each of the eight kinds, the classic three included.
 *   Measured delays over the ten days, mean / max: error-burst 2m07s / 2m36s, ip-flood 1m38s /
 *   2m17s, scanner 41s / 1m11s, surge 50s / 1m18s, outage 42s / 1m16s, ddos 1m04s / 1m51s,
 *   slow-scan 17m57s / 26m58s (it needs 30 distinct paths in its hour: at 1–2.5 probes a minute
 *   that takes 12–30 minutes), slow-page 3m04s / 7m37s (it needs three slowed requests in a
 *   window: at night the home page gets about one a minute); the maxima are asserted as bounds
 *   just above them. The surge alert covers at least 98.8% of each surge (asserted ≥ 98%).
 * - A clean simulated week (7 days, 700,000 lines, combined-time, no incidents): no alert at all.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { evaluateDetection, type KindEvaluation } from '../../src/realtime/index';
import { detect } from './collect';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const DAY = 86_400_000;

/** Detection delay bound per incident kind, ms. */
const MAX_DELAY: Record<string, number> = {
  'error-burst': 160_000,
  'ip-flood': 140_000,
  scanner: 80_000,
  surge: 80_000,
  outage: 80_000,
  ddos: 115_000,
  'slow-scan': 27 * 60_000,
  'slow-page': 8 * 60_000,
};

const pooled = new Map<string, KindEvaluation[]>();

describe.each(SEEDS)('a generated day with every incident kind, seed %i', (seed) => {
  it('has every incident detected by its alert and no false alert', () => {
    const generator = createGenerator(
      defaultOptions({ seed, incidents: [...INCIDENT_KINDS], format: 'combined-time' }),
    );
    const truth = generator.truth();
    expect(truth.incidents.map((i) => i.kind).sort()).toEqual([...INCIDENT_KINDS].sort());
    const evaluation = evaluateDetection(detect(generator.records()), truth);
    expect(evaluation.kinds.map((k) => k.incidentKind)).toEqual([...INCIDENT_KINDS]);
    for (const k of evaluation.kinds) {
      expect({
        kind: k.incidentKind,
        incidents: k.incidents,
        detected: k.detected,
        falsePositives: k.falsePositives,
        precision: k.precision,
        recall: k.recall,
        missed: k.missed,
        falseAlarms: k.falseAlarms,
      }).toEqual({
        kind: k.incidentKind,
        incidents: 1,
        detected: 1,
        falsePositives: 0,
        precision: 1,
        recall: 1,
        missed: [],
        falseAlarms: [],
      });
      expect(k.delayMaxMs).toBeLessThanOrEqual(MAX_DELAY[k.incidentKind]);
      pooled.set(k.incidentKind, [...(pooled.get(k.incidentKind) ?? []), k]);
    }
    const surge = evaluation.kinds.find((k) => k.incidentKind === 'surge') as KindEvaluation;
    expect(surge.coverageMin).toBeGreaterThanOrEqual(0.98);
  });
});

describe('over the ten days', () => {
  it('detects all 80 incidents and raises no false alert', () => {
    expect([...pooled.keys()]).toEqual([...INCIDENT_KINDS]);
    for (const [, days] of pooled) {
      expect(days.reduce((n, k) => n + k.detected, 0)).toBe(10);
      expect(days.reduce((n, k) => n + k.falsePositives, 0)).toBe(0);
    }
  });
});

describe('a clean simulated week', () => {
  it('gives no alert at all over seven days without incidents', () => {
    const generator = createGenerator(
      defaultOptions({ seed: 1, lines: 700_000, spanMs: 7 * DAY, format: 'combined-time' }),
    );
    expect(generator.truth().incidents).toEqual([]);
    expect(detect(generator.records())).toEqual([]);
  }, 60_000);
});
