/**
 * Incidents are where the ground truth says, strong enough to be obvious, and nowhere else: a
 * later stage scores detection against this truth.
 */
import { describe, expect, it } from 'vitest';
import {
  createGenerator,
  defaultOptions,
  type GenerateOptions,
  INCIDENT_KINDS,
  type Incident,
} from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';
import {
  busiest,
  distinct404PathsByIp,
  FIVE_MINUTES,
  maxInWindow,
  pathOnly,
  recordsOf,
  timesBy,
} from './log-stats';

const ALL = [...INCIDENT_KINDS];

function incident(options: GenerateOptions, kind: Incident['kind']): Incident {
  const found = createGenerator(options)
    .truth()
    .incidents.filter((i) => i.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

const inside = (r: LogRecord, i: Incident) => r.time >= i.start && r.time <= i.end;

for (const seed of [1, 2, 3]) {
  describe(`incidents, seed ${seed}`, () => {
    const options = defaultOptions({ seed, incidents: ALL });
    const records = recordsOf(options);
    const truth = createGenerator(options).truth();

    it('lists one incident of each kind, inside the span, apart from each other', () => {
      expect(truth.incidents.map((i) => i.kind).sort()).toEqual([
        'ddos',
        'error-burst',
        'ip-flood',
        'outage',
        'scanner',
        'slow-page',
        'slow-scan',
        'surge',
      ]);
      const sorted = [...truth.incidents].sort((a, b) => a.start - b.start);
      for (const i of sorted) {
        expect(i.start).toBeGreaterThanOrEqual(options.start);
        expect(i.end).toBeLessThan(options.start + options.spanMs);
        expect(i.end).toBeGreaterThan(i.start);
      }
      for (let k = 1; k < sorted.length; k++) {
        expect(sorted[k].start).toBeGreaterThan(sorted[k - 1].end + FIVE_MINUTES);
      }
    });

    it('error-burst: the URL fails on every request in its window, often enough to be obvious', () => {
      const burst = incident(options, 'error-burst');
      expect(burst.key.startsWith('/')).toBe(true);
      expect(burst.key.includes('?')).toBe(false);
      const onUrl = records.filter((r) => r.path === burst.key);
      const during = onUrl.filter((r) => inside(r, burst));
      expect(during.filter((r) => r.status < 500)).toEqual([]);
      expect(during.length).toBeGreaterThanOrEqual(24);
      expect(maxInWindow(during.map((r) => r.time))).toBeGreaterThanOrEqual(15);
      expect(burst.end - burst.start).toBeGreaterThanOrEqual(3 * 60_000);
      expect(burst.end - burst.start).toBeLessThanOrEqual(8 * 60_000);
      // Outside its window the URL is as healthy as any other.
      const failingOutside = onUrl.filter((r) => !inside(r, burst) && r.status >= 500);
      expect(maxInWindow(failingOutside.map((r) => r.time))).toBeLessThan(15);
    });

    it('ip-flood: one address sends hundreds of requests in a few minutes, only then', () => {
      const flood = incident(options, 'ip-flood');
      const fromIp = records.filter((r) => r.ip === flood.key);
      expect(fromIp.filter((r) => !inside(r, flood))).toEqual([]);
      expect(fromIp.length).toBeGreaterThanOrEqual(270);
      expect(maxInWindow(fromIp.map((r) => r.time))).toBeGreaterThanOrEqual(150);
      expect(fromIp[0].time).toBe(flood.start);
      expect(fromIp[fromIp.length - 1].time).toBe(flood.end);
      // A flood, not a scan: no 404s and no 5xx.
      expect(fromIp.filter((r) => r.status === 404 || r.status >= 500)).toEqual([]);
    });

    it('scanner: one address probes many distinct missing paths, mostly 404', () => {
      const scan = incident(options, 'scanner');
      const fromIp = records.filter((r) => r.ip === scan.key);
      expect(fromIp.filter((r) => !inside(r, scan))).toEqual([]);
      expect(fromIp.length).toBeGreaterThanOrEqual(80);
      const notFound = fromIp.filter((r) => r.status === 404);
      expect(notFound.length / fromIp.length).toBeGreaterThan(0.85);
      expect(new Set(notFound.map((r) => r.path)).size).toBe(notFound.length);
      expect(notFound.length).toBeGreaterThanOrEqual(60);
    });

    it('leaves no other address or URL looking like an incident', () => {
      const keys = new Set(truth.incidents.map((i) => i.key));
      const perIp = timesBy(
        records,
        (r) => r.ip,
        (r) => !keys.has(r.ip),
      );
      expect(busiest(perIp).count).toBeLessThan(150);
      // A site-wide outage fails every URL: outside it, no URL but the burst's fails often.
      const outage = incident(options, 'outage');
      const errors = timesBy(
        records,
        (r) => pathOnly(r.path),
        (r) => r.status >= 500 && !keys.has(pathOnly(r.path)) && !inside(r, outage),
      );
      expect(busiest(errors).count).toBeLessThan(15);
      const scans = [...distinct404PathsByIp(records)].filter(([ip, n]) => !keys.has(ip) && n > 4);
      expect(scans).toEqual([]);
    });
  });
}

describe('incidents on request', () => {
  it('injects only the kinds asked for', () => {
    for (const kind of ALL) {
      const truth = createGenerator(defaultOptions({ lines: 20_000, incidents: [kind] })).truth();
      expect(truth.incidents.map((i) => i.kind)).toEqual([kind]);
    }
    expect(createGenerator(defaultOptions({ lines: 20_000 })).truth()).toEqual({ incidents: [] });
  });

  it('counts incident lines in --lines and keeps them to a quarter of a small run', () => {
    const options = defaultOptions({ lines: 1_000, incidents: ALL });
    const records = [...createGenerator(options).records()];
    expect(records).toHaveLength(1_000);
    const keys = new Set(
      createGenerator(options)
        .truth()
        .incidents.map((i) => i.key),
    );
    const injected = records.filter((r) => keys.has(r.ip)).length;
    expect(injected).toBeGreaterThan(0);
    expect(injected).toBeLessThanOrEqual(250);
  });

  it('places incidents inside a short real-time run', () => {
    const start = Date.UTC(2024, 0, 1);
    const options = defaultOptions({ lines: 30_000, rate: 50, start, incidents: ALL });
    for (const i of createGenerator(options).truth().incidents) {
      expect(i.start).toBeGreaterThanOrEqual(start);
      expect(i.end).toBeLessThan(start + 600_000);
    }
  });
});
