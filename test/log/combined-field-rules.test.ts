/** The field rules of the combined and common parsers, one decision per test, on made-up lines. */
import { describe, expect, it } from 'vitest';
import { parseCombined, parseCommon } from '../../src/log/combined';
import type { LogRecord } from '../../src/log/record';
import { splitRequestLine } from '../../src/log/request-line';

const TIME = '[10/Oct/2000:13:55:36 +0000]';
const T = Date.UTC(2000, 9, 10, 13, 55, 36);

function line(request: string, tail = '200 10 "-" "ua"', head = '1.2.3.4 - -'): string {
  return `${head} ${TIME} "${request}" ${tail}`;
}

function reasonOf(text: string, parse = parseCombined): string | undefined {
  const out = parse(text) as { reason?: string };
  return out.reason;
}

function fields(text: string, parse = parseCombined): LogRecord {
  const out = parse(text);
  if ('kind' in out) throw new Error(`rejected: ${out.reason}: ${out.message}`);
  return out;
}

describe('hosts, ident and user', () => {
  it('keeps IPv4, IPv6 and host names as written', () => {
    expect(fields(line('GET / HTTP/1.1', undefined, '10.1.2.3 - -')).ip).toBe('10.1.2.3');
    expect(fields(line('GET / HTTP/1.1', undefined, 'fe80::1%eth0 - -')).ip).toBe('fe80::1%eth0');
    expect(
      fields(line('GET / HTTP/1.1', undefined, 'crawl-66-249-66-1.googlebot.com - -')).ip,
    ).toBe('crawl-66-249-66-1.googlebot.com');
  });

  it('turns "-" ident and user into null, and keeps real ones', () => {
    const r = fields(line('GET / HTTP/1.1', undefined, 'h identd alice'));
    expect([r.ident, r.user]).toEqual(['identd', 'alice']);
    const dash = fields(line('GET / HTTP/1.1'));
    expect([dash.ident, dash.user]).toEqual([null, null]);
  });

  it('reads a bare "" user as the empty string and decodes escapes in ident and user', () => {
    const r = fields(line('GET / HTTP/1.1', undefined, 'h - ""'));
    expect(r.user).toBe('');
    expect(fields(line('GET / HTTP/1.1', undefined, 'h - a\\"b')).user).toBe('a"b');
  });

  it('rejects quoted hosts, forwarded-for lists, prefixes and missing fields with their reasons', () => {
    expect(reasonOf(line('GET /', undefined, '"1.2.3.4" - -'))).toBe('bad-host');
    expect(reasonOf(line('GET /', undefined, '1.2.3.4, 5.6.7.8 - -'))).toBe('bad-host');
    expect(reasonOf(line('GET /', undefined, 'vhost 1.2.3.4 - -'))).toBe('bad-host');
    expect(reasonOf(` 1.2.3.4 - - ${TIME} "GET /" 200 1 "-" "-"`)).toBe('bad-host');
    expect(reasonOf(`1.2.3.4 ${TIME} "GET /" 200 1 "-" "-"`)).toBe('missing-field');
    expect(reasonOf('1.2.3.4')).toBe('missing-field');
    expect(reasonOf('1.2.3.4 - -')).toBe('bad-timestamp');
  });
});

