/**
 * Write a LogRecord back as a log line: Apache/nginx combined, common (CLF), or one JSON object
 * per line in the shape of nginx `log_format … escape=json`.
 *
 * Combined / common:
 *   ip ident user [10/Oct/2000:13:55:36 +0000] "METHOD path PROTOCOL" status bytes "referrer" "user agent"
 * - null fields are written as "-"; an empty ident or user as `""` (what Apache writes for an
 *   empty user name); a null method, path and protocol as the request "-".
 * - Time is always UTC (+0000); the caller's time zone never leaks into the output.
 * - Quoted fields (request, referrer, user agent) and the bare ident/user fields are escaped as
 *   Apache's ap_escape_logitem does: `"` → `\"`, `\` → `\\`, backspace, newline, carriage return,
 *   tab and vertical tab → `\b \n \r \t \v`, every other ASCII control character (0x00–0x1f,
 *   0x7f) → `\xHH` (lower-case hex).
 * - Non-ASCII characters are written as they are, UTF-8 encoded by the output stream (Apache
 *   would write each UTF-8 byte as `\xHH`; a parser that reads lines as UTF-8 gets the text back
 *   either way only from the raw form, so we keep it raw). A lone UTF-16 surrogate has no UTF-8
 *   form and becomes U+FFFD when the line is encoded.
 *
 * JSON (nginx escape=json): one object per line with the standard nginx variable names
 *   {"remote_addr","remote_user","time_local","request","status","body_bytes_sent",
 *    "http_referer","http_user_agent"}
 * - Every value is a JSON string, as the usual `"status":"$status"` log_format writes it, so
 *   status and bytes are digit strings ("200", "5120"); null fields are "-".
 * - Escapes as nginx: `\"`, `\\`, `\n \r \t \b \f`, other characters below 0x20 as `\u00XX`;
 *   non-ASCII is written raw (UTF-8); a lone surrogate is written as `\uXXXX` so JSON keeps it.
 * - nginx has no ident field, so `ident` is not written (it reads back as null).
 * - `durationMs`, when the record has one, is written last as `"request_time":"0.123"`: seconds
 *   with millisecond resolution, as nginx writes `$request_time` (so it reads back rounded to
 *   the millisecond).
 *
 * Combined-time: combined plus ` %D`, the request time in whole microseconds (`-` for none).
 */
import type { LogFormat, LogRecord } from './record';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TWO_DIGITS: string[] = [];
for (let i = 0; i < 100; i++) TWO_DIGITS.push(i < 10 ? `0${i}` : String(i));
const HEX = '0123456789abcdef';

// One-entry cache: generated and real logs are in time order, so most lines share the second
// of the line before.
let cachedSecond = Number.NaN;
let cachedTime = '';

/** "10/Oct/2000:13:55:36 +0000" for an epoch-ms instant, always in UTC. */
export function formatApacheTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second === cachedSecond) return cachedTime;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm): no Date object per call.
  let days = Math.floor(second / 86400);
  const secOfDay = second - days * 86400;
  days += 719468;
  const era = Math.floor(days / 146097);
  const doe = days - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(secOfDay / 3600);
  const minute = Math.floor((secOfDay - hour * 3600) / 60);
  const sec = secOfDay - hour * 3600 - minute * 60;
  const text = `${TWO_DIGITS[day]}/${MONTHS[month - 1]}/${padYear(year)}:${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[sec]} +0000`;
  cachedSecond = second;
  cachedTime = text;
  return text;
}

function padYear(year: number): string {
  if (year >= 1000 && year <= 9999) return String(year);
  const sign = year < 0 ? '-' : '';
  return sign + String(Math.abs(year)).padStart(4, '0');
}

/** Escape one field as Apache does; the common case (nothing to escape) returns the input. */
export function escapeApache(value: string): string {
  const n = value.length;
  let i = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f) break;
  }
  if (i === n) return value;
  let out = value.slice(0, i);
  let from = i;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x7f) continue;
    out += value.slice(from, i);
    from = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x0b:
        out += '\\v';
        break;
      default:
        out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    }
  }
  return out + value.slice(from);
}

/** Escape one value for the inside of a JSON string, as nginx escape=json does. */
export function escapeJson(value: string): string {
  const n = value.length;
  let i = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) break;
  }
  if (i === n) return value;
  let out = value.slice(0, i);
  let from = i;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0xd800 || c > 0xdfff)) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a proper pair: written raw
        continue;
      }
    }
    out += value.slice(from, i);
    from = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        out += `\\u${HEX[c >> 12]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
    }
  }
  return out + value.slice(from);
}

/** The request line: "METHOD path PROTOCOL", or "-" when the log had none. */
export function formatRequest(r: LogRecord): string {
  if (r.method === null) return r.path === null ? '-' : r.path;
  if (r.path === null) return r.method;
  return r.protocol === null ? `${r.method} ${r.path}` : `${r.method} ${r.path} ${r.protocol}`;
}

function bare(value: string | null): string {
  if (value === null) return '-';
  if (value === '') return '""';
  return escapeApache(value);
}

function quoted(value: string | null): string {
  return value === null ? '-' : escapeApache(value);
}

/** Common Log Format (CLF): host ident user [time] "request" status bytes. */
export function formatCommon(r: LogRecord): string {
  return `${r.ip} ${bare(r.ident)} ${bare(r.user)} [${formatApacheTime(r.time)}] "${escapeApache(formatRequest(r))}" ${r.status} ${r.bytes === null ? '-' : r.bytes}`;
}

/** Apache/nginx combined: CLF plus "referrer" "user agent". */
export function formatCombined(r: LogRecord): string {
  return `${r.ip} ${bare(r.ident)} ${bare(r.user)} [${formatApacheTime(r.time)}] "${escapeApache(formatRequest(r))}" ${r.status} ${r.bytes === null ? '-' : r.bytes} "${quoted(r.referrer)}" "${quoted(r.userAgent)}"`;
}

/** Combined with Apache's `%D` appended: the request time in whole microseconds. */
export function formatCombinedTime(r: LogRecord): string {
  return `${formatCombined(r)} ${r.durationMs === null ? '-' : Math.round(r.durationMs * 1000)}`;
}

/** Seconds with three decimals, from integer milliseconds: "0.045" for 45 ms, as nginx writes. */
export function formatSeconds(ms: number): string {
  const whole = Math.round(ms);
  const s = Math.floor(whole / 1000);
  const rest = whole - s * 1000;
  return `${s}.${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}`;
}

function jsonValue(value: string | null): string {
  return value === null ? '-' : escapeJson(value);
}

/** One JSON object in the shape of nginx `escape=json` logs (see the docblock above). */
export function formatJson(r: LogRecord): string {
  return `{"remote_addr":"${escapeJson(r.ip)}","remote_user":"${jsonValue(r.user)}","time_local":"${formatApacheTime(r.time)}","request":"${escapeJson(formatRequest(r))}","status":"${r.status}","body_bytes_sent":"${r.bytes === null ? '-' : r.bytes}","http_referer":"${jsonValue(r.referrer)}","http_user_agent":"${jsonValue(r.userAgent)}"${r.durationMs === null ? '' : `,"request_time":"${formatSeconds(r.durationMs)}"`}}`;
}

/** The formatter for a format name. */
export function formatterFor(format: LogFormat): (r: LogRecord) => string {
  switch (format) {
    case 'combined':
      return formatCombined;
    case 'combined-time':
      return formatCombinedTime;
    case 'common':
      return formatCommon;
    case 'json':
      return formatJson;
  }
}
