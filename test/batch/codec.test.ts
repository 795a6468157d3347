import { describe, expect, it } from 'vitest';
import {
  compareKeys,
  decodeLine,
  encodeLine,
  escapeField,
  partitionOf,
  unescapeField,
} from '../../src/batch/codec';

describe('the text codec of Hadoop Streaming', () => {
  it('escapes tabs, line breaks and backslashes so a line splits at its first TAB', () => {
    expect(encodeLine('a\tb', 'x\ny\r\\z')).toBe('a\\tb\tx\\ny\\r\\\\z\n');
    expect(decodeLine('a\\tb\tx\\ny\\r\\\\z')).toEqual(['a\tb', 'x\ny\r\\z']);
    expect(escapeField('plain /path?q=1')).toBe('plain /path?q=1');
    expect(unescapeField('a\\qb')).toBe('a\\qb'); // an unknown escape stays as written
  });

  it('reads a line without a TAB as a key with an empty value, as Hadoop does', () => {
    expect(decodeLine('key only')).toEqual(['key only', '']);
  });

  it('round-trips any text', () => {
    const samples = ['', '\\', '\\t', '\t\t', 'é\u{1F600}\n', 'a\\nb', '\r\n'];
    for (const s of samples) expect(unescapeField(escapeField(s))).toBe(s);
  });

  it('orders keys by their UTF-8 bytes, as Hadoop orders Text keys', () => {
    const keys = ['b', 'a', 'ab', '', 'é', '\u{1F600}', '\uFF5E', '\uE000', 'Z', '\u00FF', '~'];
    const bytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(bytes);
    // UTF-16 order would put the emoji (a surrogate pair) before U+FF5E; UTF-8 puts it after.
    expect(compareKeys('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
  });

  it("partitions as Hadoop's HashPartitioner does with Text.hashCode", () => {
    // Text.hashCode("a") = 31 * 1 + 97 = 128; "ab" = 31 * 128 + 98 = 4066.
    expect(partitionOf('a', 5)).toBe(128 % 5);
    expect(partitionOf('ab', 7)).toBe(4066 % 7);
    expect(partitionOf('anything', 1)).toBe(0);
    // Bytes are signed in Java: é is C3 A9, i.e. -61 and -87: h = 31 · (31 − 61) − 87 = −1017,
    // and −1017 & 0x7fffffff = 2147482631.
    expect(partitionOf('é', 1000)).toBe(631);
    // A long key overflows 32 bits and wraps as a Java int.
    let h = 1;
    for (const c of Buffer.from('/a/long/path/that/overflows?x=1')) h = (Math.imul(31, h) + c) | 0;
    expect(partitionOf('/a/long/path/that/overflows?x=1', 13)).toBe((h & 0x7fffffff) % 13);
  });
});
