/**
 * The engine judges closed windows only, so records shuffled within the allowed lateness give
 * exactly the alerts of sorted records, in the same order; a record behind the watermark is
 * counted and handed to onLate, and changes nothing else.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';
import { type Alert, createDetectionEngine } from '../../src/realtime/index';
import { detect, shuffleWithin, withinLateness } from './collect';

// Six hours, 120,000 lines: dense enough that every incident is well above its threshold, and
// long enough for a slow scan of 40 minutes (each incident gets a seventh of the span).
const options = defaultOptions({
  seed: 9,
  lines: 120_000,
  spanMs: 6 * 3_600_000,
  incidents: [...INCIDENT_KINDS],
});
const sorted = [...createGenerator(options).records()];
const sortedAlerts = detect(sorted);

describe('the engine on out-of-order input', () => {
  it('finds every incident kind on the sorted input (so the comparison below means something)', () => {
    const kinds = new Set(sortedAlerts.map((a) => a.kind));
    expect([...kinds].sort()).toEqual([
      'anomaly',
      'error-spike',
      'ip-flood',
      'prefix-flood',
      'scanner',
      'slow-scan',
    ]);
  });

  it.each([1, 2, 3])(
    'gives the same alerts for input shuffled within the lateness (seed %i)',
    (seed) => {
      const shuffled = shuffleWithin(sorted, (r) => r.time, 30_000, seed);
      expect(withinLateness(shuffled, (r) => r.time, 30_000)).toBe(true);
      const late: LogRecord[] = [];
      const alerts: Alert[] = [];
      const engine = createDetectionEngine({
        sink: (a) => alerts.push(a),
        onLate: (r) => late.push(r),
      });
      engine.processAll(shuffled);
      engine.flush();
      expect(late).toEqual([]);
      expect(alerts).toEqual(sortedAlerts);
    },
  );

  it('counts a record behind the watermark as late, reports it, and alerts as before', () => {
    const i = 30_000;
    const straggler = { ...sorted[i], time: sorted[i].time - 30_001 };
    const input = [...sorted.slice(0, i + 1), straggler, ...sorted.slice(i + 1)];
    const late: [LogRecord, number][] = [];
    const alerts: Alert[] = [];
    const engine = createDetectionEngine({
      sink: (a) => alerts.push(a),
      onLate: (r, watermark) => late.push([r, watermark]),
    });
    engine.processAll(input);
    engine.flush();
    expect(late).toEqual([[straggler, sorted[i].time - 30_000]]);
    expect(engine.counters().late).toBe(1);
    expect(engine.counters().records).toBe(sorted.length + 1);
    expect(alerts).toEqual(sortedAlerts);
  });
});
