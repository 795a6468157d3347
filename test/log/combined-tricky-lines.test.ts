/**
 * Every line of tricky-lines.ts (one per trick: vhost prefixes, IPv6, `"-"` requests, escapes,
 * forwarded-for lists, ...): parsed with the fields read off the line by hand, or rejected with
 * the reason we decided on. Times are written as the UTC wall clock the line means (local time
 * minus its offset), through Date.UTC.
 */
import { describe, expect, it } from 'vitest';
import { parseAuto } from '../../src/log/auto';
import { parseCombined, parseCombinedTime, parseCommon } from '../../src/log/combined';
import type { LogRecord, RejectReason } from '../../src/log/record';
import { trickyLines } from './tricky-lines';

type Expected = LogRecord | RejectReason;

const FIREFOX_123 = 'Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0';
const FIREFOX_53 = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:53.0) Gecko/20100101 Firefox/53.0';

function record(fields: Partial<LogRecord> & Pick<LogRecord, 'ip' | 'time'>): LogRecord {
  return {
    ip: fields.ip,
    ident: fields.ident ?? null,
    user: fields.user ?? null,
    time: fields.time,
    method: fields.method === undefined ? 'GET' : fields.method,
    path: fields.path ?? null,
    protocol: fields.protocol === undefined ? 'HTTP/1.1' : fields.protocol,
    status: fields.status ?? 200,
    bytes: fields.bytes === undefined ? null : fields.bytes,
    referrer: fields.referrer ?? null,
    userAgent: fields.userAgent ?? null,
    durationMs: fields.durationMs ?? null,
  };
}

