import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/record';
import { createSummaryAggregator, topEntries } from '../../src/summary/aggregator';

function rec(
  ip: string,
  iso: string,
  status: number,
  path: string | null,
  userAgent: string | null,
): LogRecord {
  return {
    ip,
    ident: null,
    user: null,
    time: Date.parse(iso),
    method: path === null ? null : 'GET',
    path,
    protocol: path === null ? null : 'HTTP/1.1',
    status,
    bytes: 100,
    referrer: null,
    userAgent,
    durationMs: null,
  };
}

const UA1 = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0';
const UA2 = 'curl/8.5.0';
const UA3 = 'Googlebot/2.1 (+http://www.google.com/bot.html)';

/** Two days, three clients, a request line of "-", 4xx and 5xx answers, absent user agents. */
const RECORDS: LogRecord[] = [
  rec('10.0.0.1', '2024-03-12T18:05:00Z', 200, '/a', UA1),
  rec('10.0.0.1', '2024-03-12T18:10:00Z', 200, '/b', UA1), // same visitor as above
  rec('10.0.0.1', '2024-03-12T19:00:00Z', 404, '/missing', UA2), // 4xx: not a visitor
  rec('10.0.0.1', '2024-03-13T18:00:00Z', 200, '/a', UA1), // next day: a new visitor
  rec('10.0.0.2', '2024-03-12T18:30:00Z', 500, '/server-error', null),
  rec('10.0.0.2', '2024-03-12T18:31:00Z', 500, '/server-error', ''), // "" is "-": same visitor
  rec('10.0.0.2', '2024-03-12T07:00:00Z', 301, '/old', '-'), // same visitor again
  rec('10.0.0.3', '2024-03-12T19:59:59Z', 200, null, UA3), // request "-" counts under "-"
  rec('10.0.0.3', '2024-03-12T19:30:00Z', 503, '/server-error', UA3),
];

describe('summary aggregator on crafted records', () => {
  const agg = createSummaryAggregator();
  for (const r of RECORDS) agg.add(r);
  agg.reject('bad-status');
  agg.reject('empty-line');
  agg.reject('bad-status');
  const s = agg.result();

  it('counts lines, requests and rejections by reason', () => {
    expect([s.read, s.parsed, s.rejected, s.total]).toEqual([12, 9, 3, 9]);
    expect(Object.entries(s.rejectReasons)).toEqual([
      ['bad-status', 2],
      ['empty-line', 1],
    ]);
  });

  it('counts requests per status code', () => {
    expect(s.statusCodes).toEqual({ '200': 4, '301': 1, '404': 1, '500': 2, '503': 1 });
  });

  it('counts a visitor per day, address and user agent, leaving 4xx answers out', () => {
    // (12th, .1, UA1), (13th, .1, UA1), (12th, .2, "-"), (12th, .3, UA3)
    expect(s.uniqueVisitors).toBe(4);
  });

  it('finds the busiest UTC clock hour over all days', () => {
    expect(s.peakHour).toEqual({ hour: 18, requests: 5 });
    expect(s.hourly[7]).toBe(1);
    expect(s.hourly[19]).toBe(3);
    expect(s.hourly.reduce((a, b) => a + b, 0)).toBe(9);
    expect([s.firstTime, s.lastTime]).toEqual([
      '2024-03-12T07:00:00.000Z',
      '2024-03-13T18:00:00.000Z',
    ]);
  });

  it('ranks URLs and addresses by hits, ties by key', () => {
    expect(s.topUrls).toEqual([
      { key: '/server-error', hits: 3 },
      { key: '/a', hits: 2 },
      { key: '-', hits: 1 },
      { key: '/b', hits: 1 },
      { key: '/missing', hits: 1 },
      { key: '/old', hits: 1 },
    ]);
    expect(s.topIps).toEqual([
      { key: '10.0.0.1', hits: 4 },
      { key: '10.0.0.2', hits: 3 },
      { key: '10.0.0.3', hits: 2 },
    ]);
    expect(agg.result({ top: 2 }).topUrls).toEqual([
      { key: '/server-error', hits: 3 },
      { key: '/a', hits: 2 },
    ]);
  });

  it('lists error URLs with their status, most frequent first', () => {
    expect(s.topErrors).toEqual([
      { url: '/server-error', status: 500, count: 2 },
      { url: '/missing', status: 404, count: 1 },
      { url: '/server-error', status: 503, count: 1 },
    ]);
  });
});

