/**
 * Lab 01, reference solution: parse one Apache/nginx combined log line.
 *
 *   host ident user [dd/Mon/yyyy:HH:MM:SS +hhmm] "request" status bytes "referrer" "user agent"
 *
 * Written to be read: one step per field, in line order. The library's parser (src/log/combined.ts)
 * follows the same rules with fewer allocations; the tests check that the two agree on real logs.
 */
import { decodeByteRun } from '../../src/log/escape';
import type { LogRecord, ParseOutcome, Rejection, RejectReason } from '../../src/log/record';
import { parseClfTime } from '../../src/log/time';

export function rejected(reason: RejectReason, message: string): Rejection {
  return { kind: 'rejected', reason, message };
}

/** A field as written: "-" means "not logged" (null); escapes are decoded. */
function fieldValue(raw: string): string | null {
  return raw === '-' ? null : unescapeField(raw);
}

/** ident and user are bare words; Apache writes an empty user name as "". */
function bareValue(raw: string): string | null {
  return raw === '""' ? '' : fieldValue(raw);
}

/**
 * Undo Apache's escapes: \" \\ \n \t \r \b \v, and \xHH bytes. A run of consecutive \xHH is
 * turned into text at once by decodeByteRun (UTF-8 when valid, else one character per byte).
 * Anything else after a backslash is kept as written.
 */
export function unescapeField(raw: string): string {
  if (!raw.includes('\\')) return raw;
  const simple: Record<string, string> = {
    '"': '"',
    '\\': '\\',
    n: '\n',
    t: '\t',
    r: '\r',
    b: '\b',
    v: '\v',
  };
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      i++;
      continue;
    }
    const next = raw[i + 1];
    if (next in simple) {
      out += simple[next];
      i += 2;
      continue;
    }
    const bytes: number[] = [];
    while (
      raw[i] === '\\' &&
      raw[i + 1] === 'x' &&
      /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 2, i + 4))
    ) {
      bytes.push(Number.parseInt(raw.slice(i + 2, i + 4), 16));
      i += 4;
    }
    if (bytes.length > 0) {
      out += decodeByteRun(bytes);
    } else {
      out += `\\${next}`;
      i += 2;
    }
  }
  return out;
}

/**
 * Index of the quote that closes a quoted field whose text starts at `from`: the first quote
 * that is not escaped and is followed by a space or the end of the line. -1 when there is none.
 */
export function closingQuote(line: string, from: number): number {
  for (let q = line.indexOf('"', from); q !== -1; q = line.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (q - 1 - backslashes >= from && line[q - 1 - backslashes] === '\\') backslashes++;
    const escaped = backslashes % 2 === 1;
    if (!escaped && (q + 1 === line.length || line[q + 1] === ' ')) return q;
  }
  return -1;
}

/** METHOD target [HTTP/x]: the path may hold spaces, the protocol is the last word if it is HTTP/…. */
function splitRequest(request: string): [string, string, string | null] | null {
  const firstSpace = request.indexOf(' ');
  if (firstSpace <= 0) return null;
  const method = request.slice(0, firstSpace);
  if (!/^[A-Za-z0-9_-]+$/.test(method)) return null;
  let rest = request.slice(firstSpace + 1);
  let protocol: string | null = null;
  const lastSpace = rest.lastIndexOf(' ');
  if (lastSpace !== -1 && rest.startsWith('HTTP/', lastSpace + 1) && rest.length > lastSpace + 6) {
    protocol = rest.slice(lastSpace + 1);
    rest = rest.slice(0, lastSpace);
  }
  if (rest === '') return null;
  return [method, rest, protocol];
}

