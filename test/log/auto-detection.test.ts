/** Per-line format detection, and choosing one format for a sample. */
import { describe, expect, it } from 'vitest';
import { detectFormat, parseAuto } from '../../src/log/auto';
import { parseCombined, parseCombinedTime, parseCommon } from '../../src/log/combined';
import { parseJson } from '../../src/log/json';
import { getParser } from '../../src/log/parser';

const COMBINED = '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"';
const TIMED = `${'1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"'} 12345`;
const COMMON = '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5';
const JSON_LINE =
  '{"remote_addr":"1.2.3.4","time_local":"10/Oct/2000:13:55:36 +0000","request":"GET / HTTP/1.1","status":"200","body_bytes_sent":"5"}';

describe('parseAuto', () => {
  it('reads each format and gives the same record for the same request', () => {
    const base = {
      ip: '1.2.3.4',
      ident: null,
      user: null,
      time: Date.UTC(2000, 9, 10, 13, 55, 36),
      method: 'GET',
      path: '/',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 5,
      referrer: null,
      durationMs: null,
    };
    expect(parseAuto(COMBINED)).toEqual({ ...base, userAgent: 'ua' });
    expect(parseAuto(TIMED)).toEqual({ ...base, userAgent: 'ua', durationMs: 12.345 });
    expect(parseAuto(`${COMBINED} 0.012`)).toEqual({ ...base, userAgent: 'ua' });
    expect(parseAuto(`${COMBINED} "-"`)).toEqual({ ...base, userAgent: 'ua' });
    expect(parseAuto(JSON_LINE.replace('}', ',"request_time":"0.012"}'))).toEqual({
      ...base,
      userAgent: null,
      durationMs: 12,
    });
    expect(parseAuto(COMMON)).toEqual({ ...base, userAgent: null });
    expect(parseAuto(JSON_LINE)).toEqual({ ...base, userAgent: null });
    expect(parseAuto(`  ${JSON_LINE}`)).toEqual({ ...base, userAgent: null });
  });

  it('gives the JSON reason for a broken JSON line and the access-log reason otherwise', () => {
    expect(parseAuto('{"remote_addr":')).toMatchObject({ reason: 'bad-json' });
    expect(parseAuto(COMMON.replace('" 200 ', '" - '))).toMatchObject({ reason: 'bad-status' });
  });
});

describe('detectFormat', () => {
  it('names the format most lines parse in', () => {
    expect(detectFormat([COMBINED, COMBINED, COMMON])).toBe('combined');
    expect(detectFormat([COMMON, '', COMMON, COMBINED])).toBe('common');
    expect(detectFormat([JSON_LINE, JSON_LINE, COMMON])).toBe('json');
    expect(detectFormat([TIMED, TIMED, COMBINED])).toBe('combined-time');
    expect(detectFormat([TIMED, COMBINED, COMBINED])).toBe('combined');
    expect(detectFormat([TIMED, TIMED, COMMON, COMMON, COMMON])).toBe('common');
  });

  it('prefers combined on ties and when nothing parses', () => {
    expect(detectFormat([COMBINED, COMMON])).toBe('combined');
    expect(detectFormat([TIMED, COMBINED])).toBe('combined');
    expect(detectFormat(['garbage', ''])).toBe('combined');
    expect(detectFormat([])).toBe('combined');
  });
});

describe('getParser', () => {
  it('maps each format name to its parser', () => {
    expect(getParser('combined')).toBe(parseCombined);
    expect(getParser('combined-time')).toBe(parseCombinedTime);
    expect(getParser('common')).toBe(parseCommon);
    expect(getParser('json')).toBe(parseJson);
    expect(getParser('auto')).toBe(parseAuto);
  });
});
