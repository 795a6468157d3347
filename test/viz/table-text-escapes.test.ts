/** tableText prints cells from log lines: control characters are shown as `\xHH`. */
import { describe, expect, it } from 'vitest';
import { tableText } from '../../src/viz/table';

describe('tableText', () => {
  it('writes control characters as \\xHH, counted in the width and the cut', () => {
    const rows = [{ path: '/a\x1b]0;pwned\x07\x1b[2J', n: 1 }];
    expect(tableText(rows)).toBe(
      [
        'path                       n',
        '-------------------------  -',
        '/a\\x1b]0;pwned\\x07\\x1b[2J  1',
      ].join('\n'),
    );
    expect(tableText(rows, { maxWidth: 8 })).toBe(
      ['path      n', '--------  -', '/a\\x1b]…  1'].join('\n'),
    );
  });
});
