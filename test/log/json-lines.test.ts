/** JSON lines as nginx `escape=json` writes them, and our own record field names. */
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/log/json';
import type { LogRecord } from '../../src/log/record';

function fields(line: string): LogRecord {
  const out = parseJson(line);
  if ('kind' in out) throw new Error(`rejected: ${out.reason}: ${out.message}`);
  return out;
}

function reasonOf(line: string): string | undefined {
  return (parseJson(line) as { reason?: string }).reason;
}

describe('parseJson', () => {
  it('reads an nginx escape=json line with every value a string', () => {
    const line =
      '{"time_local":"17/May/2015:10:05:03 -0700","remote_addr":"2001:db8::1","remote_user":"",' +
      '"request":"GET /a?b=1 HTTP/1.1","status":"404","body_bytes_sent":"612","request_time":"0.001",' +
      '"http_referer":"","http_user_agent":"curl/8.5.0 \\"x\\""}';
    expect(parseJson(line)).toEqual({
      ip: '2001:db8::1',
      ident: null,
      user: null,
      time: Date.UTC(2015, 4, 17, 17, 5, 3),
      method: 'GET',
      path: '/a?b=1',
      protocol: 'HTTP/1.1',
      status: 404,
      bytes: 612,
      referrer: null,
      userAgent: 'curl/8.5.0 "x"',
      durationMs: 1,
    });
  });

  it('reads our own field names with numbers as numbers, in record field order', () => {
    const record = {
      ip: '10.0.0.1',
      ident: 'id',
      user: 'bob',
      time: 1431857103000,
      method: 'POST',
      path: '/login',
      protocol: 'HTTP/2.0',
      status: 302,
      bytes: 0,
      referrer: 'https://example.com/',
      userAgent: 'ua',
      durationMs: 12.5,
    };
    const parsed = fields(JSON.stringify(record));
    expect(parsed).toEqual(record);
    expect(Object.keys(parsed)).toEqual(Object.keys(record));
  });

  it('reads $time_iso8601, $msec, method/uri/protocol fields and "-" as null', () => {
    const iso = fields(
      '{"remote_addr":"1.1.1.1","time_iso8601":"2019-03-04T12:34:56+02:00","request_method":"HEAD","request_uri":"/x?y","server_protocol":"HTTP/1.0","status":200,"bytes_sent":"-","http_user_agent":"-"}',
    );
    expect([iso.time, iso.method, iso.path, iso.protocol, iso.bytes, iso.userAgent]).toEqual([
      Date.UTC(2019, 2, 4, 10, 34, 56),
      'HEAD',
      '/x?y',
      'HTTP/1.0',
      null,
      null,
    ]);
    const msec = fields('{"remote_addr":"1.1.1.1","msec":"1551703496.123","status":"200"}');
    expect([msec.time, msec.method, msec.path, msec.bytes]).toEqual([
      1551703496123,
      null,
      null,
      null,
    ]);
  });

  it('reads request_time (seconds) and durationMs (ms) as the request time, "-" as none', () => {
    const base = '{"ip":"1.1.1.1","time":0,"status":200';
    expect(fields(`${base},"request_time":"0.029"}`).durationMs).toBe(29);
    expect(fields(`${base},"request_time":1.5}`).durationMs).toBe(1500);
    expect(fields(`${base},"request_time":"0.0001234"}`).durationMs).toBe(0.123);
    expect(fields(`${base},"durationMs":12.25,"request_time":"9"}`).durationMs).toBe(12.25);
    expect(fields(`${base},"request_time":"-"}`).durationMs).toBe(null);
    expect(fields(`${base}}`).durationMs).toBe(null);
    for (const bad of ['"abc"', '"-1"', '-1', '"1e3"', '"1.2.3"', 'true', '[]']) {
      expect(reasonOf(`${base},"request_time":${bad}}`), bad).toBe('bad-duration');
    }
  });

  it('reads a "-" request as no request, and splits a request with spaces in the path', () => {
    const base = '{"ip":"1.1.1.1","time":0,"status":400,"request":';
    expect(fields(`${base}"-"}`).method).toBe(null);
    expect(fields(`${base}"GET /a b HTTP/1.1"}`).path).toBe('/a b');
  });

  it('tolerates a trailing CR and surrounding blanks', () => {
    expect(fields(' {"ip":"1.1.1.1","time":5,"status":200}\r').time).toBe(5);
  });

  it('rejects broken lines with their reasons', () => {
    expect(reasonOf('')).toBe('empty-line');
    expect(reasonOf('{"ip":"1.1.1.1",')).toBe('bad-json');
    expect(reasonOf('[1,2]')).toBe('bad-json');
    expect(reasonOf('"text"')).toBe('bad-json');
    expect(reasonOf('{"ip":{"a":1},"time":0,"status":200}')).toBe('bad-json');
    expect(reasonOf('{"ip":"1.1.1.1","time":0,"status":200,"http_user_agent":true}')).toBe(
      'bad-json',
    );
    expect(reasonOf('{"time":0,"status":200}')).toBe('missing-field');
    expect(reasonOf('{"ip":"","time":0,"status":200}')).toBe('missing-field');
    expect(reasonOf('{"ip":"1.1.1.1","status":200}')).toBe('missing-field');
    expect(reasonOf('{"ip":"1.1.1.1","time":0}')).toBe('missing-field');
    expect(reasonOf('{"ip":"1.1.1.1","time":"yesterday","status":200}')).toBe('bad-timestamp');
    expect(reasonOf('{"ip":"1.1.1.1","time_local":"10/Oct/2000","status":200}')).toBe(
      'bad-timestamp',
    );
    expect(reasonOf('{"ip":"1.1.1.1","time":0,"status":"-"}')).toBe('bad-status');
    expect(reasonOf('{"ip":"1.1.1.1","time":0,"status":"20x"}')).toBe('bad-status');
    expect(reasonOf('{"ip":"1.1.1.1","time":0,"status":700}')).toBe('bad-status');
    expect(reasonOf('{"ip":"1.1.1.1","time":0,"status":200,"bytes":"12k"}')).toBe('bad-bytes');
    expect(reasonOf('{"ip":"1.1.1.1","time":0,"status":200,"request":"GET"}')).toBe('bad-request');
  });
});
