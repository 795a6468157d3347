/**
 * Text from log lines made safe to draw on a terminal. A log line is input from anyone: the
 * parser decodes Apache's `\xHH` escapes, so a path or an address can hold ESC, CSI (0x9b) or
 * a carriage return that would move the cursor, recolour or rewrite the screen. Every C0 control
 * character, DEL and every C1 control character is shown as `\xHH`, the way Apache logs them.
 */

const HEX = '0123456789abcdef';

function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/** `value` with control characters written as `\xHH`; unchanged (same string) when it has none. */
export function terminalText(value: string): string {
  let i = 0;
  while (i < value.length && !isControl(value.charCodeAt(i))) i++;
  if (i === value.length) return value;
  let out = value.slice(0, i);
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += isControl(c) ? `\\x${HEX[c >> 4]}${HEX[c & 15]}` : value[i];
  }
  return out;
}

const WIDE_CONTROL = /[\u007f-\u009f]/g;

/**
 * JSON text with DEL and the C1 control characters written as `\u00XX`, as JSON.stringify writes
 * only the C0 ones: the same value to a JSON reader, and no CSI (0x9b) reaching a terminal that
 * shows the line (an alert's key is a path or an address from a log line).
 */
export function jsonWithoutControls(json: string): string {
  return json.replace(
    WIDE_CONTROL,
    (c) => `\\u00${HEX[c.charCodeAt(0) >> 4]}${HEX[c.charCodeAt(0) & 15]}`,
  );
}