/** The expected outcome of each line under parseAuto, by 1-based line number. */
function expectations(lines: string[]): Map<number, Expected> {
  const line3 = lines[2];
  const longPath = line3.slice(line3.indexOf('"GET ') + 5, line3.indexOf(' HTTP/1.0"'));
  return new Map<number, Expected>([
    // 1–3: real lines of the shipped elastic/examples log (its lines 8899, 5851 and 3029)
    // the user agent was cut off (no closing quote): kept up to the end of the line
    [
      1,
      {
        ...record({
          ip: '46.118.127.106',
          time: Date.UTC(2015, 4, 20, 12, 5, 17),
          path: '/scripts/grok-py-test/configlib.py',
          bytes: 235,
          userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
        }),
        truncated: true,
      },
    ],
    [
      2,
      record({
        ip: '201.242.142.135',
        time: Date.UTC(2015, 4, 19, 11, 5, 10),
        path: '/files/logstash/',
        protocol: 'HTTP/1.0',
        bytes: 13316,
        // \xe4\xe5… is not valid UTF-8 (it is windows-1251), so each byte becomes its Latin-1 char.
        referrer:
          'http://\u00e4\u00e5\u00e3\u00f2\u00ff\u00f0\u00ed\u00ee\u00e5-\u00ec\u00fb\u00eb\u00ee.\u00f0\u00f4/',
        userAgent: 'Mozilla/5.0 (Windows NT 6.1; rv:11.0) Gecko/20100101 Firefox/11.0',
      }),
    ],
    [
      3,
      record({
        ip: '94.153.9.168',
        time: Date.UTC(2015, 4, 18, 11, 5, 47),
        path: longPath,
        protocol: 'HTTP/1.0',
        status: 403,
        bytes: 676,
        referrer: `http://www.semicomplete.com${longPath}`,
        userAgent: 'Opera/9.80 (Windows NT 6.1; WOW64; U; ru) Presto/2.10.289 Version/12.01',
      }),
    ],
    [
      4,
      record({
        ip: '198.51.100.23',
        time: Date.UTC(2004, 2, 14, 9 + 8, 12, 5),
        path: '/wiki/pub/Main/logo-small.gif',
        status: 304,
      }),
    ],
    [
      5,
      record({
        ip: '203.0.113.9',
        time: Date.UTC(2015, 1, 3, 21, 47, 10),
        path: '/talks/stream-processing/images/dashboard.png',
        bytes: 184311,
        referrer: 'http://www.example.com/talks/stream-processing/',
        userAgent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/40.0.2214.111 Safari/537.36',
      }),
    ],
    [
      6,
      record({
        ip: '192.0.2.10',
        user: 'alice@example.org',
        time: Date.UTC(2016, 3, 12, 8, 15, 2),
        path: '/api/v2/accounts/7/alice%40example.org/session?ticket=k3y&app=42',
        status: 400,
        bytes: 81,
        referrer: '',
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 9_3_2 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13F69 Safari/601.1',
      }),
    ],
    [7, 'bad-status'],
    [
      8,
      record({
        ip: '2001:0db8:0042:0000:0000:0000:0000:00c1',
        user: 'alice',
        time: Date.UTC(2001, 8, 3, 7 + 7, 22, 10),
        path: '/img/banner.png',
        protocol: 'HTTP/1.0',
        bytes: 4711,
      }),
    ],
    [9, 'bad-status'],
    // a second address before ident and user
    [10, 'bad-host'],
    // virtual-host prefixes
    [11, 'bad-host'],
    [12, 'bad-host'],
    [
      13,
      record({
        ip: '203.0.113.200',
        time: Date.UTC(2013, 10, 4, 23, 21, 9),
        method: 'HEAD',
        path: '/',
        protocol: 'HTTP/1.0',
        status: 403,
      }),
    ],
    [
      14,
      record({
        ip: '::1',
        time: Date.UTC(2017, 0, 3, 8, 44, 2),
        path: '/robots.txt',
        status: 404,
        bytes: 196,
      }),
    ],
    [
      15,
      record({
        ip: '::1',
        time: Date.UTC(2017, 0, 3, 8, 45, 30),
        method: null,
        path: null,
        protocol: null,
        status: 408,
      }),
    ],
    [
      16,
      record({
        ip: '198.51.100.30',
        time: Date.UTC(2017, 5, 6, 8, 14, 55),
        path: '/missing-page',
        status: 404,
        bytes: 588,
        userAgent: FIREFOX_53,
      }),
    ],
    [
      17,
      record({
        ip: 'uptime-probe',
        time: Date.UTC(2017, 5, 6, 8, 14, 55),
        path: '/healthz',
        bytes: 588,
        userAgent: FIREFOX_53,
      }),
    ],
    [
      18,
      record({
        ip: '192.0.2.18',
        time: Date.UTC(2019, 1, 9, 22, 41, 7),
        method: null,
        path: null,
        protocol: null,
        status: 408,
        bytes: 163,
      }),
    ],
    [19, 'bad-host'],
    // forwarded-for lists as the host
    [20, 'bad-host'],
    [21, 'bad-host'],
    [22, 'bad-host'],
    [
      23,
      record({
        ip: '192.0.2.23',
        time: Date.UTC(2018, 3, 19, 4, 2, 11),
        method: null,
        path: null,
        protocol: null,
        status: 400,
        bytes: 0,
      }),
    ],
    [24, 'bad-host'],
    [
      25,
      record({
        ip: '192.0.2.25',
        time: Date.UTC(2016, 0, 20, 8, 2, 44),
        path: '/blog/wp-content/plugins/gallery/setup.php?step2',
        bytes: 512,
      }),
    ],
    [
      26,
      record({
        ip: '198.51.100.26',
        time: Date.UTC(2016, 0, 20, 8, 2, 47),
        path: '/blog/wp-content/plugins/gallery/shell.php?c=id%3B+cat+/etc/hostname',
        bytes: 731,
        userAgent:
          'Mozilla/5.0 (Windows  U  Windows NT 6.0  fr-FR) AppleWebKit/533.4 (KHTML, like Gecko) Chrome/5.0.375.99 Safari/533.4',
      }),
    ],
    [27, 'bad-host'],
    [
      28,
      record({
        ip: '203.0.113.28',
        time: Date.UTC(2021, 4, 2, 17, 40, 9),
        path: '/wiki/Page?action=edit&body=<script>alert("hi")</script>',
        protocol: 'HTTP/1.0',
        status: 404,
        bytes: 998,
      }),
    ],
    [
      29,
      record({
        ip: '203.0.113.28',
        time: Date.UTC(2021, 4, 2, 17, 40, 12),
        path: '/$%7B("abc"+"789")%7D/index.action',
        protocol: 'HTTP/1.0',
        status: 404,
        bytes: 998,
      }),
    ],
    [
      30,
      record({
        ip: '192.0.2.64',
        user: 'bob@EXAMPLE.ORG',
        time: Date.UTC(2019, 10, 23, 8, 5, 31),
        path: '/',
        bytes: 7310,
      }),
    ],
    // ident and user are missing
    [31, 'missing-field'],
    [
      32,
      record({
        ip: '192.0.2.32',
        user: 'dave',
        time: Date.UTC(2001, 10, 4, 17, 30, 12),
        path: '/img/logo.png',
        protocol: 'HTTP/1.0',
        bytes: 1834,
        referrer: 'http://www.example.org/index.html',
        // \n, \" and the UTF-8 bytes of U+20AC EURO SIGN
        userAgent: 'Agent with\na line break, a "quote" and \u20ac',
      }),
    ],
    // %D after the user agent: read as microseconds
    [
      33,
      record({
        ip: '198.51.100.33',
        time: Date.UTC(2024, 2, 8, 13, 2, 9),
        path: '/checkout',
        protocol: 'HTTP/2.0',
        bytes: 18311,
        referrer: 'https://shop.example.com/cart',
        userAgent: FIREFOX_123,
        durationMs: 1482.093,
      }),
    ],
    // seconds with a point after the user agent: ignored, as any other extra field
    [
      34,
      record({
        ip: '198.51.100.34',
        time: Date.UTC(2024, 2, 8, 13, 2, 10),
        path: '/cart',
        bytes: 9120,
        userAgent: FIREFOX_123,
      }),
    ],
  ]);
}

