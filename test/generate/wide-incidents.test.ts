/**
 * The incidents no single-key threshold sees, checked on the log itself: a surge multiplies the
 * site's traffic with a normal error ratio, an outage fails most answers, a distributed flood is
 * a crowd of one network each under the per-address limit, a slow scan stays under the scanner's
 * five-minute threshold for hours. And the same seed gives the same log with them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createGenerator,
  defaultOptions,
  generateChunks,
  INCIDENT_KINDS,
  type Incident,
} from '../../src/generate/index';
import type { LogRecord } from '../../src/log/record';
import { prefixOf } from '../../src/realtime/index';
import { busiest, FIVE_MINUTES, maxInWindow, recordsOf, timesBy } from './log-stats';

const MIN = 60_000;
const inside = (r: LogRecord, i: Incident) => r.time >= i.start && r.time <= i.end;

for (const seed of [1, 2, 3]) {
  describe(`wide incidents, seed ${seed}`, () => {
    const options = defaultOptions({ seed, incidents: [...INCIDENT_KINDS] });
    const records = recordsOf(options);
    const truth = createGenerator(options).truth();
    const one = (kind: string) => {
      const found = truth.incidents.filter((i) => i.kind === kind);
      expect(found).toHaveLength(1);
      return found[0];
    };

    it('surge: 20–60 minutes of 4–11 times the traffic of the hour before, errors as usual', () => {
      const surge = one('surge');
      expect(surge.key).toBe('site');
      const minutes = (surge.end - surge.start) / MIN;
      expect(minutes).toBeGreaterThanOrEqual(20);
      expect(minutes).toBeLessThanOrEqual(60);
      const during = records.filter((r) => inside(r, surge));
      const before = records.filter(
        (r) => r.time >= surge.start - 60 * MIN && r.time < surge.start,
      );
      const ratio = during.length / minutes / (before.length / 60);
      expect(ratio).toBeGreaterThan(4);
      expect(ratio).toBeLessThan(11);
      const errors = during.filter((r) => r.status >= 500).length / during.length;
      expect(errors).toBeLessThan(0.01);
    });

    it('outage: 5–15 minutes in which more than half of all answers are 5xx', () => {
      const outage = one('outage');
      expect(outage.key).toBe('site');
      const minutes = (outage.end - outage.start) / MIN;
      expect(minutes).toBeGreaterThanOrEqual(5);
      expect(minutes).toBeLessThanOrEqual(15);
      const during = records.filter((r) => inside(r, outage));
      expect(during.filter((r) => r.status >= 500).length / during.length).toBeGreaterThan(0.5);
      const hourAfter = records.filter(
        (r) => r.time > outage.end + MIN && r.time < outage.end + 61 * MIN,
      );
      expect(hourAfter.filter((r) => r.status >= 500).length / hourAfter.length).toBeLessThan(0.01);
    });

    it('ddos: 100–500 addresses of one prefix, each under 150 in five minutes, ≥ 10× any other network', () => {
      const ddos = one('ddos');
      expect(ddos.key).toMatch(/^(\d+\.\d+\.\d+\.0\/24|[0-9a-f]+(:[0-9a-f]+){3}::\/64)$/);
      const crowd = records.filter((r) => prefixOf(r.ip) === ddos.key);
      expect(crowd.filter((r) => !inside(r, ddos))).toEqual([]);
      const addresses = new Set(crowd.map((r) => r.ip));
      expect(addresses.size).toBeGreaterThanOrEqual(100);
      expect(addresses.size).toBeLessThanOrEqual(ddos.key.endsWith('/24') ? 254 : 500);
      const perIp = timesBy(crowd, (r) => r.ip);
      expect(busiest(perIp).count).toBeLessThan(150);
      // Ten times and more what any other network sends in five minutes (the other incidents'
      // addresses aside: an ip-flood is one address sending hundreds).
      const keys = new Set(truth.incidents.map((i) => i.key));
      const others = timesBy(
        records,
        (r) => prefixOf(r.ip),
        (r) => prefixOf(r.ip) !== ddos.key && !keys.has(r.ip),
      );
      const crowdPeak = maxInWindow(crowd.map((r) => r.time));
      expect(crowdPeak).toBeGreaterThanOrEqual(10 * busiest(others).count);
      expect(crowd.filter((r) => r.status >= 500)).toEqual([]);
    });

    it('slow-scan: one address probes missing paths for hours, never 20 in five minutes', () => {
      const scan = one('slow-scan');
      const fromIp = records.filter((r) => r.ip === scan.key);
      expect(fromIp.filter((r) => !inside(r, scan))).toEqual([]);
      expect(scan.end - scan.start).toBeGreaterThanOrEqual(60 * MIN);
      expect(scan.end - scan.start).toBeLessThanOrEqual(150 * MIN);
      const probes = fromIp.filter((r) => r.status === 404 || r.status === 403);
      expect(probes.length).toBe(fromIp.length - 1);
      expect(new Set(probes.map((r) => r.path)).size).toBe(probes.length);
      expect(
        maxInWindow(
          probes.map((r) => r.time),
          FIVE_MINUTES,
        ),
      ).toBeLessThan(20);
      // Over an hour there are many: at least one a minute.
      expect(
        maxInWindow(
          probes.map((r) => r.time),
          60 * MIN,
        ),
      ).toBeGreaterThanOrEqual(59);
    });
  });
}

describe('wide incidents, deterministic', () => {
  const digest = (seed: number) => {
    const hash = createHash('sha256');
    const options = defaultOptions({ seed, lines: 30_000, incidents: [...INCIDENT_KINDS] });
    for (const chunk of generateChunks(options)) hash.update(chunk);
    return hash.digest('hex');
  };

  it('gives the same bytes and truth for the same seed, others for another', () => {
    expect(digest(5)).toBe(digest(5));
    expect(digest(6)).not.toBe(digest(5));
    const truth = (seed: number) =>
      createGenerator(defaultOptions({ seed, incidents: [...INCIDENT_KINDS] })).truth();
    expect(truth(5)).toEqual(truth(5));
  });

  it('leaves a log without the wide kinds exactly as it was', () => {
    // The classic kinds draw the same random numbers whether or not the new kinds exist.
    const classic = defaultOptions({
      seed: 3,
      lines: 20_000,
      incidents: ['error-burst', 'ip-flood', 'scanner'],
    });
    const hash = createHash('sha256');
    for (const chunk of generateChunks(classic)) hash.update(chunk);
    expect(hash.digest('hex')).toBe(CLASSIC_DIGEST);
  });
});

/** sha256 of seed 3, 20,000 lines, the classic kinds, before the wide kinds were added. */
const CLASSIC_DIGEST = '8b1d9b7995d3a0dbde0a27fe1e46f4a7d79bc7beef7f7855d63f88ec03d1060d';
