/** Counting outcomes: parsed + rejected = read, and rejections by reason. */
import { describe, expect, it } from 'vitest';
import { parseCombined } from '../../src/log/combined';
import { countOutcome, createParseStats, formatReasons, isParseFormat } from '../../src/log/parser';

describe('ParseStats', () => {
  it('counts parsed and rejected lines and the reasons', () => {
    const stats = createParseStats();
    for (const line of [
      '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"',
      '',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" - 5 "-" "ua"',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" x 5 "-" "ua"',
    ]) {
      countOutcome(stats, parseCombined(line));
    }
    expect(stats).toEqual({
      read: 4,
      parsed: 1,
      rejected: 3,
      truncated: 0,
      byReason: { 'empty-line': 1, 'bad-status': 2 },
    });
    expect(formatReasons(stats)).toBe('bad-status 2, empty-line 1');
  });

  it('says nothing when nothing was rejected', () => {
    expect(formatReasons(createParseStats())).toBe('');
  });

  it('knows the format names', () => {
    expect(['auto', 'combined', 'common', 'json', 'clf'].map(isParseFormat)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });
});
