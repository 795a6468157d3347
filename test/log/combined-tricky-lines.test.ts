/**
 * Every line of tricky-lines.txt (not shipped: see test/log/real-logs.ts): parsed with the fields read off the
 * line by hand, or rejected with the reason we decided on. Times are written as the UTC wall
 * clock the line means (local time minus its offset), through Date.UTC.
 */
import { describe, expect, it } from 'vitest';
import { parseAuto } from '../../src/log/auto';
import { parseCombined, parseCommon } from '../../src/log/combined';
import type { LogRecord, RejectReason } from '../../src/log/record';
import { extraSamplesPresent, realLogLines, TRICKY, withSamples } from './real-logs';

type Expected = LogRecord | RejectReason;

const FIREFOX_15 = 'Mozilla/5.0 (Windows NT 6.1; rv:15.0) Gecko/20120716 Firefox/15.0a2';

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
  };
}

/** The expected outcome of each line under parseAuto, by 1-based line number. */
function expectations(lines: string[]): Map<number, Expected> {
  const line3 = lines[2];
  const longPath = line3.slice(line3.indexOf('"GET ') + 5, line3.indexOf(' HTTP/1.0"'));
  return new Map<number, Expected>([
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
        ip: '128.227.88.79',
        time: Date.UTC(2004, 2, 8, 6 + 8, 57, 46),
        path: '/twiki/pub/TWiki/TWikiLogos/twikiRobot46x50.gif',
        status: 304,
      }),
    ],
    [
      5,
      record({
        ip: '83.149.9.216',
        time: Date.UTC(2015, 1, 24, 23, 13, 42),
        path: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
        bytes: 203023,
        referrer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/',
        userAgent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36',
      }),
    ],
    [
      6,
      record({
        ip: '10.0.0.1',
        user: 'username@example.com',
        time: Date.UTC(2016, 3, 7, 18, 42, 24),
        path: '/bar/foo/users/1/username%40example.com/authenticate?token=blargh&client_id=15',
        status: 400,
        bytes: 75,
        referrer: '',
        userAgent:
          'Mozilla/5.0 (iPad; CPU OS 9_3_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13E238 Safari/601.1',
      }),
    ],
    [7, 'bad-status'],
    [
      8,
      record({
        ip: '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
        user: 'frank',
        time: Date.UTC(2000, 9, 10, 13 + 7, 55, 36),
        path: '/apache_pb.gif',
        protocol: 'HTTP/1.0',
        bytes: 2326,
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
        ip: '95.81.66.139',
        time: Date.UTC(2013, 9, 28, 23, 48, 46),
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
        time: Date.UTC(2016, 11, 26, 14, 16, 29),
        path: '/favicon.ico',
        status: 404,
        bytes: 209,
      }),
    ],
    [
      15,
      record({
        ip: '::1',
        time: Date.UTC(2016, 11, 26, 14, 16, 48),
        method: null,
        path: null,
        protocol: null,
        status: 408,
      }),
    ],
    [
      16,
      record({
        ip: '172.17.0.1',
        time: Date.UTC(2017, 4, 29, 19, 2, 48),
        path: '/stringpatch',
        status: 404,
        bytes: 612,
        userAgent: FIREFOX_15,
      }),
    ],
    [
      17,
      record({
        ip: 'monitoring-server',
        time: Date.UTC(2017, 4, 29, 19, 2, 48),
        path: '/status',
        bytes: 612,
        userAgent: FIREFOX_15,
      }),
    ],
    [
      18,
      record({
        ip: '127.0.0.1',
        time: Date.UTC(2019, 1, 2, 4, 38, 45),
        method: null,
        path: null,
        protocol: null,
        status: 408,
        bytes: 152,
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
        ip: '127.0.0.1',
        time: Date.UTC(2018, 3, 12, 7, 48, 40),
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
        ip: '10.0.0.1',
        time: Date.UTC(2016, 0, 13, 19, 31, 16),
        path: '/wp-content/themes/darkmode/header.php?install2',
        bytes: 494,
      }),
    ],
    [
      26,
      record({
        ip: '192.168.0.2',
        time: Date.UTC(2016, 0, 13, 19, 31, 19),
        path: '/wp-content/themes/darkmode/evil.php?cmd=ver%3B+uname+-a',
        bytes: 694,
        userAgent:
          'Mozilla/5.0 (Windows  U  Windows NT 5.1  en-US) AppleWebKit/534.12 (KHTML, like Gecko) Chrome/9.0.583.0 Safari/534.12',
      }),
    ],
    [27, 'bad-host'],
    [
      28,
      record({
        ip: '1.2.3.4',
        time: Date.UTC(2021, 3, 25, 6, 15, 33),
        path: '/aaaa.xxxx/SomeText?action=edit&template=<script>alert("text")</script>',
        protocol: 'HTTP/1.0',
        status: 404,
        bytes: 1164,
      }),
    ],
    [
      29,
      record({
        ip: '1.2.3.4',
        time: Date.UTC(2021, 3, 25, 6, 15, 33),
        path: '/$%7B("TextString"+"123456")%7D/actionChain1.action',
        protocol: 'HTTP/1.0',
        status: 404,
        bytes: 1164,
      }),
    ],
    [
      30,
      record({
        ip: '192.168.0.64',
        user: 'pyllyukko@EXAMPLE.COM',
        time: Date.UTC(2019, 10, 16, 7, 46, 42),
        path: '/',
        bytes: 8264,
      }),
    ],
    // ident and user are missing
    [31, 'missing-field'],
    [
      32,
      record({
        ip: '127.0.0.1',
        user: 'frank',
        time: Date.UTC(2000, 9, 10, 20, 55, 36),
        path: '/apache_pb.gif',
        protocol: 'HTTP/1.0',
        bytes: 2326,
        referrer: 'http://www.example.com/start.html',
        // \n, \" and the UTF-8 bytes of U+2603 SNOWMAN
        userAgent: 'User agent\nwith some random escaped characters: "\u2603"',
      }),
    ],
  ]);
}

/** Lines that end after the byte count (common format) among the parsed ones. */
const COMMON_LINES = [4, 8, 14, 15, 25, 28, 29, 30];

describe.skipIf(!extraSamplesPresent)(withSamples('tricky-lines.txt'), () => {
  const lines = extraSamplesPresent ? realLogLines(TRICKY) : [];
  const expected = extraSamplesPresent ? expectations(lines) : new Map<number, Expected>();

  it('has the 32 lines its source notes list', () => {
    expect(lines.length).toBe(32);
    expect(expected.size).toBe(32);
  });

  for (let n = 1; n <= 32; n++) {
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

  it('the combined parser rejects the common-format lines and agrees on the rest', () => {
    for (let n = 1; n <= 32; n++) {
      const want = expected.get(n);
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
    for (const n of [2, 5, 6, 13, 16, 32]) {
      expect(parseCommon(lines[n - 1]), `line ${n}`).toMatchObject({ reason: 'trailing-garbage' });
    }
  });
});
