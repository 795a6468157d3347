/**
 * JSON lines in the shape of nginx `log_format … escape=json` (and our own record field names).
 *
 * Field names, first one present wins:
 *   ip        ip, remote_addr, client_ip
 *   ident     ident                       (nginx has none)
 *   user      user, remote_user
 *   time      time (epoch ms number, or any text form below), time_local
 *             ("10/Oct/2000:13:55:36 -0700"), time_iso8601 ("2000-10-10T13:55:36-07:00"),
 *             msec (nginx's "1551703496.123", seconds)
 *   request   request ("GET /x HTTP/1.1"); without it: method | request_method,
 *             path | request_uri | uri, protocol | server_protocol
 *   status    status
 *   bytes     bytes, body_bytes_sent, bytes_sent
 *   referrer  referrer, http_referer, referer, http_referrer
 *   userAgent userAgent, http_user_agent, user_agent
 *   durationMs durationMs (ms), request_time (nginx's seconds, "0.123"); null without either
 * Numbers may be JSON numbers or digit strings (nginx writes "$status" as text). The empty string
 * and "-" are null: nginx writes an unset variable as "" under escape=json. A value that is an
 * object, array or boolean rejects the line (`bad-json`); ip, time and status are required
 * (`missing-field`).
 * A JSON line cut off mid-write is not valid JSON and stays rejected (`bad-json`): unlike a
 * combined line, whose cut loses only the user agent at its end, an object's fields come in any
 * order, so what is missing after the cut is a guess (combined.ts accepts the combined case).
 */

import type { LogRecord, ParseOutcome } from './record';
import { REJECT } from './rejections';
import { splitRequestLine } from './request-line';
import { CLF_TIME_LENGTH, parseClfTime, parseIsoTime } from './time';

// Sentinel for "a value of the wrong JSON type": callers turn it into a rejection.
const WRONG = Symbol('wrong type');

/** A text value: undefined when absent, null for null / "" / "-", WRONG for other types. */
function text(value: unknown): string | null | undefined | typeof WRONG {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === 'string') return value === '' || value === '-' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : WRONG;
  return WRONG;
}

/** The first of the named fields that is present (even when it is null). */
function pick(
  o: Record<string, unknown>,
  a: string,
  b: string,
  c?: string,
  d?: string,
): string | null | undefined | typeof WRONG {
  const va = text(o[a]);
  if (va !== undefined) return va;
  const vb = text(o[b]);
  if (vb !== undefined || c === undefined) return vb;
  const vc = text(o[c]);
  if (vc !== undefined || d === undefined) return vc;
  return text(o[d]);
}

/** Digits only, at most 15 of them, as a number; else -1. */
function digitsValue(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Epoch ms from a time value in any accepted form, or NaN. */
function timeValue(o: Record<string, unknown>): number | undefined {
  const t = o.time;
  if (typeof t === 'number') return Number.isFinite(t) ? Math.round(t) : Number.NaN;
  const s = typeof t === 'string' ? t : undefined;
  if (s !== undefined) return timeText(s);
  if (typeof o.time_local === 'string') return timeText(o.time_local);
  if (typeof o.time_iso8601 === 'string') return parseIsoTime(o.time_iso8601);
  const msec = o.msec;
  if (typeof msec === 'number') return Number.isFinite(msec) ? Math.round(msec * 1000) : Number.NaN;
  if (typeof msec === 'string') {
    const v = Number(msec);
    return msec !== '' && Number.isFinite(v) ? Math.round(v * 1000) : Number.NaN;
  }
  if (t !== undefined || o.time_local !== undefined || o.time_iso8601 !== undefined) {
    return Number.NaN;
  }
  return undefined;
}

/**
 * The request time in ms: `durationMs` (ms) or `request_time` (seconds, as nginx writes it),
 * as a JSON number or a decimal string; null when absent, "" or "-"; NaN when not a number ≥ 0.
 * Kept to the microsecond, so "0.029" gives 29, not 29.000000000000004.
 */
function durationValue(o: Record<string, unknown>): number | null {
  let value = o.durationMs;
  let scale = 1;
  if (value === undefined) {
    value = o.request_time;
    scale = 1000;
  }
  if (value === undefined || value === null || value === '' || value === '-') return null;
  let v = Number.NaN;
  if (typeof value === 'number') v = value;
  else if (typeof value === 'string' && isDecimal(value)) v = Number(value);
  if (!(v >= 0 && Number.isFinite(v))) return Number.NaN;
  return Math.round(v * scale * 1000) / 1000;
}

/** Digits with at most one point between them ("0.123", "12", "1."): what nginx writes. */
function isDecimal(s: string): boolean {
  let digits = 0;
  let points = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) points++;
    else if (c >= 48 && c <= 57) digits++;
    else return false;
  }
  return digits > 0 && points <= 1;
}

