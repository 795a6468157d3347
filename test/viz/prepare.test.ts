import { describe, expect, it } from 'vitest';
import { parseCombined } from '../../src/log/combined';
import type { ParseOutcome } from '../../src/log/record';
import {
  countBy,
  fromStatusMap,
  statusClass,
  statusCounts,
  trafficPerMinute,
} from '../../src/viz/prepare';
import { incidentRows, outcomeRows } from '../../src/viz/rows';

const T0 = Date.UTC(2025, 2, 1, 10, 0, 0);

describe('trafficPerMinute', () => {
  it('buckets by minute, counts 4xx and 5xx, and fills quiet minutes with zeros', () => {
    const records = [
      { time: T0 + 59_999, status: 200 },
      { time: T0 + 1_000, status: 404 },
      { time: T0 + 3 * 60_000 + 5, status: 503 },
      { time: T0 + 3 * 60_000 + 6, status: 500 },
      { time: T0 + 3 * 60_000 + 7, status: 302 },
    ];
    expect(trafficPerMinute(records)).toEqual([
      { time: T0, requests: 2, status4xx: 1, status5xx: 0 },
      { time: T0 + 60_000, requests: 0, status4xx: 0, status5xx: 0 },
      { time: T0 + 120_000, requests: 0, status4xx: 0, status5xx: 0 },
      { time: T0 + 180_000, requests: 3, status4xx: 0, status5xx: 2 },
    ]);
  });

  it('takes other bucket widths and returns nothing for no records', () => {
    const records = [
      { time: T0 + 10_000, status: 200 },
      { time: T0 + 50_000, status: 200 },
    ];
    expect(trafficPerMinute(records, { bucketMs: 30_000 }).map((p) => p.requests)).toEqual([1, 1]);
    expect(trafficPerMinute([])).toEqual([]);
    expect(() => trafficPerMinute(records, { bucketMs: 0 })).toThrow(RangeError);
  });
});

describe('status classes and counts', () => {
  it('classifies status codes', () => {
    expect([101, 200, 299, 304, 404, 499, 500, 599, 600, 0].map(statusClass)).toEqual([
      '1xx',
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
      'other',
      'other',
    ]);
  });

  it('counts per code, sorted by code, from records, maps or summary objects', () => {
    const records = [{ status: 404 }, { status: 200 }, { status: 200 }, { status: 500 }];
    const expected = [
      { status: 200, requests: 2 },
      { status: 404, requests: 1 },
      { status: 500, requests: 1 },
    ];
    expect(statusCounts(records)).toEqual(expected);
    expect(fromStatusMap({ '500': 1, '200': 2, '404': 1 })).toEqual(expected);
    expect(
      fromStatusMap(
        new Map([
          [404, 1],
          [500, 1],
          [200, 2],
        ]),
      ),
    ).toEqual(expected);
    expect(() => fromStatusMap({ abc: 1 })).toThrow(RangeError);
  });
});

describe('countBy', () => {
  it('counts keys, most frequent first, ties by key', () => {
    const reasons = ['bad-status', 'bad-timestamp', 'bad-status', 'bad-bytes', 'bad-timestamp'];
    expect(countBy(reasons, (r) => r)).toEqual([
      { key: 'bad-status', count: 2 },
      { key: 'bad-timestamp', count: 2 },
      { key: 'bad-bytes', count: 1 },
    ]);
  });
});

describe('table rows', () => {
  it('lists incidents with UTC times and minutes', () => {
    const rows = incidentRows([
      { kind: 'scanner', key: '10.0.0.9', start: T0, end: T0 + 4 * 60_000 + 30_000 },
    ]);
    expect(rows).toEqual([
      {
        kind: 'scanner',
        key: '10.0.0.9',
        'start (UTC)': '2025-03-01 10:00:00',
        'end (UTC)': '2025-03-01 10:04:30',
        minutes: 4.5,
      },
    ]);
  });

  it('says what a parser made of each line', () => {
    const parse = (line: string): ParseOutcome =>
      line.startsWith('x')
        ? { kind: 'rejected', reason: 'bad-host', message: 'host is not an address' }
        : {
            ip: '::1',
            ident: null,
            user: null,
            time: T0,
            method: line === '-' ? null : 'GET',
            path: line === '-' ? null : '/a',
            protocol: null,
            status: 408,
            bytes: null,
            referrer: null,
            userAgent: null,
            durationMs: null,
          };
    expect(outcomeRows(['ok', 'x y', '-'], parse)).toEqual([
      { line: 1, outcome: 'parsed', detail: '::1 GET /a → 408', raw: 'ok' },
      { line: 2, outcome: 'bad-host', detail: 'host is not an address', raw: 'x y' },
      { line: 3, outcome: 'parsed', detail: '::1 "-" → 408', raw: '-' },
    ]);
  });

  it('says when a parsed line was truncated', () => {
    const line = '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 1 "-" "cut';
    expect(outcomeRows([line], parseCombined)).toEqual([
      { line: 1, outcome: 'parsed, truncated', detail: '1.2.3.4 GET /a → 200', raw: line },
    ]);
  });
});
