/**
 * Timestamps of access logs to epoch milliseconds (UTC), by arithmetic on character codes.
 * `Date.parse` would allocate a string per line and accept many shapes we do not want; this is
 * the hot path of every parser, so the day part (dd/Mon/yyyy) of the last timestamp is cached:
 * a log is in time order, so nearly every line falls on the same day as the line before.
 */

const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

let cachedDayKey = -1;
let cachedDayMs = 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month, February of leap years included. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Two decimal digits at s[i], s[i+1] as a number, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  // Written so that NaN (past the end of the string) fails too.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

/** Month number 1–12 of an English three-letter abbreviation at s[i..i+3), or 0. */
function monthAt(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  switch (a) {
    case 74: // J
      if (b === 97 && c === 110) return 1; // Jan
      if (b === 117) return c === 110 ? 6 : c === 108 ? 7 : 0; // Jun, Jul
      return 0;
    case 70: // F
      return b === 101 && c === 98 ? 2 : 0; // Feb
    case 77: // M
      return b === 97 ? (c === 114 ? 3 : c === 121 ? 5 : 0) : 0; // Mar, May
    case 65: // A
      if (b === 112 && c === 114) return 4; // Apr
      return b === 117 && c === 103 ? 8 : 0; // Aug
    case 83: // S
      return b === 101 && c === 112 ? 9 : 0; // Sep
    case 79: // O
      return b === 99 && c === 116 ? 10 : 0; // Oct
    case 78: // N
      return b === 111 && c === 118 ? 11 : 0; // Nov
    case 68: // D
      return b === 101 && c === 99 ? 12 : 0; // Dec
    default:
      return 0;
  }
}

/** Epoch ms of midnight UTC of a validated date, or NaN; cached on the packed date. */
function dayMs(year: number, month: number, day: number): number {
  const key = year * 10000 + month * 100 + day;
  if (key === cachedDayKey) return cachedDayMs;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  cachedDayKey = key;
  cachedDayMs = daysFromCivil(year, month, day) * MS_PER_DAY;
  return cachedDayMs;
}

/** Time of day plus a ±hhmm or ±hh:mm offset → ms to add to midnight, or NaN. */
function clockMs(hour: number, minute: number, second: number): number {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return Number.NaN;
  }
  return ((hour * 60 + minute) * 60 + second) * 1000;
}

/** Length of an Apache/nginx timestamp without brackets: "10/Oct/2000:13:55:36 -0700". */
export const CLF_TIME_LENGTH = 26;

/**
 * Epoch ms (UTC) of the Apache/nginx timestamp "dd/Mon/yyyy:HH:MM:SS ±hhmm" that starts at
 * s[i], or NaN when those 26 characters are not one. The offset is subtracted: 13:55:36 -0700 is
 * 20:55:36 UTC. Written out in one function, with no helper calls but the month name: this is
 * a quarter of a parser's time per line.
 */
