/** The formatter writes exactly what Apache and nginx write: escapes, "-" for null, UTC time. */
import { describe, expect, it } from 'vitest';
import {
  escapeApache,
  escapeJson,
  formatApacheTime,
  formatCombined,
  formatCombinedTime,
  formatCommon,
  formatJson,
  formatRequest,
  formatterFor,
} from '../../src/log/format';
import type { LogRecord } from '../../src/log/record';

const BASE: LogRecord = {
  ip: '127.0.0.1',
  ident: null,
  user: 'frank',
  time: Date.UTC(2000, 9, 10, 20, 55, 36),
  method: 'GET',
  path: '/apache_pb.gif',
  protocol: 'HTTP/1.0',
  status: 200,
  bytes: 2326,
  referrer: 'http://www.example.com/start.html',
  userAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
  durationMs: null,
};

describe('formatApacheTime', () => {
  it('writes the Apache example instant in UTC', () => {
    expect(formatApacheTime(Date.UTC(2000, 9, 10, 13, 55, 36))).toBe('10/Oct/2000:13:55:36 +0000');
  });

  it('handles the epoch, leap days, year ends and times before 1970', () => {
    expect(formatApacheTime(0)).toBe('01/Jan/1970:00:00:00 +0000');
    expect(formatApacheTime(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe(
      '29/Feb/2024:23:59:59 +0000',
    );
    expect(formatApacheTime(Date.UTC(1999, 11, 31, 23, 59, 59))).toBe('31/Dec/1999:23:59:59 +0000');
    expect(formatApacheTime(-1)).toBe('31/Dec/1969:23:59:59 +0000');
    expect(formatApacheTime(Date.UTC(2100, 2, 1))).toBe('01/Mar/2100:00:00:00 +0000');
  });

  it('agrees with Date for instants spread over four centuries', () => {
    const months = [
      'Jan',
      'Feb',
      'Mar',
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
    ];
    const two = (n: number) => String(n).padStart(2, '0');
    const wrong: string[] = [];
    for (let t = Date.UTC(1800, 0, 1); t < Date.UTC(2200, 0, 1); t += 999_999_937) {
      const d = new Date(Math.floor(t / 1000) * 1000);
      const expected = `${two(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
      if (formatApacheTime(t) !== expected)
        wrong.push(`${t}: ${formatApacheTime(t)} ≠ ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives the right answer after the one-second cache, going back and forth', () => {
    const t = Date.UTC(2024, 2, 12, 13, 0, 0);
    expect(formatApacheTime(t + 999)).toBe('12/Mar/2024:13:00:00 +0000');
    expect(formatApacheTime(t + 1000)).toBe('12/Mar/2024:13:00:01 +0000');
    expect(formatApacheTime(t)).toBe('12/Mar/2024:13:00:00 +0000');
    expect(formatApacheTime(t - 1)).toBe('12/Mar/2024:12:59:59 +0000');
  });
});

describe('formatCombined and formatCommon', () => {
  it('write the Apache documentation example', () => {
    expect(formatCombined(BASE)).toBe(
      '127.0.0.1 - frank [10/Oct/2000:20:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
    );
    expect(formatCommon(BASE)).toBe(
      '127.0.0.1 - frank [10/Oct/2000:20:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 2326',
    );
  });

  it('write null fields as "-" and an empty user as ""', () => {
    const r: LogRecord = {
      ...BASE,
      ident: null,
      user: null,
      bytes: null,
      referrer: null,
      userAgent: null,
    };
    expect(formatCombined(r)).toBe(
      '127.0.0.1 - - [10/Oct/2000:20:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 - "-" "-"',
    );
    expect(formatCommon({ ...r, user: '', ident: 'id' })).toBe(
      '127.0.0.1 id "" [10/Oct/2000:20:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 -',
    );
  });

  it('write a missing request line as "-" and keep a request without protocol', () => {
    const none = { ...BASE, method: null, path: null, protocol: null, status: 408, bytes: null };
    expect(formatCommon(none)).toBe('127.0.0.1 - frank [10/Oct/2000:20:55:36 +0000] "-" 408 -');
    expect(formatRequest({ ...BASE, protocol: null })).toBe('GET /apache_pb.gif');
    expect(formatRequest({ ...BASE, method: null, protocol: null, path: 'garbage' })).toBe(
      'garbage',
    );
  });

  it('escape quotes, backslashes and control characters as Apache does', () => {
    const r = {
      ...BASE,
      path: '/a"b\\c',
      referrer: 'tab\there\nnew\rret\bback\vvert',
      userAgent: 'nul\u0000 esc\u001b del\u007f',
    };
    expect(formatCombined(r)).toBe(
      '127.0.0.1 - frank [10/Oct/2000:20:55:36 +0000] "GET /a\\"b\\\\c HTTP/1.0" 200 2326 "tab\\there\\nnew\\rret\\bback\\vvert" "nul\\x00 esc\\x1b del\\x7f"',
    );
  });

  it('write non-ASCII characters as they are (UTF-8 on output)', () => {
    const r = { ...BASE, path: '/caf\u00e9', userAgent: 'snow \u2603 \u{1F600}' };
    expect(formatCombined(r)).toBe(
      '127.0.0.1 - frank [10/Oct/2000:20:55:36 +0000] "GET /café HTTP/1.0" 200 2326 "http://www.example.com/start.html" "snow ☃ 😀"',
    );
  });

  it('escape the bare user field too, so it cannot break the quoting', () => {
    expect(formatCommon({ ...BASE, user: 'a"b' })).toBe(
      '127.0.0.1 - a\\"b [10/Oct/2000:20:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 2326',
    );
  });
});

describe('escapeApache and escapeJson', () => {
  it('return the same string when there is nothing to escape', () => {
    const plain = 'Mozilla/5.0 (X11; Linux x86_64) ü';
    expect(escapeApache(plain)).toBe(plain);
    expect(escapeJson(plain)).toBe(plain);
  });

  it('escape every ASCII control character', () => {
    const all = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    expect(escapeApache(all)).toBe(
      '\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\b\\t\\n\\v\\x0c\\r\\x0e\\x0f\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f',
    );
    expect(JSON.parse(`"${escapeJson(all)}"`)).toBe(all);
    expect(escapeJson('\u0001\f')).toBe('\\u0001\\f');
  });

  it('keep surrogate pairs raw in JSON and escape lone surrogates', () => {
    expect(escapeJson('\u{1F600}')).toBe('\u{1F600}');
    expect(escapeJson('a\ud800b')).toBe('a\\ud800b');
    expect(JSON.parse(`"${escapeJson('a\udc00\ud800')}"`)).toBe('a\udc00\ud800');
  });
});

describe('formatJson', () => {
  it('writes the nginx escape=json shape with digit strings and "-" for null', () => {
    expect(formatJson({ ...BASE, bytes: null, referrer: null })).toBe(
      '{"remote_addr":"127.0.0.1","remote_user":"frank","time_local":"10/Oct/2000:20:55:36 +0000","request":"GET /apache_pb.gif HTTP/1.0","status":"200","body_bytes_sent":"-","http_referer":"-","http_user_agent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}',
    );
  });

  it('is valid JSON whatever the fields hold', () => {
    const r = { ...BASE, path: '/"q"\\\n', userAgent: '\u0000\u2603\ud800' };
    expect(JSON.parse(formatJson(r))).toEqual({
      remote_addr: '127.0.0.1',
      remote_user: 'frank',
      time_local: '10/Oct/2000:20:55:36 +0000',
      request: 'GET /"q"\\\n HTTP/1.0',
      status: '200',
      body_bytes_sent: '2326',
      http_referer: 'http://www.example.com/start.html',
      http_user_agent: '\u0000\u2603\ud800',
    });
  });
});

describe('the request time', () => {
  it('is appended to combined as %D, whole microseconds, "-" without one', () => {
    expect(formatCombinedTime({ ...BASE, durationMs: 48.2134 })).toBe(
      `${formatCombined(BASE)} 48213`,
    );
    expect(formatCombinedTime({ ...BASE, durationMs: 0 })).toBe(`${formatCombined(BASE)} 0`);
    expect(formatCombinedTime(BASE)).toBe(`${formatCombined(BASE)} -`);
  });

  it('is request_time in JSON, seconds to the millisecond as nginx writes it, absent without one', () => {
    expect(formatJson({ ...BASE, durationMs: 48.6 })).toBe(
      formatJson(BASE).replace(/}$/, ',"request_time":"0.049"}'),
    );
    expect(formatJson({ ...BASE, durationMs: 61_002 })).toMatch(/,"request_time":"61.002"}$/);
    expect(formatJson({ ...BASE, durationMs: 7 })).toMatch(/,"request_time":"0.007"}$/);
    expect(formatJson(BASE)).not.toContain('request_time');
  });
});

describe('formatterFor', () => {
  it('picks the formatter by name', () => {
    expect(formatterFor('combined')(BASE)).toBe(formatCombined(BASE));
    expect(formatterFor('combined-time')(BASE)).toBe(formatCombinedTime(BASE));
    expect(formatterFor('common')(BASE)).toBe(formatCommon(BASE));
    expect(formatterFor('json')(BASE)).toBe(formatJson(BASE));
  });
});
