/** Reading a GoAccess report and comparing it with a summary, on crafted data (no GoAccess needed). */
import { describe, expect, it } from 'vitest';
import {
  compareWithGoAccess,
  goaccessFigures,
  goaccessRequestKey,
  noGoAccessFigures,
} from '../../src/summary/goaccess';
import type { Summary } from '../../src/summary/types';

function row(data: string, hits: number, extra: Record<string, unknown> = {}) {
  return { hits: { count: hits, percent: '0' }, visitors: { count: 0 }, data, ...extra };
}

/** The shape GoAccess 1.7 writes, cut down to what is read. */
const REPORT = {
  general: { total_requests: 7, valid_requests: 6, failed_requests: 1, unique_visitors: 3 },
  requests: { data: [row('/a?x=1', 2, { method: 'GET' }), row('/a?x=1', 1, { method: 'HEAD' })] },
  static_requests: { data: [row('/s.css', 1)] },
  not_found: { data: [row('/s.css', 1), row('/caf\u00c3\u00a9', 1)] },
  hosts: { data: [row('10.0.0.1', 4), row('10.0.0.2', 2)] },
  status_codes: {
    data: [
      row('2xx Success', 4, {
        items: [row('200 - OK: The request sent by the client was successful', 4)],
      }),
      row('4xx Client Errors', 2, {
        items: [row('404 - Not Found: Requested Resource Not Found', 2)],
      }),
    ],
  },
  visit_time: { data: [row('00', 1), row('18', 5)] },
  visitors: {
    data: [
      row('20261206', 1, { visitors: { count: 1 } }),
      row('20261205', 5, { visitors: { count: 2 } }),
    ],
  },
};

const SUMMARY: Summary = {
  read: 7,
  parsed: 6,
  rejected: 1,
  rejectReasons: { 'bad-status': 1 },
  truncated: 0,
  total: 6,
  statusCodes: { '200': 4, '404': 2 },
  uniqueVisitors: 3,
  peakHour: { hour: 18, requests: 5 },
  hourly: Array.from({ length: 24 }, (_, h) => (h === 0 ? 1 : h === 18 ? 5 : 0)),
  firstTime: null,
  lastTime: null,
  topUrls: [
    { key: '/a?x=1', hits: 3 },
    { key: '/s.css', hits: 2 },
    { key: '/caf%C3%A9', hits: 1 },
  ],
  topIps: [
    { key: '10.0.0.1', hits: 4 },
    { key: '10.0.0.2', hits: 2 },
  ],
  topErrors: [],
};

describe('goaccessFigures', () => {
  const ga = goaccessFigures(REPORT);

  it('reads the general figures, statuses and hours', () => {
    expect([ga.total, ga.valid, ga.failed, ga.uniqueVisitors]).toEqual([7, 6, 1, 3]);
    expect(ga.statusCodes).toEqual({ '200': 4, '404': 2 });
    expect(ga.hourly[18]).toBe(5);
    expect(ga.hourly.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('sums a request over methods and over the three request panels', () => {
    expect(ga.requestHits.get('/a?x=1')).toBe(3);
    expect(ga.requestHits.get('/s.css')).toBe(2);
    expect(ga.hostHits.get('10.0.0.2')).toBe(2);
  });

  it('reads unique visitors per day from the visitors panel, dates as YYYY-MM-DD', () => {
    expect(ga.dailyVisitors).toEqual({ '2026-12-05': 2, '2026-12-06': 1 });
  });
});

describe('goaccessRequestKey', () => {
  it('decodes %XX into bytes, one character per byte, as GoAccess keys requests', () => {
    expect(goaccessRequestKey('/caf%C3%A9')).toBe('/caf\u00c3\u00a9');
    expect(goaccessRequestKey('/café')).toBe('/caf\u00c3\u00a9');
    expect(goaccessRequestKey('/a%2Fb%20c?q=%zz')).toBe('/a/b c?q=%zz');
    expect(goaccessRequestKey(' /x%0A%0d ')).toBe('/x');
    expect(goaccessRequestKey('/cut%00here')).toBe('/cut');
    expect(goaccessRequestKey('/plus+stays')).toBe('/plus+stays');
  });
});

describe('compareWithGoAccess', () => {
  const ga = goaccessFigures(REPORT);

  it('finds nothing to say when every figure agrees', () => {
    expect(compareWithGoAccess(SUMMARY, ga)).toEqual([]);
  });

  it('names each figure that differs', () => {
    const off: Summary = {
      ...SUMMARY,
      total: 5,
      statusCodes: { '200': 3, '404': 2 },
      uniqueVisitors: 4,
      topIps: [{ key: '10.0.0.1', hits: 5 }],
    };
    expect(compareWithGoAccess(off, ga)).toEqual([
      'requests: loglab 5, GoAccess 6',
      'status 200: loglab 3, GoAccess 4',
      'unique visitors: loglab 4, GoAccess 3',
      'IP 10.0.0.1: loglab 5, GoAccess 4',
    ]);
  });

  it('adds what GoAccess counted on lines we rejected, and then leaves visitors out', () => {
    const fewer: Summary = { ...SUMMARY, total: 5, statusCodes: { '200': 3, '404': 2 } };
    fewer.hourly = SUMMARY.hourly.map((n, h) => (h === 18 ? n - 1 : n));
    fewer.topIps = [
      { key: '10.0.0.1', hits: 3 },
      { key: '10.0.0.2', hits: 2 },
    ];
    fewer.uniqueVisitors = 99;
    const extra = noGoAccessFigures();
    extra.valid = 1;
    extra.statusCodes = { '200': 1 };
    extra.hourly[18] = 1;
    extra.hostHits.set('10.0.0.1', 1);
    expect(compareWithGoAccess(fewer, ga, extra)).toEqual([]);
    expect(compareWithGoAccess(fewer, ga)).toContain('requests: loglab 5, GoAccess 6');
  });
});
