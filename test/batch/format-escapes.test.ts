/**
 * Job rows come from log lines: a path holding ESC, BEL or CSI must print as `\xHH`, never reach
 * the terminal as a control sequence (retitle the window, clear the screen).
 */
import { describe, expect, it } from 'vitest';
import type { JobCounters } from '../../src/batch/counters';
import { formatJobResult } from '../../src/batch/format';

const HOSTILE = '/a\x1b]0;pwned\x07\x1b[2J\x9b31m';

describe('formatJobResult', () => {
  it('writes control characters in string cells as \\xHH', () => {
    const text = formatJobResult({
      name: 'errors',
      description: 'Error analysis',
      columns: ['url', 'count'],
      rows: [{ url: HOSTILE, count: 3 }],
      counters: {} as JobCounters,
    });
    expect(text).toBe(
      [
        'errors: Error analysis',
        '  url                               count',
        '  /a\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m      3',
        '',
      ].join('\n'),
    );
  });
});
