/**
 * What the terminal and page helpers escape in text from log lines: controls as \xHH, a backslash
 * in a parsed value as \\, and Unicode's bidirectional controls and separators as \uXXXX (an
 * override turns the rest of a line around: `/bidi‮cod.exe` read `/bidiexe.doc` in the report).
 */
import { describe, expect, it } from 'vitest';
import { jsonWithoutControls, terminalLine, terminalText } from '../../src/log/terminal-text';

const BIDI = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067];
const MORE = [0x2068, 0x2069, 0x2028, 0x2029];

describe('terminalText', () => {
  it('writes controls as \\xHH, bidirectional controls and separators as \\uXXXX', () => {
    expect(terminalText('/a\u001b[2J\u009bb\r\n\u007f')).toBe('/a\\x1b[2J\\x9bb\\x0d\\x0a\\x7f');
    expect(terminalText('/bidi\u202ecod.exe\u2066x\u2069')).toBe(
      '/bidi\\u202ecod.exe\\u2066x\\u2069',
    );
    for (const c of [...BIDI, ...MORE]) {
      expect(terminalText(`a${String.fromCharCode(c)}b`)).toBe(
        `a\\u${c.toString(16).padStart(4, '0')}b`,
      );
    }
  });

  it('writes a backslash as \\\\, so a path holding the text \\x1b is not shown as ESC', () => {
    expect(terminalText('/a\\x1b')).toBe('/a\\\\x1b');
    expect(terminalText('/a\u001b')).toBe('/a\\x1b');
  });

  it('leaves everything else alone, returning the same string', () => {
    const plain = '/é/日本/🙂/\u00a0/\u200b/\u2030/a b';
    expect(terminalText(plain)).toBe(plain);
  });
});

describe('terminalLine (raw lines as stored)', () => {
  it('escapes as terminalText but keeps a backslash: the log escaped it already', () => {
    const line = '1.2.3.4 - - [x] "GET /a\\\\b\u202e HTTP/1.1" 200 5 "-" "say \\"hi\\"\u001b"';
    expect(terminalLine(line)).toBe(
      '1.2.3.4 - - [x] "GET /a\\\\b\\u202e HTTP/1.1" 200 5 "-" "say \\"hi\\"\\x1b"',
    );
  });
});

describe('jsonWithoutControls', () => {
  it('writes C1, DEL, bidirectional controls and separators as \\uXXXX: the same value', () => {
    const value = { path: '/a\u009b\u007f\u202e\u2066b\u2028', ua: 'x\u001by' };
    const json = jsonWithoutControls(JSON.stringify(value));
    expect(json).toBe('{"path":"/a\\u009b\\u007f\\u202e\\u2066b\\u2028","ua":"x\\u001by"}');
    expect(JSON.parse(json)).toEqual(value);
  });
});
