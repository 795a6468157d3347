/**
 * Where the fields of an access-log line end, shared by the parser (combined.ts) and the
 * event-time reader (event-time.ts), so both find the same field boundaries by the same rules.
 */

export const SPACE = 32;
export const QUOTE = 34;
export const BACKSLASH = 92;
export const DASH = 45;

/** Index of the quote that closes a field opened before `from`, or -1. */
export function closingQuote(line: string, from: number, end: number): number {
  let q = line.indexOf('"', from);
  while (q !== -1 && q < end) {
    if (q + 1 === end || line.charCodeAt(q + 1) === SPACE) {
      // Preceded by an odd number of backslashes, the quote is escaped.
      let k = q - 1;
      while (k >= from && line.charCodeAt(k) === BACKSLASH) k--;
      if (((q - 1 - k) & 1) === 0) return q;
    }
    q = line.indexOf('"', q + 1);
  }
  return -1;
}

/** A bare "-" field at s[i], followed by a space. */
export function isDashField(s: string, i: number): boolean {
  return s.charCodeAt(i) === DASH && s.charCodeAt(i + 1) === SPACE;
}

/** A quoted "-" field whose content starts at s[i]: its closing quote is at i + 1. */
export function isQuotedDash(s: string, i: number, end: number): boolean {
  return (
    s.charCodeAt(i) === DASH &&
    s.charCodeAt(i + 1) === QUOTE &&
    (i + 2 === end || s.charCodeAt(i + 2) === SPACE)
  );
}
