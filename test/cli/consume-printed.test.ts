/**
 * What `loglab consume` prints of a message: on a terminal, control characters from the log line
 * shown as \xHH, as every other command shows log text; into a pipe, the line as it is.
 */
import { describe, expect, it } from 'vitest';
import { printedValue } from '../../src/cli/commands/consume';

const LINE =
  '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /evil\u001b[31mRED\u009b HTTP/1.1" 200 5 "-" "curl\u0007"';

describe('printedValue', () => {
  it('escapes control characters on a terminal and leaves piped lines alone', () => {
    expect(printedValue(LINE, true)).toBe(
      '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET /evil\\x1b[31mRED\\x9b HTTP/1.1" 200 5 "-" "curl\\x07"',
    );
    expect(printedValue(LINE, false)).toBe(LINE);
  });
});
