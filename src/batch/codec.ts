/**
 * The text protocol of Hadoop Streaming, which every runner speaks: one record a line,
 * `key TAB value LF`. Hadoop splits a line at its first TAB, sorts map output by the key's raw
 * bytes (a Text key compares its UTF-8 bytes) and sends each key to reducer
 * `(hash & MAX_INT) % reducers` with Text's hash (31·h + signed byte, from 1).
 *
 * What we decided:
 * - Keys and values are escaped the same way: backslash, TAB, LF and CR become `\\`, `\t`, `\n`,
 *   `\r`. An escaped key has no TAB, so the first TAB splits a line as Hadoop splits it; no field
 *   holds a line break, so a value can be any text (a user agent with a tab, a JSON row).
 *   Escaping is one-to-one, so grouping by escaped keys groups by keys.
 * - Runners order keys by the UTF-8 bytes of the escaped key, as Hadoop does, so both give one
 *   order. JavaScript compares strings by UTF-16 units, which differs from UTF-8 byte order
 *   only between U+E000–U+FFFF and characters past U+FFFF (surrogate pairs); `compareKeys` fixes
 *   that case without encoding the strings.
 * - The partition is Hadoop's HashPartitioner over the escaped key's bytes, so a key lands in the
 *   same reducer on every runner (which is what makes per-reducer output comparable).
 */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /\\[\\tnr]/g;
const UNESCAPE: Readonly<Record<string, string>> = {
  '\\\\': '\\',
  '\\t': '\t',
  '\\n': '\n',
  '\\r': '\r',
};

/** A key or value as it is written in a line. */
export function escapeField(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else out += text[i];
  }
  return out;
}

/** The text of an escaped field. A backslash before anything else stays as it is. */
export function unescapeField(field: string): string {
  if (field.indexOf('\\') === -1) return field;
  return field.replace(ESCAPED, (m) => UNESCAPE[m]);
}

/** `key TAB value LF`, both escaped. */
export function encodeLine(key: string, value: string): string {
  return `${escapeField(key)}\t${escapeField(value)}\n`;
}

/**
 * Where a line's escaped key ends: its first TAB, or the line's end when it has none (Hadoop
 * then takes the whole line as the key and an empty value).
 */
export function keyEnd(line: string): number {
  const tab = line.indexOf('\t');
  return tab === -1 ? line.length : tab;
}

/** A line (without its LF) read back: [key, value], both unescaped. */
export function decodeLine(line: string): [string, string] {
  const tab = keyEnd(line);
  return [unescapeField(line.slice(0, tab)), unescapeField(line.slice(tab + 1))];
}

/** UTF-16 unit as its place in UTF-8 byte order: surrogates (code points past U+FFFF) last. */
function utf8Rank(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

/** Order of two strings by their UTF-8 bytes, as Hadoop orders Text keys. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? utf8Rank(x) - utf8Rank(y) : x - y;
  }
  return a.length - b.length;
}

/** Hadoop's HashPartitioner for a Text key: the reducer (0..reducers-1) of an escaped key. */
export function partitionOf(escapedKey: string, reducers: number): number {
  if (reducers === 1) return 0;
  let h = 1;
  const n = escapedKey.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const c = escapedKey.charCodeAt(i);
    if (c > 0x7f) {
      ascii = false;
      break;
    }
    h = (Math.imul(31, h) + c) | 0;
  }
  if (!ascii) {
    h = 1;
    for (const byte of Buffer.from(escapedKey, 'utf8'))
      h = (Math.imul(31, h) + ((byte << 24) >> 24)) | 0;
  }
  return (h & 0x7fffffff) % reducers;
}
