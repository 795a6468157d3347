/**
 * Normal traffic never looks like an incident by itself, over several seeds and also when the
 * traffic is dense: no address with 150 requests in five minutes, no URL with 15 errors in five
 * minutes, no address collecting 404s.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, NOT_FOUND_LIMIT, REQUEST_LIMIT } from '../../src/generate/index';
import { busiest, distinct404PathsByIp, pathOnly, recordsOf, timesBy } from './log-stats';

const cases = [
  ...[1, 2, 3, 4, 5].map((seed) => ({
    name: `a day, seed ${seed}`,
    options: defaultOptions({ seed }),
  })),
  {
    name: '200,000 lines in one hour',
    options: defaultOptions({ seed: 6, lines: 200_000, spanMs: 3_600_000 }),
  },
];

describe.each(cases)('clean normal traffic: $name', ({ options }) => {
  const records = recordsOf(options);

  it('has no address with 150 requests in five minutes', () => {
    const top = busiest(timesBy(records, (r) => r.ip));
    expect(top.count).toBeLessThan(150);
    expect(top.count).toBeLessThanOrEqual(2 * REQUEST_LIMIT);
  });

  it('has no URL with 15 errors in five minutes', () => {
    const top = busiest(
      timesBy(
        records,
        (r) => pathOnly(r.path),
        (r) => r.status >= 500,
      ),
    );
    expect(top.count).toBeLessThan(15);
  });

  it('has no address that collects 404s on many paths', () => {
    const most = Math.max(...distinct404PathsByIp(records).values());
    expect(most).toBeLessThanOrEqual(NOT_FOUND_LIMIT);
  });
});
