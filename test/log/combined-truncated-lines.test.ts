/**
 * A line cut off inside its last quoted field (a log cut mid-write) is parsed, as GoAccess
 * parses it, and marked `truncated`; a line cut off earlier is still rejected.
 */
import { describe, expect, it } from 'vitest';
import { parseAuto } from '../../src/log/auto';
import { parseCombined, parseCommon } from '../../src/log/combined';
import { parseJson } from '../../src/log/json';
import { countOutcome, createParseStats } from '../../src/log/parser';
import type { LogRecord } from '../../src/log/record';
import { summarizeLines, summarizeText } from '../../src/summary/summarize';

const HEAD = '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 10';
const T = Date.UTC(2000, 9, 10, 13, 55, 36);

function record(referrer: string | null, userAgent: string | null): LogRecord {
  return {
    ip: '1.2.3.4',
    ident: null,
    user: null,
    time: T,
    method: 'GET',
    path: '/a',
    protocol: 'HTTP/1.1',
    status: 200,
    bytes: 10,
    referrer,
    userAgent,
    durationMs: null,
  };
}

describe('a line cut off inside the user agent', () => {
  it('is parsed, with the user agent up to the end of the line, and marked truncated', () => {
    expect(parseCombined(`${HEAD} "-" "Mozilla/5.0 (compatible; Googlebot/2.1`)).toEqual({
      ...record(null, 'Mozilla/5.0 (compatible; Googlebot/2.1'),
      truncated: true,
    });
    expect(parseCombined(`${HEAD} "http://r/" "curl/8`)).toEqual({
      ...record('http://r/', 'curl/8'),
      truncated: true,
    });
  });

  it('loses the trailing CR and blanks every line loses, and decodes escapes', () => {
    expect(parseCombined(`${HEAD} "-" "cut \\"here\\" \\xc3\\xa9  \r`)).toEqual({
      ...record(null, 'cut "here" é'),
      truncated: true,
    });
    // An escaped quote at the end does not close the field.
    expect(parseCombined(`${HEAD} "-" "ends in \\"`)).toEqual({
      ...record(null, 'ends in "'),
      truncated: true,
    });
  });

  it('reads a cut right after the opening quote as "", and a cut "-" as the absent "-"', () => {
    expect(parseCombined(`${HEAD} "-" "`)).toEqual({ ...record(null, ''), truncated: true });
    expect(parseCombined(`${HEAD} "-" "-`)).toEqual({ ...record(null, null), truncated: true });
  });

  it('is not truncated when the user agent closes and a later nginx field is cut off', () => {
    expect(parseCombined(`${HEAD} "-" "ua" "10.0.0.1`)).toEqual(record(null, 'ua'));
  });

  it('parses the same under auto detection, and stays trailing garbage for the common parser', () => {
    const line = `${HEAD} "-" "cut`;
    expect(parseAuto(line)).toEqual(parseCombined(line));
    expect(parseCommon(line)).toMatchObject({ kind: 'rejected', reason: 'trailing-garbage' });
  });

  it('has no truncated mark when the line is whole', () => {
    expect('truncated' in (parseCombined(`${HEAD} "-" "ua"`) as LogRecord)).toBe(false);
  });
});

describe('a line cut off before its last field', () => {
  it('is rejected: only the last quoted field may run to the end of the line', () => {
    expect(parseCombined(`${HEAD} "http://cut`)).toMatchObject({
      kind: 'rejected',
      reason: 'bad-quoted-field',
      message: 'the referrer has no closing quote',
    });
    expect(parseCombined('1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTT')).toMatchObject({
      kind: 'rejected',
      reason: 'bad-quoted-field',
      message: 'the request has no closing quote',
    });
  });

  it('is rejected as JSON too: a cut JSON line is not JSON', () => {
    expect(
      parseJson('{"remote_addr":"1.2.3.4","status":"200","http_user_agent":"cut'),
    ).toMatchObject({ kind: 'rejected', reason: 'bad-json' });
  });
});

describe('counting truncated lines', () => {
  const lines = [
    `${HEAD} "-" "whole"`,
    `${HEAD} "-" "cut`,
    `${HEAD} "http://cut`,
    `${HEAD} "-" "also cut`,
  ];

  it('counts them as parsed and as truncated, never as rejected', () => {
    const stats = createParseStats();
    for (const line of lines) countOutcome(stats, parseCombined(line));
    expect(stats).toEqual({
      read: 4,
      parsed: 3,
      rejected: 1,
      truncated: 2,
      byReason: { 'bad-quoted-field': 1 },
    });
  });

  it('counts them in the summary, through the fast path and the general one alike', () => {
    const general = summarizeLines(lines, 'combined').result();
    expect([general.total, general.rejected, general.truncated]).toEqual([3, 1, 2]);
    expect(summarizeText(lines.join('\n'), 'combined').result()).toEqual(general);
    expect(summarizeText(lines.join('\r\n'), 'auto').result()).toEqual(general);
  });
});