export function parseCombinedLine(input: string): ParseOutcome {
  const line = input.replace(/[\r \t]+$/, '');
  if (line === '') return rejected('empty-line', 'the line is empty');

  // host ident user, then the timestamp in brackets
  const open = line.indexOf(' [');
  if (open === -1) return rejected('bad-timestamp', 'no [timestamp]');
  const head = line.slice(0, open).split(' ');
  if (head.length < 3)
    return rejected('missing-field', 'host, ident and user must come before the timestamp');
  if (head.length > 3 || head[0] === '' || head[0].startsWith('"') || head[0].endsWith(',')) {
    return rejected('bad-host', 'exactly one host must come before ident and user');
  }
  const [ip, ident, user] = head;
  const close = open + 1 + 27;
  if (line[close] !== ']')
    return rejected('bad-timestamp', 'the timestamp is not [dd/Mon/yyyy:HH:MM:SS +hhmm]');
  const time = parseClfTime(line, open + 2);
  if (Number.isNaN(time))
    return rejected('bad-timestamp', 'the timestamp is not a valid date and time');

  // "request"
  if (line.slice(close + 1, close + 3) !== ' "')
    return rejected('bad-quoted-field', 'the request is not quoted');
  const requestStart = close + 3;
  const requestEnd = closingQuote(line, requestStart);
  if (requestEnd === -1) return rejected('bad-quoted-field', 'the request has no closing quote');
  const request = line.slice(requestStart, requestEnd);
  let method: string | null = null;
  let path: string | null = null;
  let protocol: string | null = null;
  if (request !== '-' && request !== '') {
    const parts = splitRequest(unescapeField(request));
    if (parts === null) return rejected('bad-request', 'the request is not METHOD path [PROTOCOL]');
    [method, path, protocol] = parts;
  }

  // status bytes, then the rest of the line
  const afterRequest = line.slice(requestEnd + 2);
  const statusText = afterRequest.slice(0, 3);
  if (afterRequest === '' || statusText === '')
    return rejected('missing-field', 'the line ends after the request');
  if (!/^[1-5]\d\d$/.test(statusText) || (afterRequest.length > 3 && afterRequest[3] !== ' ')) {
    return rejected('bad-status', 'the status is not a three-digit HTTP code');
  }
  if (afterRequest.length === 3) return rejected('missing-field', 'the line ends after the status');
  const status = Number(statusText);
  const bytesEnd = afterRequest.indexOf(' ', 4);
  const bytesText = afterRequest.slice(4, bytesEnd === -1 ? undefined : bytesEnd);
  if (bytesText !== '-' && !/^\d{1,15}$/.test(bytesText))
    return rejected('bad-bytes', 'the byte count is neither digits nor "-"');
  const bytes = bytesText === '-' ? null : Number(bytesText);
  if (bytesEnd === -1) return rejected('missing-field', 'the referrer and user agent are missing');

  // "referrer" "user agent"; anything after the user agent is ignored
  const referrerStart = requestEnd + 2 + bytesEnd + 2;
  if (line[referrerStart - 1] !== '"')
    return rejected('bad-quoted-field', 'the referrer is not quoted');
  const referrerEnd = closingQuote(line, referrerStart);
  if (referrerEnd === -1) return rejected('bad-quoted-field', 'the referrer has no closing quote');
  if (referrerEnd + 1 === line.length)
    return rejected('missing-field', 'the user agent is missing');
  const agentStart = referrerEnd + 3;
  if (line[agentStart - 1] !== '"')
    return rejected('bad-quoted-field', 'the user agent is not quoted');
  // No closing quote: the line was cut off inside its last field. Keep it, with the user agent
  // up to the end of the line, and say that it was truncated.
  const agentEnd = closingQuote(line, agentStart);
  const truncated = agentEnd === -1;

  const record: LogRecord = {
    ip,
    ident: bareValue(ident),
    user: bareValue(user),
    time,
    method,
    path,
    protocol,
    status,
    bytes,
    referrer: fieldValue(line.slice(referrerStart, referrerEnd)),
    userAgent: fieldValue(line.slice(agentStart, truncated ? line.length : agentEnd)),
    durationMs: null,
  };
  if (truncated) record.truncated = true;
  return record;
}
