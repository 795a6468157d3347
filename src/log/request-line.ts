/**
 * The request line of an access log, "METHOD target PROTOCOL": the method is the first word
 * (letters, digits, `-`, `_`), the protocol the last word when it starts with `HTTP/` (at most
 * 15 characters), the path everything between, spaces included. See combined.ts for why.
 */
import type { Rejection } from './record';
import { REJECT } from './rejections';

export interface RequestParts {
  method: string;
  path: string;
  protocol: string | null;
}

const SPACE = 32;

function isMethodChar(c: number): boolean {
  return (
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95
  );
}

/** The method s[start..stop), the common ones without a new string, or null if not a method. */
function methodAt(s: string, start: number, stop: number): string | null {
  const len = stop - start;
  const c0 = s.charCodeAt(start);
  if (len === 3 && c0 === 71 && s.charCodeAt(start + 1) === 69 && s.charCodeAt(start + 2) === 84) {
    return 'GET';
  }
  if (len === 4 && s.charCodeAt(start + 2) === 83 && s.charCodeAt(start + 3) === 84) {
    if (c0 === 80 && s.charCodeAt(start + 1) === 79) return 'POST';
  }
  if (len === 4 && c0 === 72 && s.charCodeAt(start + 1) === 69 && s.charCodeAt(start + 3) === 68) {
    if (s.charCodeAt(start + 2) === 65) return 'HEAD';
  }
  if (len === 0 || len > 32) return null;
  for (let i = start; i < stop; i++) if (!isMethodChar(s.charCodeAt(i))) return null;
  return s.slice(start, stop);
}

/** True when s[start..stop) starts with "HTTP/". */
function isProtocol(s: string, start: number, stop: number): boolean {
  return (
    stop - start > 5 &&
    s.charCodeAt(start) === 72 &&
    s.charCodeAt(start + 1) === 84 &&
    s.charCodeAt(start + 2) === 84 &&
    s.charCodeAt(start + 3) === 80 &&
    s.charCodeAt(start + 4) === 47
  );
}

/** The protocol s[start..stop), HTTP/1.1 and HTTP/1.0 without a new string. */
function protocolAt(s: string, start: number, stop: number): string {
  if (stop - start === 8 && s.charCodeAt(start + 5) === 49 && s.charCodeAt(start + 6) === 46) {
    const minor = s.charCodeAt(start + 7);
    if (minor === 49) return 'HTTP/1.1';
    if (minor === 48) return 'HTTP/1.0';
  }
  return s.slice(start, stop);
}

/**
 * Split the request line s[start..stop) (already unescaped) into `out`; returns why not, or
 * null. Filling a caller's object instead of returning a new one keeps the hot path free of
 * allocations.
 */
export function splitRequest(
  s: string,
  start: number,
  stop: number,
  out: RequestParts,
): Rejection | null {
  const sp = s.indexOf(' ', start);
  if (sp === -1 || sp >= stop) {
    return methodAt(s, start, stop) === null ? REJECT.requestBadMethod : REJECT.requestNoTarget;
  }
  const method = methodAt(s, start, sp);
  if (method === null) return REJECT.requestBadMethod;
  let pathEnd = stop;
  let protocol: string | null = null;
  // The protocol is short: look back a few characters for its space (lastIndexOf is slow),
  // trying first where "HTTP/1.1" would put it.
  let last = stop - 9;
  if (last <= sp || s.charCodeAt(last) !== SPACE) {
    last = stop - 1;
    const floor = Math.max(stop - 16, sp);
    while (last > floor && s.charCodeAt(last) !== SPACE) last--;
  }
  if (last > sp && isProtocol(s, last + 1, stop)) {
    protocol = protocolAt(s, last + 1, stop);
    pathEnd = last;
  }
  if (pathEnd <= sp + 1) return REJECT.requestNoTarget;
  out.method = method;
  out.path = s.slice(sp + 1, pathEnd);
  out.protocol = protocol;
  return null;
}

/** A request line such as "GET /x HTTP/1.1" as [method, path, protocol], or why not. */
export function splitRequestLine(request: string): [string, string, string | null] | Rejection {
  const out: RequestParts = { method: '', path: '', protocol: null };
  const failed = splitRequest(request, 0, request.length, out);
  if (failed !== null) return failed;
  return [out.method, out.path, out.protocol];
}

/**
 * True exactly when `splitRequest` would accept s[start..stop), found by the same steps without
 * making the method, path and protocol strings: for callers that only need to know the line
 * parses (event-time.ts).
 */
export function isRequestLine(s: string, start: number, stop: number): boolean {
  const sp = s.indexOf(' ', start);
  // Without a space, splitRequest rejects the line whether or not it starts with a method.
  if (sp === -1 || sp >= stop || sp === start || sp - start > 32) return false;
  for (let i = start; i < sp; i++) if (!isMethodChar(s.charCodeAt(i))) return false;
  let last = stop - 9;
  if (last <= sp || s.charCodeAt(last) !== SPACE) {
    last = stop - 1;
    const floor = Math.max(stop - 16, sp);
    while (last > floor && s.charCodeAt(last) !== SPACE) last--;
  }
  const pathEnd = last > sp && isProtocol(s, last + 1, stop) ? last : stop;
  return pathEnd > sp + 1;
}