/** Lines that end after the byte count (common format) among the parsed ones. */
const COMMON_LINES = [4, 8, 14, 15, 25, 28, 29, 30];

describe('tricky lines', () => {
  const lines = trickyLines();
  const expected = expectations(lines);

  it('has 34 lines, each with an expected outcome', () => {
    expect(lines.length).toBe(34);
    expect(expected.size).toBe(34);
  });

  for (let n = 1; n <= 34; n++) {
    it(`line ${n} under auto detection`, () => {
      const want = expected.get(n);
      const got = parseAuto(lines[n - 1]);
      if (typeof want === 'string') {
        expect(got).toMatchObject({ kind: 'rejected', reason: want });
      } else {
        expect(got).toEqual(want);
      }
    });
  }

  it('the combined parser rejects the common-format lines and agrees on the rest, without a request time', () => {
    for (let n = 1; n <= 34; n++) {
      const auto = expected.get(n);
      // Combined has no request time: the %D of line 33 is an ignored extra field there.
      const want = typeof auto === 'object' ? { ...auto, durationMs: null } : auto;
      const got = parseCombined(lines[n - 1]);
      if (COMMON_LINES.includes(n)) {
        expect(got, `line ${n}`).toMatchObject({ reason: 'missing-field' });
      } else if (typeof want === 'string') {
        expect(got, `line ${n}`).toMatchObject({ reason: want });
      } else {
        expect(got, `line ${n}`).toEqual(want);
      }
    }
  });

  it('the common parser takes the common-format lines and rejects combined ones as trailing garbage', () => {
    for (const n of COMMON_LINES) expect(parseCommon(lines[n - 1])).toEqual(expected.get(n));
    for (const n of [2, 5, 6, 13, 16, 32, 33]) {
      expect(parseCommon(lines[n - 1]), `line ${n}`).toMatchObject({ reason: 'trailing-garbage' });
    }
  });

  it('the combined-time parser takes the line with %D, and rejects the others by what is after the user agent', () => {
    expect(parseCombinedTime(lines[32])).toEqual(expected.get(33));
    expect(parseCombinedTime(lines[33])).toMatchObject({ reason: 'bad-duration' });
    expect(parseCombinedTime(lines[15])).toMatchObject({ reason: 'bad-duration' });
    for (const n of [2, 5, 6, 13, 32]) {
      expect(parseCombinedTime(lines[n - 1]), `line ${n}`).toMatchObject({
        reason: 'missing-field',
      });
    }
    for (const n of COMMON_LINES) {
      expect(parseCombinedTime(lines[n - 1]), `line ${n}`).toMatchObject({
        reason: 'missing-field',
      });
    }
    // Cut inside the user agent, the request time went with it: kept as truncated, no time.
    expect(parseCombinedTime(lines[0])).toEqual(expected.get(1));
  });
});
