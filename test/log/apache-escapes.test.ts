/** Apache's backslash escapes inside quoted fields, and how runs of \xHH bytes become text. */
import { describe, expect, it } from 'vitest';
import { decodeByteRun, unescapeApache, unescapeApacheRange } from '../../src/log/escape';

describe('unescapeApache', () => {
  it('decodes quote, backslash and the control-character escapes', () => {
    expect(unescapeApache('a\\"b\\\\c')).toBe('a"b\\c');
    expect(unescapeApache('\\n\\t\\r\\b\\v')).toBe('\n\t\r\b\v');
  });

  it('decodes a run of \\xHH as UTF-8 when the run is valid UTF-8', () => {
    expect(unescapeApache('\\xe2\\x98\\x83')).toBe('\u2603');
    expect(unescapeApache('caf\\xc3\\xa9!')).toBe('café!');
    expect(unescapeApache('\\xf0\\x9f\\x98\\x80')).toBe('\u{1F600}');
    expect(unescapeApache('\\x41\\x42')).toBe('AB');
  });

  it('decodes a run that is not valid UTF-8 one byte per character (Latin-1)', () => {
    expect(unescapeApache('\\xe4\\xe5')).toBe('\u00e4\u00e5');
    // a truncated sequence, an overlong form, a surrogate: all invalid, so Latin-1
    expect(unescapeApache('\\xe2\\x98')).toBe('\u00e2\u0098');
    expect(unescapeApache('\\xc0\\xaf')).toBe('\u00c0\u00af');
    expect(unescapeApache('\\xed\\xa0\\x80')).toBe('\u00ed\u00a0\u0080');
  });

  it('keeps unknown escapes, short \\x and a lone trailing backslash as written', () => {
    expect(unescapeApache('\\q')).toBe('\\q');
    expect(unescapeApache('\\x4')).toBe('\\x4');
    expect(unescapeApache('\\xzz')).toBe('\\xzz');
    expect(unescapeApache('end\\')).toBe('end\\');
  });

  it('returns the input itself when there is nothing to decode', () => {
    const s = 'plain text';
    expect(unescapeApache(s)).toBe(s);
  });

  it('decodes only inside the given range', () => {
    const s = '\\n[a\\"b]\\n';
    expect(unescapeApacheRange(s, 3, 7)).toBe('a"b');
    // a \x run is cut at the end of the range
    expect(unescapeApacheRange('\\x41\\x42', 0, 4)).toBe('A');
  });
});

describe('decodeByteRun', () => {
  it('rejects code points above U+10FFFF and stray continuation bytes', () => {
    expect(decodeByteRun([0xf4, 0x90, 0x80, 0x80])).toBe('\u00f4\u0090\u0080\u0080');
    expect(decodeByteRun([0x80])).toBe('\u0080');
  });
});
