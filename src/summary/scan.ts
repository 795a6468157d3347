/**
 * The summary's fast path: count requests straight from the text of complete lines, without
 * building a record per line.
 *
 * Only lines in the canonical combined form take it, a form in which every field is beyond doubt:
 *
 *   1.2.3.4 - - [dd/Mon/yyyy:HH:MM:SS +hhmm] "GET /path?q HTTP/1.1" 200 512 "referrer" "agent"
 *
 * - the host an IPv4 address (four numbers 0–255) or an IPv6 one (hex digits, colons, dots);
 * - ident and user both "-";
 * - a timestamp that `parseClfTime` (the parsers' own) accepts;
 * - a request of one common method (GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH), a target
 *   without spaces and a protocol HTTP/d or HTTP/d.d;
 * - a status 100–599 and a byte count of digits or "-";
 * - exactly six double quotes (the three quoted fields hold none) and the line ending right after
 *   the user agent's closing quote;
 * - no backslash anywhere, so nothing is escaped.
 * Such a line parses the same under any reading of the format, so the parser would return exactly
 * the fields taken here. A line cut off inside its user agent never ends with that quote, so it
 * goes to the parser, which accepts it and marks it truncated. Every other line (escapes, host names, a "-" request, a common-format line,
 * extra nginx fields, anything odd) goes to the format's parser, whose outcome, record or
 * rejection, is counted as it is. The tests hold both paths to identical summaries on real and
 * generated logs, edge cases and mutated lines.
 */
import { isAscii } from 'node:buffer';
import type { Parser } from '../log/parser';
import { isRejection } from '../log/record';
import { parseClfTime } from '../log/time';
import { countRejected, countRequest, countRequestAt, type SummaryState } from './aggregator';

const SPACE = 32;
const CR = 13;
const QUOTE = 34;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const BRACKET_OPEN = 91;
const BRACKET_CLOSE = 93;

/** True when s[a..b) is a dotted-quad IPv4 address or an IPv6 address without brackets. */
function isIpAddress(s: string, a: number, b: number): boolean {
  let colons = 0;
  for (let i = a; i < b; i++) if (s.charCodeAt(i) === COLON) colons++;
  if (colons > 0) {
    if (colons < 2 || b - a > 45) return false;
    for (let i = a; i < b; i++) {
      const c = s.charCodeAt(i) | 0x20; // lower-case letters; digits, ':' and '.' unchanged
      if (!((c >= 48 && c <= 58) || (c >= 97 && c <= 102) || c === DOT)) return false;
    }
    return true;
  }
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = a; i <= b; i++) {
    const c = i < b ? s.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d >>> 0 > 9 || ++digits > 3) return false;
      value = value * 10 + d;
    }
  }
  return parts === 4;
}

/** True when s[a..b) is GET, HEAD, POST, PUT, DELETE, OPTIONS or PATCH. */
function isCommonMethod(s: string, a: number, b: number): boolean {
  const c0 = s.charCodeAt(a);
  switch (b - a) {
    case 3: // GET PUT
      return (
        s.charCodeAt(a + 2) === 84 &&
        ((c0 === 71 && s.charCodeAt(a + 1) === 69) || (c0 === 80 && s.charCodeAt(a + 1) === 85))
      );
    case 4:
      return s.startsWith(c0 === 72 ? 'HEAD' : 'POST', a);
    case 5:
      return s.startsWith('PATCH', a);
    case 6:
      return s.startsWith('DELETE', a);
    case 7:
      return s.startsWith('OPTIONS', a);
    default:
      return false;
  }
}

/**
 * The last timestamp parsed in the text being counted (its position, or -1) and its time. Logs
 * are in time order and busy sites log many requests a second, so most lines repeat the stamp of
 * an earlier line; comparing 26 characters is cheaper than parsing them.
 */
let stampAt = -1;
let stampTime = 0;