export function parseClfTime(s: string, i: number): number {
  const d0 = s.charCodeAt(i) - 48;
  const d1 = s.charCodeAt(i + 1) - 48;
  const y0 = s.charCodeAt(i + 7) - 48;
  const y1 = s.charCodeAt(i + 8) - 48;
  const y2 = s.charCodeAt(i + 9) - 48;
  const y3 = s.charCodeAt(i + 10) - 48;
  const h0 = s.charCodeAt(i + 12) - 48;
  const h1 = s.charCodeAt(i + 13) - 48;
  const m0 = s.charCodeAt(i + 15) - 48;
  const m1 = s.charCodeAt(i + 16) - 48;
  const s0 = s.charCodeAt(i + 18) - 48;
  const s1 = s.charCodeAt(i + 19) - 48;
  const sign = s.charCodeAt(i + 21);
  const z0 = s.charCodeAt(i + 22) - 48;
  const z1 = s.charCodeAt(i + 23) - 48;
  const z2 = s.charCodeAt(i + 24) - 48;
  const z3 = s.charCodeAt(i + 25) - 48;
  // A value d is a digit exactly when neither d nor d + 6 has a bit above the low four set
  // (10..15 overflow into bit 4 when 6 is added, negatives have the sign bit): one test for all
  // sixteen digits. NaN past the end of the string becomes 0 here, so the length is checked first.
  const notDigits =
    (d0 |
      (d0 + 6) |
      d1 |
      (d1 + 6) |
      y0 |
      (y0 + 6) |
      y1 |
      (y1 + 6) |
      y2 |
      (y2 + 6) |
      y3 |
      (y3 + 6) |
      h0 |
      (h0 + 6) |
      h1 |
      (h1 + 6) |
      m0 |
      (m0 + 6) |
      m1 |
      (m1 + 6) |
      s0 |
      (s0 + 6) |
      s1 |
      (s1 + 6) |
      z0 |
      (z0 + 6) |
      z1 |
      (z1 + 6) |
      z2 |
      (z2 + 6) |
      z3 |
      (z3 + 6)) &
    -16;
  if (
    notDigits !== 0 ||
    i + CLF_TIME_LENGTH > s.length ||
    (sign !== 43 && sign !== 45) || // '+' '-'
    s.charCodeAt(i + 2) !== 47 || // '/'
    s.charCodeAt(i + 6) !== 47 ||
    s.charCodeAt(i + 11) !== 58 || // ':'
    s.charCodeAt(i + 14) !== 58 ||
    s.charCodeAt(i + 17) !== 58 ||
    s.charCodeAt(i + 20) !== 32
  ) {
    return Number.NaN;
  }
  const hour = h0 * 10 + h1;
  const minute = m0 * 10 + m1;
  const second = s0 * 10 + s1;
  const zoneHours = z0 * 10 + z1;
  const zoneMinutes = z2 * 10 + z3;
  if (hour > 23 || minute > 59 || second > 59 || zoneHours > 23 || zoneMinutes > 59) {
    return Number.NaN;
  }
  const midnight = dayMs(y0 * 1000 + y1 * 100 + y2 * 10 + y3, monthAt(s, i + 3), d0 * 10 + d1);
  const offset = (zoneHours * 60 + zoneMinutes) * 60_000;
  const clock = ((hour * 60 + minute) * 60 + second) * 1000;
  return sign === 45 ? midnight + clock + offset : midnight + clock - offset;
}

/**
 * A zone offset at s[i]: "+hhmm" (or "+hh:mm" when `colon`), as ms east of UTC, or NaN.
 * Offsets are accepted up to ±23:59, which covers every zone in use (±14:00 at most).
 */
function offsetMs(s: string, i: number, colon: boolean): number {
  const sign = s.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return Number.NaN; // '+' '-'
  const hh = digits2(s, i + 1);
  const mm = digits2(s, colon ? i + 4 : i + 3);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return Number.NaN;
  if (colon && s.charCodeAt(i + 3) !== 58) return Number.NaN;
  const ms = (hh * 60 + mm) * 60_000;
  return sign === 45 ? -ms : ms;
}

/**
 * Epoch ms of an ISO 8601 timestamp as nginx's $time_iso8601 writes it
 * ("2000-10-10T13:55:36-07:00"), with an optional fraction (".123", milliseconds kept, finer
 * digits dropped) and a zone of "Z", "±hh:mm" or "±hhmm". A space instead of "T" is accepted.
 * A timestamp without a zone is rejected (NaN): its instant is unknown.
 */
export function parseIsoTime(s: string): number {
  const n = s.length;
  if (n < 20) return Number.NaN;
  const y1 = digits2(s, 0);
  const y2 = digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  const t = s.charCodeAt(10);
  if (
    y1 < 0 ||
    y2 < 0 ||
    month < 0 ||
    day < 0 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    (t !== 84 && t !== 32) ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return Number.NaN;
  }
  const base =
    dayMs(y1 * 100 + y2, month, day) + clockMs(digits2(s, 11), digits2(s, 14), digits2(s, 17));
  let i = 19;
  let fraction = 0;
  if (s.charCodeAt(i) === 46) {
    // '.': keep milliseconds, drop finer digits.
    i++;
    let scale = 100;
    const start = i;
    while (i < n) {
      const d = s.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      fraction += d * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return Number.NaN;
    fraction = Math.floor(fraction);
  }
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) return i + 1 === n ? base + fraction : Number.NaN; // 'Z' 'z'
  if (i + 6 === n) return base + fraction - offsetMs(s, i, true);
  if (i + 5 === n) return base + fraction - offsetMs(s, i, false);
  return Number.NaN;
}
