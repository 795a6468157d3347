/**
 * Text from log lines made safe to show, on a terminal and on a page. A log line is input from
 * anyone: the parser decodes Apache's `\xHH` escapes, so a path or an address can hold ESC, CSI
 * (0x9b) or a carriage return that would move the cursor, recolour or rewrite the screen. Every
 * C0 control character, DEL and every C1 control character is shown as `\xHH`, the way Apache
 * logs them, and a backslash as `\\` (as Apache does), so that a path holding the four
 * characters `\x1b` is not shown as one holding ESC.
 *
 * Unicode's bidirectional controls (the marks U+061C, U+200E, U+200F, the embeddings and
 * overrides U+202A–U+202E, the isolates U+2066–U+2069) and the line and paragraph separators
 * U+2028, U+2029 are shown as `\uXXXX`: they draw nothing, but an override turns the rest of
 * the line around, in a browser and in a terminal that follows them, so that `/bidi‮cod.exe`
 * reads `/bidiexe.doc` and the counts beside a path read backwards.
 */

const HEX = '0123456789abcdef';

function isUnsafe(c: number, backslash: boolean): boolean {
  if (c < 0x7f) return c < 0x20 || (backslash && c === 0x5c);
  if (c <= 0x9f) return true;
  return (
    c === 0x061c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

function hex4(c: number): string {
  return `${HEX[c >> 12]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
}

function shown(c: number): string {
  if (c === 0x5c) return '\\\\';
  return c <= 0xff ? `\\x${HEX[c >> 4]}${HEX[c & 15]}` : `\\u${hex4(c)}`;
}

function escaped(value: string, backslash: boolean): string {
  let i = 0;
  while (i < value.length && !isUnsafe(value.charCodeAt(i), backslash)) i++;
  if (i === value.length) return value;
  let out = value.slice(0, i);
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += isUnsafe(c, backslash) ? shown(c) : value[i];
  }
  return out;
}

/**
 * A value parsed from a log line (a path, an address) with the characters above escaped;
 * unchanged (same string) when it has none.
 */
export function terminalText(value: string): string {
  return escaped(value, true);
}

/**
 * A raw log line as stored (`lake cat`, `consume`): the same, but a backslash is left as it is.
 * The line is in its log's own escaping already (Apache writes a backslash as `\\` and a quote
 * as `\"`), which is what a reader of raw lines expects to see.
 */
export function terminalLine(line: string): string {
  return escaped(line, false);
}

const WIDE_CONTROL = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * JSON text with DEL, the C1 control characters and the bidirectional controls and separators
 * (see above) written as `\uXXXX`, as JSON.stringify writes only the C0 ones: the same value to a
 * JSON reader, and no CSI (0x9b) or override reaching a terminal that shows the line (an alert's
 * key is a path or an address from a log line).
 */
export function jsonWithoutControls(json: string): string {
  return json.replace(WIDE_CONTROL, (c) => `\\u${hex4(c.charCodeAt(0))}`);
}