describe('peak hour', () => {
  it('goes to the earlier hour on a tie', () => {
    const agg = createSummaryAggregator();
    agg.add(rec('1.1.1.1', '2024-03-12T05:00:00Z', 200, '/', UA1));
    agg.add(rec('1.1.1.1', '2024-03-12T03:10:00Z', 200, '/', UA1));
    agg.add(rec('1.1.1.1', '2024-03-14T05:20:00Z', 200, '/', UA1));
    agg.add(rec('1.1.1.1', '2024-03-15T03:20:00Z', 200, '/', UA1));
    expect(agg.result().peakHour).toEqual({ hour: 3, requests: 2 });
  });

  it('adds the same clock hour of different days together', () => {
    const agg = createSummaryAggregator();
    for (const day of ['12', '13', '14']) {
      agg.add(rec('1.1.1.1', `2024-03-${day}T23:59:59Z`, 200, '/', UA1));
    }
    agg.add(rec('1.1.1.1', '2024-03-12T00:00:00Z', 200, '/', UA1));
    agg.add(rec('1.1.1.1', '2024-03-12T00:30:00Z', 200, '/', UA1));
    expect(agg.result().peakHour).toEqual({ hour: 23, requests: 3 });
  });

  it('is null when nothing was parsed', () => {
    const agg = createSummaryAggregator();
    agg.reject('empty-line');
    const s = agg.result();
    expect([s.peakHour, s.firstTime, s.total, s.uniqueVisitors]).toEqual([null, null, 0, 0]);
  });
});

describe('merging aggregators', () => {
  it('gives what one aggregator over all records gives, in either order', () => {
    const whole = createSummaryAggregator();
    for (const r of RECORDS) whole.add(r);
    // Halves with user agents first seen in different orders, so their ids differ.
    const a = createSummaryAggregator();
    const b = createSummaryAggregator();
    RECORDS.forEach((r, i) => {
      (i % 2 === 0 ? a : b).add(r);
    });
    b.add(rec('10.0.0.9', '2024-03-12T01:00:00Z', 200, '/z', UA3));
    whole.add(rec('10.0.0.9', '2024-03-12T01:00:00Z', 200, '/z', UA3));
    b.reject('bad-host');
    whole.reject('bad-host');
    const ab = createSummaryAggregator();
    ab.merge(a);
    ab.merge(b);
    const ba = createSummaryAggregator();
    ba.merge(b.state);
    ba.merge(a.state);
    expect(ab.result()).toEqual(whole.result());
    expect(ba.result()).toEqual(whole.result());
    expect(whole.result().uniqueVisitors).toBe(5);
  });

  it('does not count a visitor twice when both halves saw it', () => {
    const a = createSummaryAggregator();
    const b = createSummaryAggregator();
    a.add(rec('10.0.0.1', '2024-03-12T01:00:00Z', 200, '/', UA1));
    b.add(rec('10.0.0.1', '2024-03-12T23:00:00Z', 200, '/x', UA2));
    b.add(rec('10.0.0.1', '2024-03-12T22:00:00Z', 200, '/y', UA1));
    a.merge(b);
    expect(a.result().uniqueVisitors).toBe(2);
    expect(a.result().topIps).toEqual([{ key: '10.0.0.1', hits: 3 }]);
  });
});

describe('topEntries', () => {
  const entries: [string, number][] = [
    ['b', 2],
    ['a', 2],
    ['c', 5],
    ['d', 1],
  ];
  it('keeps the largest counts, ties in key order', () => {
    expect(topEntries(entries, (n) => n, 3)).toEqual([
      ['c', 5],
      ['a', 2],
      ['b', 2],
    ]);
  });
  it('sorts everything for long limits', () => {
    expect(topEntries(entries, (n) => n, Number.POSITIVE_INFINITY)).toEqual([
      ['c', 5],
      ['a', 2],
      ['b', 2],
      ['d', 1],
    ]);
    expect(topEntries(entries, (n) => n, 0)).toEqual([]);
  });
});
