import { describe, expect, it } from 'vitest';
import { formatSummary, hourLabel } from '../../src/summary/format';
import type { Summary } from '../../src/summary/types';

const SUMMARY: Summary = {
  read: 12,
  parsed: 9,
  rejected: 3,
  rejectReasons: { 'bad-status': 2, 'empty-line': 1 },
  truncated: 0,
  total: 9,
  statusCodes: { '200': 4, '301': 1, '404': 1, '500': 2, '503': 1 },
  uniqueVisitors: 4,
  peakHour: { hour: 18, requests: 5 },
  hourly: [],
  firstTime: '2024-03-12T07:00:00.000Z',
  lastTime: '2024-03-13T18:00:00.000Z',
  topUrls: [
    { key: '/server-error', hits: 3 },
    { key: '/a', hits: 2 },
  ],
  topIps: [
    { key: '10.0.0.12', hits: 13 },
    { key: '10.0.0.1', hits: 4 },
  ],
  topErrors: [
    { url: '/server-error', status: 500, count: 2 },
    { url: '/missing', status: 404, count: 1 },
  ],
};

describe('formatSummary', () => {
  it('prints the seed-style sections with aligned columns', () => {
    expect(formatSummary(SUMMARY, 'access.log')).toBe(
      [
        'Summary of access.log',
        '  requests               9  (12 lines read, 3 rejected: bad-status 2, empty-line 1)',
        '  unique visitors        4  (address + user agent per UTC day, 4xx left out)',
        '  peak hour        18:00 5  (busiest UTC clock hour, all days together)',
        '  from 2024-03-12T07:00:00.000Z to 2024-03-13T18:00:00.000Z',
        '',
        'Requests per status code',
        '  200  4  44.4%',
        '  301  1  11.1%',
        '  404  1  11.1%',
        '  500  2  22.2%',
        '  503  1  11.1%',
        '',
        'Top 2 URLs',
        '  hits  url',
        '     3  /server-error',
        '     2  /a',
        '',
        'Top 2 IPs',
        '  hits  ip',
        '    13  10.0.0.12',
        '     4  10.0.0.1',
        '',
        'Error analysis (4xx and 5xx)',
        '  url            status  count',
        '  /server-error     500      2',
        '  /missing          404      1',
        '',
      ].join('\n'),
    );
  });

  it('says how many lines were truncated, when some were', () => {
    const text = formatSummary({ ...SUMMARY, truncated: 1 });
    expect(text.split('\n')[1]).toBe(
      '  requests               9  (12 lines read, 1 truncated, 3 rejected: bad-status 2, empty-line 1)',
    );
  });

  it('says (none) for empty sections and - for a missing peak hour', () => {
    const empty: Summary = {
      ...SUMMARY,
      read: 0,
      parsed: 0,
      rejected: 0,
      rejectReasons: {},
      total: 0,
      statusCodes: {},
      uniqueVisitors: 0,
      peakHour: null,
      firstTime: null,
      lastTime: null,
      topUrls: [],
      topIps: [],
      topErrors: [],
    };
    const text = formatSummary(empty);
    expect(text.split('\n').slice(0, 5)).toEqual([
      'Summary',
      '  requests         0  (0 lines read, 0 rejected)',
      '  unique visitors  0  (address + user agent per UTC day, 4xx left out)',
      '  peak hour        -  (busiest UTC clock hour, all days together)',
      '',
    ]);
    expect(text.match(/\(none\)/g)?.length).toBe(4);
  });

  it('writes control characters of URLs and addresses as \\xHH, aligned by what is shown', () => {
    const text = formatSummary({
      ...SUMMARY,
      topUrls: [{ key: '/a\x1b[31m', hits: 3 }],
      topIps: [{ key: '10.0.0.1\x1b]0;pwned\x07', hits: 3 }],
      topErrors: [
        { url: '/a\x1b[31m', status: 500, count: 2 },
        { url: '/missing', status: 404, count: 1 },
      ],
    });
    expect(text.split('\n').slice(13)).toEqual([
      'Top 1 URLs',
      '  hits  url',
      '     3  /a\\x1b[31m',
      '',
      'Top 1 IPs',
      '  hits  ip',
      '     3  10.0.0.1\\x1b]0;pwned\\x07',
      '',
      'Error analysis (4xx and 5xx)',
      '  url         status  count',
      '  /a\\x1b[31m     500      2',
      '  /missing       404      1',
      '',
    ]);
  });

  it('labels hours as the classic output does', () => {
    expect([hourLabel(0), hourLabel(9), hourLabel(18)]).toEqual(['00:00', '09:00', '18:00']);
  });
});
