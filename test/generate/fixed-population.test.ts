/**
 * --clients N: a fixed population of normal clients. Exact address counts, the split by kind,
 * the default traffic's first visitors, clean traffic at the smallest population allowed, and
 * refusal of one too small.
 */
import { describe, expect, it } from 'vitest';
import { createHitStream } from '../../src/generate/generator';
import {
  createGenerator,
  defaultOptions,
  type GenerateOptions,
  generateLines,
  INCIDENT_KINDS,
} from '../../src/generate/index';
import { minimumClients } from '../../src/generate/population';
import { maxInWindow } from './log-stats';

/** Distinct addresses of the generated lines, by client kind. */
function addressesByKind(options: GenerateOptions): Record<string, number> {
  const stream = createHitStream(options);
  const seen = new Map<string, string>();
  for (let hit = stream.next(); hit !== null; hit = stream.next()) {
    seen.set(hit.client.ip, hit.client.kind);
  }
  const out: Record<string, number> = { total: seen.size };
  for (const kind of seen.values()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

describe('a fixed client population', () => {
  it('has exactly N normal addresses, split as the default traffic is', () => {
    expect(addressesByKind(defaultOptions({ lines: 100_000, clients: 500 }))).toEqual({
      total: 500,
      desktop: 239,
      mobile: 239,
      bot: 10,
      tool: 10,
      monitor: 2,
    });
    expect(addressesByKind(defaultOptions({ lines: 1_000_000, clients: 2_000 }))).toEqual({
      total: 2_000,
      desktop: 959,
      mobile: 959,
      bot: 40,
      tool: 40,
      monitor: 2,
    });
  });

  it('without the option, a day of the same length meets many more', () => {
    expect(addressesByKind(defaultOptions({ lines: 100_000 })).total).toBe(3_439);
  });

  it('adds the incident addresses on top of N', () => {
    const all = defaultOptions({ lines: 100_000, incidents: [...INCIDENT_KINDS], clients: 500 });
    // 500 normal addresses and 176 of the incidents (floods, scanners, a distributed flood's
    // prefix, slow scans): crawlers are never incident clients, so theirs stay at 10.
    const counts = addressesByKind(all);
    expect(counts.total).toBe(676);
    expect(counts.bot).toBe(10);
    expect(counts.monitor).toBe(2);
  });

  it('starts with the visitors the default traffic meets first', () => {
    const head = (options: GenerateOptions, lines: number) => {
      const out: string[] = [];
      for (const line of generateLines(options)) {
        out.push(line);
        if (out.length === lines) break;
      }
      return out;
    };
    expect(head(defaultOptions({ clients: 500 }), 2_000)).toEqual(head(defaultOptions(), 2_000));
    // 100,000 lines meet 3,439 visitors: too few to fill 5,000 places, so nothing changes.
    expect(head(defaultOptions({ clients: 5_000 }), 100_000)).toEqual(
      head(defaultOptions(), 100_000),
    );
  });

  it('keeps every address under the per-address limits at the smallest size allowed, in a surge', () => {
    const lines = 100_000;
    const clients = minimumClients((lines * 300_000) / 86_400_000);
    expect(clients).toBe(139);
    const byIp = new Map<string, number[]>();
    for (const r of createGenerator(
      defaultOptions({ lines, clients, incidents: ['surge'] }),
    ).records()) {
      const times = byIp.get(r.ip) ?? [];
      times.push(r.time);
      byIp.set(r.ip, times);
    }
    expect(byIp.size).toBe(139);
    // Two aligned five-minute buckets of at most 60 requests each: under 150 in any window.
    expect(Math.max(...[...byIp.values()].map((t) => maxInWindow(t)))).toBeLessThanOrEqual(120);
  });

  it('refuses a population too small for the traffic', () => {
    expect(() => createGenerator(defaultOptions({ lines: 100_000, clients: 138 }))).toThrow(
      'clients must be a whole number ≥ 139 for 100000 lines over 1d (every client makes at most 60 requests in five minutes), got 138',
    );
    expect(() => createGenerator(defaultOptions({ lines: 10, clients: 99 }))).toThrow(
      'clients must be a whole number ≥ 100',
    );
  });
});
