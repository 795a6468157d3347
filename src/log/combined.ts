/**
 * Apache/nginx access-log lines, combined and common (CLF), by hand: indexOf and charCodeAt over
 * the line, numbers by arithmetic, no regular expression, no substring we do not return.
 *
 *   host ident user [dd/Mon/yyyy:HH:MM:SS +hhmm] "request" status bytes "referrer" "user agent"
 *
 * What a line may hold, and what we decided:
 * - host: an IPv4 or IPv6 address or a host name, kept as written. A host that starts with a
 *   quote or ends with a comma (a forwarded-for list, `203.0.113.2, 198.51.100.1 - - [...]`)
 *   rejects the line (`bad-host`), and so do extra fields before the timestamp (a virtual-host
 *   prefix such as `www.example.org 198.51.100.4 - - [...]`): which field is the client is a
 *   guess we do not make.
 * - `-` in ident, user, bytes, referrer or user agent → null. An empty quoted referrer or user
 *   agent (`""`) and a bare `""` ident or user are kept as the empty string: the header was sent
 *   empty, which is not the same as absent.
 * - The request line `"-"` or `""` → method, path and protocol null (Apache writes these for
 *   connections closed before a request, with status 408 or 400).
 * - A request line is `METHOD target [PROTOCOL]`: the method is the first word (letters, digits,
 *   `-`, `_`); the protocol is the last word when it starts with `HTTP/` (and is at most 15
 *   characters long); the path is everything
 *   between, spaces included (`GET /a b HTTP/1.1` → path "/a b"). A request without a path, or
 *   one that does not start with a method (binary garbage such as a TLS handshake sent to a
 *   plain-HTTP port), is rejected as `bad-request`.
 * - Quoted fields may hold Apache escapes (`\"`, `\\`, `\xHH`, `\n` …), decoded as escape.ts
 *   describes. Unescaped quotes inside a field, as old servers wrote them, are tolerated: a
 *   field ends at the first unescaped quote followed by a space or the end of the line.
 * - A line cut off inside its last quoted field, the user agent (a log cut mid-write: no closing
 *   quote), is accepted, as GoAccess accepts it: the user agent is the text from its opening
 *   quote to the end of the line (less the trailing white space every line loses, escapes
 *   decoded; `"` alone at the end gives "", `"-` gives null as any `-` does), and the record
 *   carries `truncated: true` so that callers count it. Only the last field may run to the
 *   end: a request or referrer without its closing quote still rejects the line
 *   (`bad-quoted-field`). A common-format line has no quoted field at its end, so nothing is
 *   truncated there.
 * - Status: exactly three digits, 100–599; `-` or anything else rejects the line (`bad-status`).
 * - A trailing `\r` (CRLF files) and trailing spaces or tabs are ignored.
 * - Combined: fields after the user agent (nginx's `"$http_x_forwarded_for"`, a request time)
 *   are ignored, and `durationMs` is null: the format has none. A common-format line (ending
 *   after the byte count) is rejected with `missing-field`; `parseAuto` accepts both.
 * - Combined-time: combined with Apache's `%D` appended, one field of 1–15 digits (microseconds,
 *   `durationMs` = µs / 1000) or `-` (null) after the user agent and nothing else; a line
 *   without it is `missing-field`, anything else there `bad-duration`. A line cut inside its
 *   user agent lost its request time too: it is kept as truncated, with `durationMs` null.
 * - Auto (`MODE_ANY`): a last field of digits alone after the user agent is read as `%D`; any
 *   other text there is ignored as in combined (so nginx's `"$http_x_forwarded_for"` or a
 *   request time in seconds, `0.123`, give null: seconds or microseconds is a guess we do not
 *   make for a number with a point).
 * - Common: text after the byte count is rejected as `trailing-garbage`.
 * Invalid UTF-8 is not a parser matter: the line reader has already decoded it, with U+FFFD.
 */
import { closingQuote, DASH, isDashField, isQuotedDash, QUOTE, SPACE } from './access-fields';
import { unescapeApacheRange } from './escape';
import type { LogRecord, ParseOutcome, Rejection } from './record';
import { REJECT } from './rejections';
import { type RequestParts, splitRequest } from './request-line';
import { parseClfTime } from './time';

/** Which layouts `parseAccessLine` accepts. */
export const MODE_COMBINED = 0;
export const MODE_COMMON = 1;
/** Either: a line that ends after the byte count is CLF, one that goes on is combined. */
export const MODE_ANY = 2;
/** Combined with `%D` (microseconds) as the last field. */
export const MODE_COMBINED_TIME = 3;
export type AccessMode =
  | typeof MODE_COMBINED
  | typeof MODE_COMMON
  | typeof MODE_ANY
  | typeof MODE_COMBINED_TIME;