/** Apache time ("10/Oct/2000:…", bracketed or not), ISO 8601, or epoch-ms digits. */
function timeText(s: string): number {
  if (s.length === CLF_TIME_LENGTH) return parseClfTime(s, 0);
  if (s.length === CLF_TIME_LENGTH + 2 && s.charCodeAt(0) === 91) return parseClfTime(s, 1);
  const ms = digitsValue(s);
  if (ms >= 0) return ms;
  return parseIsoTime(s);
}

/** Parse one JSON log line; never throws. */
export function parseJson(line: string): ParseOutcome {
  let start = 0;
  let end = line.length;
  while (end > start && line.charCodeAt(end - 1) <= 32) end--;
  while (start < end && line.charCodeAt(start) <= 32) start++;
  if (start === end) return REJECT.empty;
  if (line.charCodeAt(start) !== 123) return REJECT.jsonNotObject; // '{'
  let value: unknown;
  try {
    value = JSON.parse(start === 0 && end === line.length ? line : line.slice(start, end));
  } catch {
    return REJECT.jsonSyntax;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return REJECT.jsonNotObject;
  }
  const o = value as Record<string, unknown>;

  const ip = pick(o, 'ip', 'remote_addr', 'client_ip');
  if (ip === WRONG) return REJECT.jsonBadValue;
  if (ip === undefined || ip === null) return REJECT.jsonNoIp;

  const time = timeValue(o);
  if (time === undefined) return REJECT.jsonNoTime;
  if (Number.isNaN(time)) return REJECT.jsonBadTime;

  const statusValue = o.status;
  let status: number;
  if (typeof statusValue === 'number') {
    status = statusValue;
  } else if (typeof statusValue === 'string') {
    status = statusValue.length === 3 ? digitsValue(statusValue) : -1;
  } else if (statusValue === undefined || statusValue === null) {
    return REJECT.jsonNoStatus;
  } else {
    return REJECT.jsonBadValue;
  }
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return statusValue === '-' ? REJECT.dashStatus : REJECT.badStatus;
  }

  const bytesValue = pick(o, 'bytes', 'body_bytes_sent', 'bytes_sent');
  if (bytesValue === WRONG) return REJECT.jsonBadValue;
  let bytes: number | null = null;
  if (bytesValue !== undefined && bytesValue !== null) {
    bytes = digitsValue(bytesValue);
    if (bytes < 0) return REJECT.badBytes;
  }

  const durationMs = durationValue(o);
  if (Number.isNaN(durationMs)) return REJECT.jsonBadDuration;

  const ident = text(o.ident);
  const user = pick(o, 'user', 'remote_user');
  const referrer = pick(o, 'referrer', 'http_referer', 'referer', 'http_referrer');
  const userAgent = pick(o, 'userAgent', 'http_user_agent', 'user_agent');
  if (ident === WRONG || user === WRONG || referrer === WRONG || userAgent === WRONG) {
    return REJECT.jsonBadValue;
  }

  let method: string | null = null;
  let path: string | null = null;
  let protocol: string | null = null;
  const request = text(o.request);
  if (request === WRONG) return REJECT.jsonBadValue;
  if (typeof request === 'string') {
    const parts = splitRequestLine(request);
    if (!Array.isArray(parts)) return parts;
    [method, path, protocol] = parts;
  } else if (request === undefined) {
    const m = pick(o, 'method', 'request_method');
    const p = pick(o, 'path', 'request_uri', 'uri');
    const v = pick(o, 'protocol', 'server_protocol');
    if (m === WRONG || p === WRONG || v === WRONG) return REJECT.jsonBadValue;
    method = m ?? null;
    path = p ?? null;
    protocol = v ?? null;
  }

  const record: LogRecord = {
    ip,
    ident: ident ?? null,
    user: user ?? null,
    time,
    method,
    path,
    protocol,
    status,
    bytes,
    referrer: referrer ?? null,
    userAgent: userAgent ?? null,
    durationMs,
  };
  return record;
}
