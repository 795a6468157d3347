/**
 * prefix-flood on crafted traffic: many addresses of one /24 or /64, each far under the
 * ip-flood threshold, together over minRequests with at least minAddresses of them; the same
 * volume from one address, or from addresses spread over many networks, is not a prefix flood.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import { prefixFloodOptions, prefixOf } from '../../src/realtime/index';
import { detect, only, record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 10);

/** `perIp` requests from each address, spread evenly over [T0, T0 + minutes). */
function crowd(ips: string[], perIp: number, minutes: number): LogRecord[] {
  const out: LogRecord[] = [];
  const total = ips.length * perIp;
  for (let i = 0; i < total; i++) {
    out.push(record(ips[i % ips.length], '/', 200, T0 + Math.floor((i * minutes * MIN) / total)));
  }
  return out;
}

const v4 = (n: number) => Array.from({ length: n }, (_, i) => `203.0.113.${i + 1}`);

describe('prefixOf', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:0:1:aa:bb:cc:dd', '2001:db8:0:1::/64'],
    ['2001:0DB8:0000:0001::5', '2001:db8:0:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::ffff:198.51.100.4', '198.51.100.0/24'],
    ['::1', '0:0:0:0::/64'],
    ['2001:DB8:0:1:a:b:c:d', '2001:db8:0:1::/64'],
    ['2a01:4f8:c17:1234::1', '2a01:4f8:c17:1234::/64'],
    ['0000:0:00:000:1', '0:0:0:0::/64'],
    ['12345:1:2:3:4', '12345:1:2:3::/64'],
    ['1:2:3', '1:2:3:0::/64'],
    ['localhost', 'localhost'],
    // Not an address, but what a host field may hold: answered, never thrown.
    ['1:2:3:4:5:6:7:8::9:10', '1:2:3:4::/64'],
    ['a::b:c:d:e:f:1:2:3:4', 'a:b:c:d::/64'],
  ])('%s is in %s', (ip, prefix) => {
    expect(prefixOf(ip)).toBe(prefix);
  });
});

describe('prefix-flood', () => {
  it('opens at 300 requests from 20 addresses of one /24 in a window, and not at 299', () => {
    // 20 addresses × 15 requests over 5 minutes: 300 in the window ending T0+5m.
    const alerts = detect(crowd(v4(20), 15, 5), only('prefixFlood'));
    expect(
      alerts.map((a) => [a.kind, a.key, a.state, a.windowEnd, a.observed, a.threshold]),
    ).toEqual([
      ['prefix-flood', '203.0.113.0/24', 'open', T0 + 5 * MIN, 300, 300],
      ['prefix-flood', '203.0.113.0/24', 'resolved', T0 + 6 * MIN, 240, 300],
    ]);
    const below = crowd(v4(20), 15, 5).slice(1);
    expect(detect(below, only('prefixFlood'))).toEqual([]);
  });

  it('wants 20 distinct addresses: 19 sending 400 between them is not a crowd', () => {
    expect(detect(crowd(v4(19), 22, 5), only('prefixFlood'))).toEqual([]);
    // One address sending 400: an ip-flood, not a prefix flood.
    const one = detect(crowd(v4(1), 400, 5), { ...only('prefixFlood'), ipFlood: {} });
    expect([...new Set(one.map((a) => a.kind))]).toEqual(['ip-flood']);
  });

  it('does not add up addresses of different networks', () => {
    const spread = Array.from({ length: 200 }, (_, i) => `198.51.${i}.7`);
    expect(detect(crowd(spread, 5, 5), only('prefixFlood'))).toEqual([]);
  });

  it('counts a /64 of IPv6 addresses together, written in any form', () => {
    const ips = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0
        ? `2001:db8:7:1::${(i + 1).toString(16)}`
        : `2001:0db8:0007:0001:0:0:0:${(i + 1).toString(16)}`,
    );
    const alerts = detect(crowd(ips, 10, 10), only('prefixFlood'));
    expect(alerts[0].key).toBe('2001:db8:7:1::/64');
    expect(alerts.filter((a) => a.state === 'open').length).toBe(1);
    // No ip-flood among them: each address sent 10 requests.
    expect(detect(crowd(ips, 10, 10), only('ipFlood'))).toEqual([]);
  });

  it('opens a second alert for a second flood from the same network an hour later', () => {
    const first = crowd(v4(30), 10, 5);
    const second = crowd(v4(30), 10, 5).map((r) => ({ ...r, time: r.time + 60 * MIN }));
    const alerts = detect([...first, ...second], only('prefixFlood'));
    expect(alerts.map((a) => [a.state, a.firstSeen])).toEqual([
      ['open', T0 + 5 * MIN],
      ['resolved', T0 + 5 * MIN],
      ['open', T0 + 65 * MIN],
      ['resolved', T0 + 65 * MIN],
    ]);
  });

  it('rejects options that cannot work with one clear sentence', () => {
    expect(() => prefixFloodOptions({ minAddresses: 0 })).toThrow(
      'prefix-flood minAddresses must be a whole number ≥ 1, got 0',
    );
  });
});