/**
 * Microseconds in the digits of line[from..end), or −1 when that is not 1–15 digits alone. `-`
 * alone is −2 (no value).
 */
export function microsecondsAt(line: string, from: number, end: number): number {
  if (end - from === 1 && line.charCodeAt(from) === DASH) return -2;
  if (end <= from || end - from > 15) return -1;
  let n = 0;
  for (let i = from; i < end; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

// The request line's parts, filled by splitRequest: one object reused for every line.
const request: RequestParts = { method: '', path: '', protocol: null };

/** s[start..stop) as a field value: "-" → null, escapes decoded only when a backslash is there. */
function fieldValue(s: string, start: number, stop: number, backslash: number): string | null {
  if (stop - start === 1 && s.charCodeAt(start) === DASH) return null;
  if (backslash !== -1 && backslash < stop) return unescapeApacheRange(s, start, stop);
  return s.slice(start, stop);
}

/** A bare ident or user field: "-" → null, `""` → "" (Apache's empty user name). */
function bareValue(s: string, start: number, stop: number, backslash: number): string | null {
  if (stop - start === 2 && s.charCodeAt(start) === QUOTE && s.charCodeAt(start + 1) === QUOTE) {
    return '';
  }
  return fieldValue(s, start, stop, backslash);
}

/**
 * Parse one combined or common line (see the module docblock); `mode` picks which layouts are
 * accepted. Never throws.
 */
export function parseAccessLine(line: string, mode: AccessMode): ParseOutcome {
  let end = line.length;
  let c = end > 0 ? line.charCodeAt(end - 1) : 0;
  while (c === 13 || c === SPACE || c === 9) {
    end--;
    c = end > 0 ? line.charCodeAt(end - 1) : 0;
  }
  if (end === 0) return REJECT.empty;

  // host ident user
  const s1 = line.indexOf(' ');
  if (s1 === 0 || line.charCodeAt(0) === 9) return REJECT.leadingSpace;
  if (s1 === -1 || s1 >= end) return REJECT.onlyHost;
  // A quoted host or a forwarded-for list ("203.0.113.2, 198.51.100.1"); other odd hosts are kept.
  if (line.charCodeAt(0) === QUOTE || line.charCodeAt(s1 - 1) === 44) return REJECT.badHostChars;
  // ident and user are nearly always "-": skip the search for their end then.
  const identDash = isDashField(line, s1 + 1);
  const s2 = identDash ? s1 + 2 : line.indexOf(' ', s1 + 1);
  if (line.charCodeAt(s1 + 1) === 91) return REJECT.noIdentUser; // '['
  if (s2 === -1 || s2 >= end) return REJECT.noTimestamp;
  const userDash = isDashField(line, s2 + 1);
  const s3 = userDash ? s2 + 2 : line.indexOf(' ', s2 + 1);
  if (line.charCodeAt(s2 + 1) === 91) return REJECT.noIdentUser;
  if (s3 === -1 || s3 >= end) return REJECT.noTimestamp;

  // [timestamp]
  const ts = s3 + 1;
  if (line.charCodeAt(ts) !== 91) {
    return line.indexOf(' [', ts) !== -1 ? REJECT.hostPrefix : REJECT.noTimestamp;
  }
  if (line.charCodeAt(ts + 27) !== 93 || ts + 28 > end) return REJECT.badTimestamp; // ']'
  const time = parseClfTime(line, ts + 1);
  if (Number.isNaN(time)) return REJECT.badTimestamp;

  // First backslash at or after a position: escapes are decoded only in fields that hold one.
  let backslash = line.indexOf('\\', identDash && userDash ? ts : s1 + 1);
  const ip = line.slice(0, s1);
  const ident = identDash ? null : bareValue(line, s1 + 1, s2, backslash < s2 ? backslash : -1);
  const user = userDash ? null : bareValue(line, s2 + 1, s3, backslash < s3 ? backslash : -1);

  // "request"
  const rq = ts + 30;
  if (line.charCodeAt(ts + 28) !== SPACE || line.charCodeAt(ts + 29) !== QUOTE || rq > end) {
    return REJECT.requestNotQuoted;
  }
  const rqEnd = closingQuote(line, rq, end);
  if (rqEnd === -1) return REJECT.requestUnclosed;
  if (backslash !== -1 && backslash < rq) backslash = line.indexOf('\\', rq);
  let method: string | null = null;
  let path: string | null = null;
  let protocol: string | null = null;
  if (rqEnd > rq && !(rqEnd - rq === 1 && line.charCodeAt(rq) === DASH)) {
    let failed: Rejection | null;
    if (backslash !== -1 && backslash < rqEnd) {
      const text = unescapeApacheRange(line, rq, rqEnd);
      failed = splitRequest(text, 0, text.length, request);
    } else {
      failed = splitRequest(line, rq, rqEnd, request);
    }
    if (failed !== null) return failed;
    method = request.method;
    path = request.path;
    protocol = request.protocol;
  }

  // status
  const st = rqEnd + 2;
  if (st > end) return REJECT.noStatus;
  const d0 = line.charCodeAt(st) - 48;
  const d1 = line.charCodeAt(st + 1) - 48;
  const d2 = line.charCodeAt(st + 2) - 48;
  if (st + 3 > end || !(d0 >= 1 && d0 <= 5 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) {
    return d0 === DASH - 48 ? REJECT.dashStatus : REJECT.badStatus;
  }
  const status = d0 * 100 + d1 * 10 + d2;
  if (st + 3 === end) return REJECT.noBytes;
  if (line.charCodeAt(st + 3) !== SPACE) return REJECT.badStatus;

  // bytes
  const bs = st + 4;
  let be = bs;
  let bytes: number | null = null;
  if (line.charCodeAt(bs) === DASH) {
    be = bs + 1;
  } else {
    let n = 0;
    while (be < end) {
      const d = line.charCodeAt(be) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      be++;
    }
    // More than 15 digits would lose precision: no response is that large.
    if (be === bs || be - bs > 15) return REJECT.badBytes;
    bytes = n;
  }

  if (be === end) {
    if (mode === MODE_COMBINED || mode === MODE_COMBINED_TIME) return REJECT.commonInCombined;
    const record: LogRecord = {
      ip,
      ident,
      user,
      time,
      method,
      path,
      protocol,
      status,
      bytes,
      referrer: null,
      userAgent: null,
      durationMs: null,
    };
    return record;
  }
  if (line.charCodeAt(be) !== SPACE) return REJECT.badBytes;
  if (mode === MODE_COMMON) return REJECT.combinedInCommon;

  // "referrer"
  const rf = be + 2;
  if (line.charCodeAt(be + 1) !== QUOTE || rf > end) return REJECT.referrerNotQuoted;
  const referrerDash = isQuotedDash(line, rf, end);
  const rfEnd = referrerDash ? rf + 1 : closingQuote(line, rf, end);
  if (rfEnd === -1) return REJECT.referrerUnclosed;
  if (backslash !== -1 && backslash < rf) backslash = line.indexOf('\\', rf);
  const referrer = referrerDash ? null : fieldValue(line, rf, rfEnd, backslash);

  // "user agent", then anything after it is ignored
  const ua = rfEnd + 3;
  if (rfEnd + 1 === end) return REJECT.noUserAgent;
  if (line.charCodeAt(rfEnd + 2) !== QUOTE || ua > end) return REJECT.userAgentNotQuoted;
  const agentDash = isQuotedDash(line, ua, end);
  const uaEnd = agentDash ? ua + 1 : closingQuote(line, ua, end);
  if (backslash !== -1 && backslash < ua) backslash = line.indexOf('\\', ua);
  // Cut off inside the user agent: keep what was written (see the module docblock).
  const cut = uaEnd === -1;
  const userAgent = cut
    ? fieldValue(line, ua, end, backslash)
    : agentDash
      ? null
      : fieldValue(line, ua, uaEnd, backslash);

  // %D after the user agent (combined-time, and auto when it is there)
  let durationMs: number | null = null;
  if (!cut && mode !== MODE_COMBINED) {
    const after = uaEnd + 1;
    if (mode === MODE_COMBINED_TIME) {
      if (after === end) return REJECT.noDuration;
      const us = line.charCodeAt(after) === SPACE ? microsecondsAt(line, after + 1, end) : -1;
      if (us === -1) return REJECT.badDuration;
      if (us >= 0) durationMs = us / 1000;
    } else if (after < end && line.charCodeAt(after) === SPACE) {
      const us = microsecondsAt(line, after + 1, end);
      if (us >= 0) durationMs = us / 1000;
    }
  }

  const record: LogRecord = {
    ip,
    ident,
    user,
    time,
    method,
    path,
    protocol,
    status,
    bytes,
    referrer,
    userAgent,
    durationMs,
  };
  // A rare second object, so that the usual record keeps one shape on the hot path.
  return cut ? { ...record, truncated: true } : record;
}

/** Parse an Apache/nginx combined line; a common-format line is rejected (`missing-field`). */
export function parseCombined(line: string): ParseOutcome {
  return parseAccessLine(line, MODE_COMBINED);
}

/** Parse a combined line with `%D` (microseconds) appended: the `combined-time` format. */
export function parseCombinedTime(line: string): ParseOutcome {
  return parseAccessLine(line, MODE_COMBINED_TIME);
}

/** Parse a Common Log Format line; a combined line is rejected (`trailing-garbage`). */
export function parseCommon(line: string): ParseOutcome {
  return parseAccessLine(line, MODE_COMMON);
}