/** True when the 26-character timestamps at s[a] and s[b] are the same text. */
function sameStamp(s: string, a: number, b: number): boolean {
  // From the end: seconds differ first; the zone offset rarely does.
  for (let k = 19; k >= 0; k--) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false;
  for (let k = 20; k < 26; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false;
  return true;
}

/**
 * Count the line s[a..lf) if it is in the canonical form of the module docblock and holds no
 * backslash; return false, having counted nothing, otherwise.
 */
function countPlainLine(st: SummaryState, s: string, a: number, lf: number): boolean {
  // The line ends at the user agent's closing quote (a CR before LF is not part of the line).
  const last = s.charCodeAt(lf - 1) === CR ? lf - 2 : lf - 1;
  if (last <= a || s.charCodeAt(last) !== QUOTE) return false;

  // host - - [
  const s1 = s.indexOf(' ', a);
  if (s1 <= a || s1 >= last) return false;
  if (
    s.charCodeAt(s1 + 1) !== DASH ||
    s.charCodeAt(s1 + 2) !== SPACE ||
    s.charCodeAt(s1 + 3) !== DASH ||
    s.charCodeAt(s1 + 4) !== SPACE ||
    s.charCodeAt(s1 + 5) !== BRACKET_OPEN
  ) {
    return false;
  }
  // An address already counted has passed this check, or the parser's, before.
  const ip = s.slice(a, s1);
  const entry = st.ips.get(ip);
  if (entry === undefined && !isIpAddress(s, a, s1)) return false;

  // timestamp] "
  const ts = s1 + 6;
  if (s.charCodeAt(ts + 26) !== BRACKET_CLOSE) return false;
  if (s.charCodeAt(ts + 27) !== SPACE || s.charCodeAt(ts + 28) !== QUOTE) return false;
  let time = stampTime;
  if (stampAt < 0 || !sameStamp(s, ts, stampAt)) {
    time = parseClfTime(s, ts);
    if (Number.isNaN(time)) return false;
    stampAt = ts;
    stampTime = time;
  }

  // METHOD target HTTP/x"
  const rq = ts + 29;
  const rqEnd = s.indexOf('"', rq);
  if (rqEnd === -1 || rqEnd >= last) return false;
  const sp1 = s.indexOf(' ', rq);
  if (sp1 === -1 || sp1 >= rqEnd || !isCommonMethod(s, rq, sp1)) return false;
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (sp2 <= sp1 + 1 || sp2 >= rqEnd) return false;
  const plen = rqEnd - sp2 - 1;
  if (
    (plen !== 6 && plen !== 8) ||
    s.charCodeAt(sp2 + 1) !== 72 || // H (startsWith would cost a call per line)
    s.charCodeAt(sp2 + 2) !== 84 || // T
    s.charCodeAt(sp2 + 3) !== 84 || // T
    s.charCodeAt(sp2 + 4) !== 80 || // P
    s.charCodeAt(sp2 + 5) !== 47 || // /
    (s.charCodeAt(sp2 + 6) - 48) >>> 0 > 9 ||
    (plen === 8 && (s.charCodeAt(sp2 + 7) !== DOT || (s.charCodeAt(sp2 + 8) - 48) >>> 0 > 9))
  ) {
    return false;
  }

  // status bytes "
  const st0 = rqEnd + 2;
  const d0 = s.charCodeAt(st0) - 48;
  const d1 = s.charCodeAt(st0 + 1) - 48;
  const d2 = s.charCodeAt(st0 + 2) - 48;
  if (s.charCodeAt(rqEnd + 1) !== SPACE || s.charCodeAt(st0 + 3) !== SPACE) return false;
  if (d0 < 1 || d0 > 5 || d1 >>> 0 > 9 || d2 >>> 0 > 9) return false;
  const bs = st0 + 4;
  let be = bs + 1;
  if (s.charCodeAt(bs) !== DASH) {
    be = bs;
    while ((s.charCodeAt(be) - 48) >>> 0 <= 9) be++;
    if (be === bs || be - bs > 15) return false;
  }
  if (s.charCodeAt(be) !== SPACE || s.charCodeAt(be + 1) !== QUOTE) return false;

  // referrer" "agent" and the end of the line
  const rfEnd = s.indexOf('"', be + 2);
  if (rfEnd === -1 || rfEnd + 2 >= last) return false;
  if (s.charCodeAt(rfEnd + 1) !== SPACE || s.charCodeAt(rfEnd + 2) !== QUOTE) return false;
  const ua = rfEnd + 3;
  if (s.indexOf('"', ua) !== last) return false;

  const agent = last - ua === 1 && s.charCodeAt(ua) === DASH ? null : s.slice(ua, last);
  countRequestAt(st, entry, ip, agent, s.slice(sp1 + 1, sp2), d0 * 100 + d1 * 10 + d2, time);
  return true;
}

/** Count one line through the general parser. */
export function countLine(st: SummaryState, line: string, parse: Parser): void {
  const outcome = parse(line);
  if (isRejection(outcome)) {
    countRejected(st, outcome.reason);
    return;
  }
  const r = outcome;
  if (r.truncated === true) st.truncated++;
  countRequest(st, r.ip, r.userAgent, r.path ?? '-', r.status, r.time);
}

/**
 * Count every line of `text`: complete lines, each ended by LF except perhaps the last one (the end
 * of the input). Lines are split as `readLines` splits them. `fast` says whether the plain-combined
 * fast path may be tried; it must only be set when `parse` would read such a line as combined
 * (the combined and auto parsers).
 */
export function countText(st: SummaryState, text: string, parse: Parser, fast: boolean): void {
  stampAt = -1; // positions of another text mean nothing here
  const n = text.length;
  let from = 0;
  let backslash = fast ? text.indexOf('\\') : 0;
  if (backslash === -1) backslash = n;
  while (from < n) {
    let lf = text.indexOf('\n', from);
    if (lf === -1) lf = n;
    if (fast && backslash < from) {
      backslash = text.indexOf('\\', from);
      if (backslash === -1) backslash = n;
    }
    if (!fast || backslash < lf || !countPlainLine(st, text, from, lf)) {
      const stop = lf > from && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      countLine(st, text.slice(from, stop), parse);
    }
    from = lf + 1;
  }
}

/**
 * Count the lines in buf[start..end) (complete lines, as for `countText`). Pure ASCII, by far the
 * usual case, is decoded as Latin-1, which is the same text as UTF-8 and cheaper to make.
 */
export function countBytes(
  st: SummaryState,
  buf: Buffer,
  start: number,
  end: number,
  parse: Parser,
  fast: boolean,
): void {
  if (end <= start) return;
  const bytes = buf.subarray(start, end);
  const text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  countText(st, text, parse, fast);
}