describe('timestamps', () => {
  it('reads a +0000 timestamp as that UTC time', () => {
    expect(fields(line('GET / HTTP/1.1')).time).toBe(T);
  });

  it('applies the offset: local time minus the offset is UTC', () => {
    const at = (zone: string) =>
      fields(`h - - [10/Oct/2000:13:55:36 ${zone}] "GET / HTTP/1.0" 200 1 "-" "-"`).time;
    expect(at('-0700')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(at('+0530')).toBe(Date.UTC(2000, 9, 10, 8, 25, 36));
    expect(at('+1400')).toBe(Date.UTC(2000, 9, 9, 23, 55, 36));
  });

  it('rejects timestamps that are not dd/Mon/yyyy:HH:MM:SS +hhmm', () => {
    for (const bad of [
      '[10/Oct/2000:13:55:36]',
      '[10/Okt/2000:13:55:36 +0000]',
      '[31/Apr/2000:13:55:36 +0000]',
      '[10/Oct/2000:24:00:00 +0000]',
      '[10/Oct/2000 13:55:36 +0000]',
      '[2000-10-10T13:55:36+00:00]',
    ]) {
      expect(reasonOf(`h - - ${bad} "GET / HTTP/1.0" 200 1 "-" "-"`), bad).toBe('bad-timestamp');
    }
  });
});

describe('request lines', () => {
  it('splits METHOD path PROTOCOL and keeps spaces inside the path', () => {
    const r = fields(line('GET /a b HTTP/1.1'));
    expect([r.method, r.path, r.protocol]).toEqual(['GET', '/a b', 'HTTP/1.1']);
  });

  it('reads a request without protocol (HTTP/0.9) with a null protocol', () => {
    const r = fields(line('GET /old'));
    expect([r.method, r.path, r.protocol]).toEqual(['GET', '/old', null]);
    // the last word is a protocol only when it starts with HTTP/
    expect(splitRequestLine('GET /a b')).toEqual(['GET', '/a b', null]);
  });

  it('keeps unusual methods and protocols', () => {
    expect(splitRequestLine('PROPFIND /dav/ HTTP/1.1')).toEqual(['PROPFIND', '/dav/', 'HTTP/1.1']);
    expect(splitRequestLine('M-SEARCH * HTTP/1.1')).toEqual(['M-SEARCH', '*', 'HTTP/1.1']);
    expect(splitRequestLine('GET / HTTP/2.0')).toEqual(['GET', '/', 'HTTP/2.0']);
  });

  it('reads "-" and "" as no request', () => {
    for (const request of ['-', '']) {
      const r = fields(line(request, '408 -'), parseCommon);
      expect([r.method, r.path, r.protocol, r.status]).toEqual([null, null, null, 408]);
    }
  });

  it('rejects garbage and requests without a path as bad-request', () => {
    expect(reasonOf(line('\\x16\\x03\\x01\\x00\\xa5', '400 226 "-" "-"'))).toBe('bad-request');
    expect(reasonOf(line('GET', '400 0 "-" "-"'))).toBe('bad-request');
    expect(reasonOf(line('<html> x', '400 0 "-" "-"'))).toBe('bad-request');
  });

  it('decodes escapes in the request before splitting it', () => {
    const r = fields(line('GET /q?\\"x\\" HTTP/1.1'));
    expect(r.path).toBe('/q?"x"');
  });

  it('rejects an unquoted or unclosed request', () => {
    expect(reasonOf(`h - - ${TIME} GET / 200 1`)).toBe('bad-quoted-field');
    expect(reasonOf(`h - - ${TIME} "GET / HTTP/1.1`)).toBe('bad-quoted-field');
  });
});

describe('status and bytes', () => {
  it('reads three-digit statuses and byte counts, "-" bytes as null', () => {
    const r = fields(line('GET / HTTP/1.1', '503 -'), parseCommon);
    expect([r.status, r.bytes]).toEqual([503, null]);
    expect(fields(line('GET / HTTP/1.1', '200 123456789012 "-" "-"')).bytes).toBe(123456789012);
  });

  it('rejects bad statuses and byte counts with their reasons', () => {
    expect(reasonOf(line('GET / HTTP/1.1', '- 10 "-" "-"'))).toBe('bad-status');
    expect(reasonOf(line('GET / HTTP/1.1', '2000 10 "-" "-"'))).toBe('bad-status');
    expect(reasonOf(line('GET / HTTP/1.1', '099 10 "-" "-"'))).toBe('bad-status');
    expect(reasonOf(line('GET / HTTP/1.1', '600 10 "-" "-"'))).toBe('bad-status');
    expect(reasonOf(line('GET / HTTP/1.1', 'abc 10 "-" "-"'))).toBe('bad-status');
    expect(reasonOf(line('GET / HTTP/1.1', '200 1x "-" "-"'))).toBe('bad-bytes');
    expect(reasonOf(line('GET / HTTP/1.1', '200 1234567890123456 "-" "-"'))).toBe('bad-bytes');
    expect(reasonOf(line('GET / HTTP/1.1', '200'))).toBe('missing-field');
    expect(reasonOf(line('GET / HTTP/1.1', ''))).toBe('missing-field');
  });
});

describe('referrer, user agent and what follows', () => {
  it('turns "-" into null and keeps "" as the empty string', () => {
    const r = fields(line('GET / HTTP/1.1', '200 1 "-" ""'));
    expect([r.referrer, r.userAgent]).toEqual([null, '']);
  });

  it('ignores fields after the user agent (nginx forwarded-for, request time)', () => {
    const r = fields(line('GET / HTTP/1.1', '200 1 "http://r/" "ua 1.0" "10.0.0.1" 0.003'));
    expect([r.referrer, r.userAgent]).toEqual(['http://r/', 'ua 1.0']);
  });

  it('decodes backslash escapes in quoted fields', () => {
    const r = fields(line('GET / HTTP/1.1', '200 1 "a\\\\b" "say \\"hi\\"\\t\\xc3\\xa9"'));
    expect(r.referrer).toBe('a\\b');
    expect(r.userAgent).toBe('say "hi"\té');
  });

  it('rejects unclosed, unquoted or missing fields with their reasons', () => {
    // An unclosed user agent, the last field, is a truncated line: combined-truncated-lines.test.ts
    expect(reasonOf(line('GET / HTTP/1.1', '200 1 "cut off'))).toBe('bad-quoted-field');
    expect(reasonOf(line('GET / HTTP/1.1', '200 1 - "-"'))).toBe('bad-quoted-field');
    expect(reasonOf(line('GET / HTTP/1.1', '200 1 "-" -'))).toBe('bad-quoted-field');
    expect(reasonOf(line('GET / HTTP/1.1', '200 1 "-"'))).toBe('missing-field');
  });

  it('tells a common-format line from a combined one', () => {
    expect(parseCombined(line('GET / HTTP/1.1', '200 1'))).toMatchObject({
      kind: 'rejected',
      reason: 'missing-field',
      message:
        'the referrer and user-agent fields are missing (a common-format line: try --format common or auto)',
    });
    expect(reasonOf(line('GET / HTTP/1.1', '200 1 "-" "-"'), parseCommon)).toBe('trailing-garbage');
  });
});

describe('line ends and odd input', () => {
  it('drops a trailing CR and trailing blanks', () => {
    expect(fields(`${line('GET / HTTP/1.1')}\r`)).toEqual(fields(line('GET / HTTP/1.1')));
    expect(fields(`${line('GET / HTTP/1.1', '200 1')}  \r`, parseCommon).bytes).toBe(1);
  });

  it('rejects empty and blank lines as empty-line', () => {
    for (const blank of ['', '\r', '   ', '\t \r']) expect(reasonOf(blank)).toBe('empty-line');
  });

  it('keeps U+FFFD from invalid UTF-8 as it is', () => {
    expect(fields(line('GET /caf\uFFFD HTTP/1.1')).path).toBe('/caf\uFFFD');
  });

  it('parses very long lines', () => {
    const path = `/${'a'.repeat(200_000)}`;
    const ua = 'b'.repeat(100_000);
    const r = fields(line(`GET ${path} HTTP/1.1`, `200 1 "-" "${ua}"`));
    expect([r.path?.length, r.userAgent?.length]).toEqual([200_001, 100_000]);
  });

  it('returns the same frozen rejection each time, so rejecting allocates nothing', () => {
    const a = parseCombined('');
    const b = parseCombined('   ');
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
