/**
 * Detection quality on days the detectors were not tuned on. Seeds 1–10 are the measured days of
 * detection-quality.test.ts and seeds 11–40 were used to find what the detectors missed (a
 * flash crowd or an outage at the night trough); seeds 41–50 were first run once the settings
 * were fixed, and their counts are written here as measured: every one of the eighty incidents
 * detected by the alert its kind maps to, no false alert, and every surge's alert open for at
 * least 98.5% of it (the issue asks for 90%). The slowest detection of each kind is bounded just
 * above what was measured (seconds): error-burst 148, ip-flood 119, scanner 71, surge 83,
 * outage 151, ddos 108, slow-scan 1856, slow-page 598. Before the anomaly detector weighed the
 * evidence of several steps, the outage of seed 41 (at 02:41, a dozen requests a minute) took
 * 331 s and its alert covered 68% of it; now 151 s and 89%. Anything that changes a detector or
 * the generator and loses an incident here, raises a false alert or detects later fails.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { evaluateDetection } from '../../src/realtime/index';
import { detect } from './collect';

const UNSEEN = [41, 42, 43, 44, 45, 46, 47, 48, 49, 50];

/** The slowest detection allowed per kind, ms. */
const MAX_DELAY: Record<string, number> = {
  'error-burst': 150_000,
  'ip-flood': 120_000,
  scanner: 75_000,
  surge: 85_000,
  outage: 155_000,
  ddos: 110_000,
  'slow-scan': 31 * 60_000,
  'slow-page': 10 * 60_000,
};

interface Tally {
  incidents: number;
  detected: number;
  falsePositives: number;
  missed: string[];
  falseAlarms: string[];
}

describe('detection on seeds not used for tuning', () => {
  it('detects all 80 incidents of seeds 41–50 with no false alert', () => {
    const tally = new Map<string, Tally>();
    const coverage = { surge: 1, outage: 1 };
    const slowest = new Map<string, number>();
    for (const seed of UNSEEN) {
      const generator = createGenerator(
        defaultOptions({ seed, incidents: [...INCIDENT_KINDS], format: 'combined-time' }),
      );
      const evaluation = evaluateDetection(detect(generator.records()), generator.truth());
      for (const k of evaluation.kinds) {
        const t = tally.get(k.incidentKind) ?? {
          incidents: 0,
          detected: 0,
          falsePositives: 0,
          missed: [],
          falseAlarms: [],
        };
        t.incidents += k.incidents;
        t.detected += k.detected;
        t.falsePositives += k.falsePositives;
        t.missed.push(...k.missed.map((m) => `seed ${seed} ${m.key}`));
        t.falseAlarms.push(...k.falseAlarms.map((f) => `seed ${seed} ${f.key}`));
        tally.set(k.incidentKind, t);
        if (k.delayMaxMs !== null) {
          slowest.set(k.incidentKind, Math.max(slowest.get(k.incidentKind) ?? 0, k.delayMaxMs));
        }
        if ((k.incidentKind === 'surge' || k.incidentKind === 'outage') && k.coverageMin !== null) {
          coverage[k.incidentKind] = Math.min(coverage[k.incidentKind], k.coverageMin);
        }
      }
    }
    const all: Tally = {
      incidents: 10,
      detected: 10,
      falsePositives: 0,
      missed: [],
      falseAlarms: [],
    };
    expect(Object.fromEntries(tally)).toEqual(
      Object.fromEntries(INCIDENT_KINDS.map((kind) => [kind, all])),
    );
    const late = INCIDENT_KINDS.filter((kind) => (slowest.get(kind) ?? 0) > MAX_DELAY[kind]);
    expect(late.map((kind) => `${kind} ${slowest.get(kind)} ms`)).toEqual([]);
    expect(coverage.surge).toBeGreaterThanOrEqual(0.985);
    expect(coverage.outage).toBeGreaterThanOrEqual(0.89);
  }, 180_000);
});
