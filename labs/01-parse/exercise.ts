/**
 * Lab 01: parse one Apache/nginx combined log line. Read README.md first; it has the rules.
 *
 *   host ident user [dd/Mon/yyyy:HH:MM:SS +hhmm] "request" status bytes "referrer" "user agent"
 *
 * Fill in the three functions marked TODO. Run `npm run lab -- 01` to grade this file.
 * Keep the exported names and signatures: the tests import them.
 */
import { decodeByteRun } from '../../src/log/escape';
import type { ParseOutcome, Rejection, RejectReason } from '../../src/log/record';
import { parseClfTime } from '../../src/log/time';

// Given: use these, you do not need to write them.
// - parseClfTime(line, i): epoch ms UTC of the 26-character timestamp starting at line[i],
//   or NaN when it is not one ("10/Oct/2000:13:55:36 -0700", without the brackets).
// - decodeByteRun(bytes): the text of a run of \xHH bytes (UTF-8 when valid, else Latin-1).
void parseClfTime;
void decodeByteRun;

/** A rejection: every line that is not parsed gets a reason from RejectReason and a sentence. */
export function rejected(reason: RejectReason, message: string): Rejection {
  return { kind: 'rejected', reason, message };
}

/**
 * TODO 1: undo Apache's escapes inside a field.
 *   \"  → "        \\ → \        \n \t \r \b \v → the control character
 *   \xHH → a byte; collect a run of consecutive \xHH and turn it into text with decodeByteRun
 *   anything else after a backslash (\q, a short \x4, a lone \ at the end) stays as written
 */
export function unescapeField(raw: string): string {
  throw new Error(`not implemented: unescapeField(${JSON.stringify(raw)})`);
}

/**
 * TODO 2: the index of the quote that closes a quoted field whose text starts at `from`: the
 * first quote that is not escaped (not preceded by an odd number of backslashes) and is followed
 * by a space or by the end of the line. -1 when there is none.
 */
export function closingQuote(line: string, from: number): number {
  throw new Error(`not implemented: closingQuote(${line.length} characters, ${from})`);
}

/**
 * TODO 3: the parser. Return a LogRecord (fields in the order of the LogRecord type) or
 * rejected(reason, message) with the reason the README's table gives. Never throw.
 */
export function parseCombinedLine(line: string): ParseOutcome {
  return rejected(
    'unknown-format',
    `not implemented yet: parseCombinedLine (${line.length} chars)`,
  );
}
