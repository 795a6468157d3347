/**
 * Undo the backslash escapes Apache writes inside log fields (ap_escape_logitem):
 * `\"` → `"`, `\\` → `\`, `\b \n \r \t \v` → the control character, `\xHH` → a byte.
 *
 * Bytes: Apache writes each byte of a non-printable or non-ASCII character as `\xHH`, so the
 * text behind a run of consecutive `\xHH` escapes is unknown bytes. A run is decoded as UTF-8
 * when the whole run is valid UTF-8 (`\xe2\x98\x83` → "☃"); otherwise each byte becomes the
 * character with that code (Latin-1), so `\xe4` → "ä" and nothing is lost or replaced.
 * An unknown escape (`\q`), a lone trailing backslash or a short `\x4` are kept as written.
 */

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87; // a-f
  return -1;
}

/** The byte of a `\xHH` escape starting at s[i] (the backslash), or -1. */
function hexByteAt(s: string, i: number, end: number): number {
  if (i + 3 >= end || s.charCodeAt(i + 1) !== 120) return -1; // 'x'
  const hi = hexValue(s.charCodeAt(i + 2));
  const lo = hexValue(s.charCodeAt(i + 3));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

/**
 * Code points of `bytes` when they are valid UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF), else null.
 */
function utf8CodePoints(bytes: number[]): number[] | null {
  const out: number[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      out.push(b);
      i++;
      continue;
    }
    let need: number;
    let cp: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      return null;
    }
    if (i + need >= n) return null; // truncated sequence
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    out.push(cp);
    i += need + 1;
  }
  return out;
}

/** Text of a run of escaped bytes: UTF-8 when the run is valid UTF-8, else Latin-1. */
export function decodeByteRun(bytes: number[]): string {
  const points = utf8CodePoints(bytes) ?? bytes;
  let out = '';
  for (let i = 0; i < points.length; i++) out += String.fromCodePoint(points[i]);
  return out;
}

/** Unescape s[start..end); callers check first that the range holds a backslash. */
export function unescapeApacheRange(s: string, start: number, end: number): string {
  let out = '';
  let from = start;
  let i = s.indexOf('\\', start);
  while (i !== -1 && i < end) {
    out += s.slice(from, i);
    if (i + 1 >= end) {
      // A lone backslash at the end of the field stays as written.
      from = i;
      break;
    }
    const c = s.charCodeAt(i + 1);
    let next = i + 2;
    switch (c) {
      case 34: // "
        out += '"';
        break;
      case 92: // \
        out += '\\';
        break;
      case 110: // n
        out += '\n';
        break;
      case 116: // t
        out += '\t';
        break;
      case 114: // r
        out += '\r';
        break;
      case 98: // b
        out += '\b';
        break;
      case 118: // v
        out += '\v';
        break;
      case 120: {
        // x: collect the whole run of \xHH escapes, then decode it at once.
        const bytes: number[] = [];
        let j = i;
        for (;;) {
          const b = hexByteAt(s, j, end);
          if (b < 0) break;
          bytes.push(b);
          j += 4;
          if (s.charCodeAt(j) !== 92) break;
        }
        if (bytes.length === 0) {
          out += '\\x';
        } else {
          out += decodeByteRun(bytes);
          next = j;
        }
        break;
      }
      default:
        // Unknown escape: keep the backslash and the character.
        out += s.slice(i, i + 2);
    }
    from = next;
    i = next < end ? s.indexOf('\\', next) : -1;
  }
  return out + s.slice(from, end);
}

/** Unescape a whole string; returns it unchanged when it holds no backslash. */
export function unescapeApache(s: string): string {
  return s.indexOf('\\') === -1 ? s : unescapeApacheRange(s, 0, s.length);
}
