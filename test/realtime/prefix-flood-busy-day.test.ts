/**
 * prefix-flood on clean traffic ten times busier than usual: half an hour at the rate of a
 * 10-million-line day (300,000 lines over 30 minutes, seed 42, no incidents). A crawler's /24
 * then sends more than 300 requests from more than 20 addresses in five minutes, over both
 * absolute bars, but its addresses stay near 1% of the site's: no prefix flood. The absolute
 * bars alone (a share of 0) raise alerts on the same records, which is what the share is for.
 */
import { describe, expect, it } from 'vitest';
import { createGenerator, defaultOptions } from '../../src/generate/index';
import { detect, only } from './collect';

const MIN = 60_000;

function busyHalfHour() {
  return createGenerator(
    defaultOptions({ seed: 42, lines: 300_000, spanMs: 30 * MIN, incidents: [] }),
  ).records();
}

describe('prefix-flood on a busy clean half hour', () => {
  it('raises no alert with the default settings', () => {
    expect(detect(busyHalfHour(), only('prefixFlood'))).toEqual([]);
  });

  it('would raise alerts on the same records with the absolute bars alone', () => {
    const alerts = detect(busyHalfHour(), {
      ...only('prefixFlood'),
      prefixFlood: { minAddressShare: 0 },
    });
    const T0 = Date.UTC(2024, 2, 12);
    expect(alerts.map((a) => [a.key, a.state, a.windowEnd - T0, a.observed])).toEqual([
      ['207.46.13.0/24', 'open', 17 * MIN, 439],
      ['207.46.13.0/24', 'resolved', 23 * MIN, 452],
    ]);
  });
});
