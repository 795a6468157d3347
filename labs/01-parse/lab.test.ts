/**
 * Grades labs/01-parse: the tests run against exercise.ts (`npm run lab -- 01`) or solution.ts
 * (`npm test`); every title names the file it graded.
 */
import { isDeepStrictEqual } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCombined } from '../../src/log/combined';
import type { LogRecord, ParseOutcome } from '../../src/log/record';
import {
  ELASTIC,
  extraSamplesPresent,
  realLogLines,
  SAMPLES_MISSING,
  TRICKY,
} from '../../test/log/real-logs';
import { loadLab } from '../target';

const { impl, file } = await loadLab<typeof import('./solution')>(import.meta.url);
const { parseCombinedLine, unescapeField, closingQuote } = impl;

function reasonOf(outcome: ParseOutcome): string {
  return 'kind' in outcome ? outcome.reason : 'parsed';
}

/** Each field whose value differs, as `name: got X, expected Y`; none when the records agree. */
function fieldsThatDiffer(mine: LogRecord, expected: LogRecord): string[] {
  const names = new Set([...Object.keys(mine), ...Object.keys(expected)]);
  const out: string[] = [];
  for (const name of names) {
    const got = (mine as unknown as Record<string, unknown>)[name];
    const want = (expected as unknown as Record<string, unknown>)[name];
    if (!isDeepStrictEqual(got, want)) {
      out.push(`${name}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
  }
  return out;
}

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
    durationMs: null,
  };
}

// plain, latin1 and truncated are real lines of elastic/examples apache_logs (Apache-2.0, shipped
// in data/real-logs); the others are our own, each in a shape other servers write.
const REAL = {
  plain:
    '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"',
  latin1:
    '201.242.142.135 - - [19/May/2015:11:05:10 +0000] "GET /files/logstash/ HTTP/1.0" 200 13316 "http://\\xe4\\xe5\\xe3\\xf2\\xff\\xf0\\xed\\xee\\xe5-\\xec\\xfb\\xeb\\xee.\\xf0\\xf4/" "Mozilla/5.0 (Windows NT 6.1; rv:11.0) Gecko/20100101 Firefox/11.0"',
  truncated:
    '46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
  // Apache's \n, \" and \xHH escapes in the user agent, a -0800 offset
  escapes:
    '192.0.2.32 - dave [04/Nov/2001:09:30:12 -0800] "GET /img/logo.png HTTP/1.0" 200 1834 "http://www.example.org/index.html" "Agent with\\na line break, a \\"quote\\" and \\xe2\\x82\\xac"',
  // a "-" request (connection closed before a request) with a byte count
  noRequest: '192.0.2.18 - - [09/Feb/2019:23:41:07 +0100] "-" 408 163 "-" "-"',
  // "-" as the status, with a user and an OPTIONS request
  dashStatus:
    '198.51.100.77 - b.admin [18/Jan/2020:04:31:09 +0100] "OPTIONS /dav/files/ HTTP/1.1" - 5120 "-" "sync-agent (v3.1)"',
  // an extra quoted field after the user agent (nginx's forwarded-for)
  forwarded:
    '198.51.100.30 - - [06/Jun/2017:08:14:55 +0000] "GET /missing-page HTTP/1.1" 404 588 "-" "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:53.0) Gecko/20100101 Firefox/53.0" "-"',
  // an expression injection with unescaped quotes inside the request
  unescapedQuotes:
    '203.0.113.28 - - [02/May/2021:17:40:12 +0000] "GET /$%7B("abc"+"789")%7D/index.action HTTP/1.0" 404 998 "-" "-"',
  // IPv6 loopback, a "-" request and "-" bytes
  ipv6: '::1 - - [03/Jan/2017:10:45:30 +0200] "-" 408 - "-" "-"',
  // a virtual-host prefix
  vhost:
    'shop.example.org 203.0.113.123 - - [11/Jul/2019:14:03:27 +0200] "GET / HTTP/1.1" 200 28417 "-" "Mozilla/5.0"',
  // ident and user missing
  noIdent:
    '192.0.2.254 [27/Jul/2009:04:12:50 +0000] "GET /boot/netboot/default/kernel.img HTTP/1.0" 404 30512 "-" "iPXE/1.0.0"',
  // common format: a 304 with "-" bytes and no referrer or user agent
  common:
    '198.51.100.23 - - [14/Mar/2004:09:12:05 -0800] "GET /wiki/pub/Main/logo-small.gif HTTP/1.1" 304 -',
};

describe(`labs/01-parse/${file}: unescapeField`, () => {
  it('decodes \\" \\\\ and the control-character escapes', () => {
    expect(unescapeField('say \\"hi\\" \\\\ there')).toBe('say "hi" \\ there');
    expect(unescapeField('a\\nb\\tc\\rd')).toBe('a\nb\tc\rd');
  });

  it('decodes runs of \\xHH: UTF-8 when valid, else one character per byte', () => {
    expect(unescapeField('\\xe2\\x98\\x83')).toBe('\u2603');
    expect(unescapeField('caf\\xc3\\xa9')).toBe('café');
    expect(unescapeField('\\xe4\\xe5')).toBe('\u00e4\u00e5');
  });

  it('keeps unknown escapes and text without backslashes as written', () => {
    expect(unescapeField('\\q \\x4 end\\')).toBe('\\q \\x4 end\\');
    expect(unescapeField('plain')).toBe('plain');
  });
});

describe(`labs/01-parse/${file}: closingQuote`, () => {
  it('finds the quote followed by a space or the end, skipping escaped and inner quotes', () => {
    expect(closingQuote('"abc" 200', 1)).toBe(4);
    expect(closingQuote('"a\\" b" 200', 1)).toBe(6);
    expect(closingQuote('"a("x")b" 200', 1)).toBe(8);
    expect(closingQuote('"a\\\\" 200', 1)).toBe(4);
    expect(closingQuote('"end"', 1)).toBe(4);
    expect(closingQuote('"no end', 1)).toBe(-1);
  });
});

describe(`labs/01-parse/${file}: parseCombinedLine on real-world shapes`, () => {
  it('reads every field of an ordinary line', () => {
    expect(parseCombinedLine(REAL.plain)).toEqual(
      record({
        ip: '83.149.9.216',
        time: Date.UTC(2015, 4, 17, 10, 5, 3),
        path: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
        bytes: 203023,
        referrer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/',
        userAgent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36',
      }),
    );
  });

  it('applies the time-zone offset and decodes escapes in quoted fields', () => {
    expect(parseCombinedLine(REAL.escapes)).toEqual(
      record({
        ip: '192.0.2.32',
        user: 'dave',
        time: Date.UTC(2001, 10, 4, 17, 30, 12),
        path: '/img/logo.png',
        protocol: 'HTTP/1.0',
        bytes: 1834,
        referrer: 'http://www.example.org/index.html',
        userAgent: 'Agent with\na line break, a "quote" and \u20ac',
      }),
    );
    expect((parseCombinedLine(REAL.latin1) as LogRecord).referrer).toBe(
      'http://\u00e4\u00e5\u00e3\u00f2\u00ff\u00f0\u00ed\u00ee\u00e5-\u00ec\u00fb\u00eb\u00ee.\u00f0\u00f4/',
    );
  });

  it('reads "-" as null: no request, no bytes, no referrer, no user agent', () => {
    expect(parseCombinedLine(REAL.ipv6)).toEqual(
      record({
        ip: '::1',
        time: Date.UTC(2017, 0, 3, 8, 45, 30),
        method: null,
        path: null,
        protocol: null,
        status: 408,
      }),
    );
    expect(parseCombinedLine(REAL.noRequest)).toEqual(
      record({
        ip: '192.0.2.18',
        time: Date.UTC(2019, 1, 9, 22, 41, 7),
        method: null,
        path: null,
        protocol: null,
        status: 408,
        bytes: 163,
      }),
    );
  });

  it('ignores fields after the user agent and copes with unescaped quotes in the request', () => {
    expect((parseCombinedLine(REAL.forwarded) as LogRecord).userAgent).toBe(
      'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:53.0) Gecko/20100101 Firefox/53.0',
    );
    expect((parseCombinedLine(REAL.unescapedQuotes) as LogRecord).path).toBe(
      '/$%7B("abc"+"789")%7D/index.action',
    );
  });

  it('drops a trailing CR', () => {
    expect(parseCombinedLine(`${REAL.plain}\r`)).toEqual(parseCombinedLine(REAL.plain));
    expect(reasonOf(parseCombinedLine(`${REAL.plain}\r`))).toBe('parsed');
  });

  it('keeps a line cut off inside the user agent, and marks it truncated', () => {
    expect(parseCombinedLine(REAL.truncated)).toEqual({
      ...record({
        ip: '46.118.127.106',
        time: Date.UTC(2015, 4, 20, 12, 5, 17),
        path: '/scripts/grok-py-test/configlib.py',
        bytes: 235,
        userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
      }),
      truncated: true,
    });
    expect('truncated' in parseCombinedLine(REAL.plain)).toBe(false);
  });

  it('rejects broken lines with the reason of the README table', () => {
    expect(reasonOf(parseCombinedLine(REAL.dashStatus))).toBe('bad-status');
    expect(reasonOf(parseCombinedLine(REAL.vhost))).toBe('bad-host');
    expect(reasonOf(parseCombinedLine(REAL.noIdent))).toBe('missing-field');
    expect(reasonOf(parseCombinedLine(REAL.common))).toBe('missing-field');
  });
});

describe(`labs/01-parse/${file}: rejection reasons`, () => {
  const ok = '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"';
  const cases: [string, string][] = [
    ['', 'empty-line'],
    ['   ', 'empty-line'],
    [ok.replace('[10/Oct/2000:13:55:36 +0000]', '[10/Oct/2000:13:55:36]'), 'bad-timestamp'],
    [ok.replace('Oct', 'Okt'), 'bad-timestamp'],
    [ok.replace('"GET / HTTP/1.1"', '"GET"'), 'bad-request'],
    [ok.replace('"GET / HTTP/1.1"', '"\\x16\\x03\\x01"'), 'bad-request'],
    [ok.replace('"GET / HTTP/1.1"', 'GET / HTTP/1.1'), 'bad-quoted-field'],
    [ok.replace(' 200 ', ' 20x '), 'bad-status'],
    [ok.replace(' 200 ', ' 700 '), 'bad-status'],
    [ok.replace(' 5 ', ' 5k '), 'bad-bytes'],
    [ok.replace(' "ua"', ''), 'missing-field'],
    [ok.replace('"-" "ua"', '"http://cut'), 'bad-quoted-field'],
    [`"${ok}`, 'bad-host'],
  ];
  for (const [line, reason] of cases) {
    it(`${reason}: ${JSON.stringify(line).slice(0, 70)}`, () => {
      expect(reasonOf(parseCombinedLine(line))).toBe(reason);
    });
  }

  it('accepts the line all of these are made from', () => {
    expect(reasonOf(parseCombinedLine(ok))).toBe('parsed');
  });
});

describe(`labs/01-parse/${file}: a whole real log`, () => {
  it('agrees with the library parser on all 10,000 lines of the elastic/examples log', () => {
    const lines = realLogLines(ELASTIC);
    const disagree: string[] = [];
    lines.forEach((line, i) => {
      const mine = parseCombinedLine(line);
      const library = parseCombined(line);
      // Values compared, not the order the fields were written in; the message names the fields.
      const differ =
        'kind' in library
          ? reasonOf(mine) === library.reason
            ? []
            : [`reason ${reasonOf(mine)}, expected ${library.reason}`]
          : 'kind' in mine
            ? [`rejected as ${mine.reason}, expected a record`]
            : fieldsThatDiffer(mine, library);
      if (differ.length > 0 && disagree.length < 3) {
        disagree.push(`line ${i + 1} (${differ.join('; ')}): ${line}`);
      }
    });
    expect(disagree).toEqual([]);
  });
});

describe(`labs/01-parse/${file}: tricky lines`, () => {
  // ctx.skip with a note, so that `npm run lab` can say why this test was not graded.
  beforeEach((ctx) => {
    ctx.skip(!extraSamplesPresent, SAMPLES_MISSING);
  });

  it('agrees with the library parser on every tricky line', () => {
    const lines = realLogLines(TRICKY);
    for (const [i, line] of lines.entries()) {
      const library = parseCombined(line);
      const mine = parseCombinedLine(line);
      if ('kind' in library) expect(reasonOf(mine), `line ${i + 1}`).toBe(library.reason);
      else expect(mine, `line ${i + 1}`).toEqual(library);
    }
  });
});
