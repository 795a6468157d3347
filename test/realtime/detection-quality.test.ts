/**
 * Detection quality with default settings, measured against the generator's ground truth: a
 * simulated day with every incident kind gives precision and recall of at least 0.95 for every
 * kind on each of five seeds, and a day without incidents gives no alert at all.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { evaluateDetection } from '../../src/realtime/index';
import { detect } from './collect';

const SEEDS = [1, 2, 3, 4, 5];

describe.each(SEEDS)('a generated day, seed %i', (seed) => {
  it('has every incident detected and no false alert (precision and recall ≥ 0.95)', () => {
    const generator = createGenerator(defaultOptions({ seed, incidents: [...INCIDENT_KINDS] }));
    const truth = generator.truth();
    expect(truth.incidents.map((i) => i.kind).sort()).toEqual([
      'error-burst',
      'ip-flood',
      'scanner',
    ]);
    const evaluation = evaluateDetection(detect(generator.records()), truth);
    for (const k of evaluation.kinds) {
      expect({ kind: k.incidentKind, missed: k.missed, falseAlarms: k.falseAlarms }).toEqual({
        kind: k.incidentKind,
        missed: [],
        falseAlarms: [],
      });
      expect(k.precision).toBeGreaterThanOrEqual(0.95);
      expect(k.recall).toBeGreaterThanOrEqual(0.95);
      // Detected within a window and a hop of the start.
      expect(k.delayMaxMs).toBeLessThanOrEqual(360_000);
    }
    // Every anomaly alert falls on an incident.
    expect(evaluation.anomaly.falsePositives).toBe(0);
  });

  it('gives no alert at all on a day without incidents', () => {
    const generator = createGenerator(defaultOptions({ seed }));
    expect(generator.truth().incidents).toEqual([]);
    expect(detect(generator.records())).toEqual([]);
  });
});
