/**
 * Every rejection a parser can return, allocated once and frozen: rejecting a line allocates
 * nothing, and callers may compare rejections by identity.
 */
import type { Rejection, RejectReason } from './record';

function rejection(reason: RejectReason, message: string): Rejection {
  return Object.freeze({ kind: 'rejected', reason, message });
}

export const REJECT = {
  empty: rejection('empty-line', 'the line is empty'),
  leadingSpace: rejection('bad-host', 'the line starts with white space instead of a host'),
  badHostChars: rejection(
    'bad-host',
    'the host is quoted or ends with a comma (a forwarded-for list is not a client address)',
  ),
  hostPrefix: rejection(
    'bad-host',
    'more than three fields before the timestamp: a virtual-host or forwarded-for prefix is not part of this format',
  ),
  onlyHost: rejection('missing-field', 'the line ends after the host'),
  noIdentUser: rejection(
    'missing-field',
    'the ident and user fields are missing before the timestamp',
  ),
  noTimestamp: rejection('bad-timestamp', 'no [timestamp] after host, ident and user'),
  badTimestamp: rejection('bad-timestamp', 'the timestamp is not [dd/Mon/yyyy:HH:MM:SS +hhmm]'),
  requestNotQuoted: rejection('bad-quoted-field', 'the request after the timestamp is not quoted'),
  requestUnclosed: rejection('bad-quoted-field', 'the request has no closing quote'),
  requestNoTarget: rejection('bad-request', 'the request line has a method but no path'),
  requestBadMethod: rejection(
    'bad-request',
    'the request line does not start with a method (letters, digits, - or _)',
  ),
  noStatus: rejection('missing-field', 'the line ends after the request'),
  badStatus: rejection('bad-status', 'the status is not a three-digit HTTP code (1xx–5xx)'),
  dashStatus: rejection('bad-status', 'the status is "-": the server logged no response code'),
  noBytes: rejection('missing-field', 'the line ends after the status: no byte count'),
  badBytes: rejection('bad-bytes', 'the byte count is neither digits nor "-"'),
  noDuration: rejection(
    'missing-field',
    'the line ends after the user agent: no request time (%D microseconds; try --format combined or auto)',
  ),
  badDuration: rejection(
    'bad-duration',
    'the request time after the user agent is neither digits (%D microseconds) nor "-"',
  ),
  jsonBadDuration: rejection(
    'bad-duration',
    'the request time is not a number of seconds (request_time) or milliseconds (durationMs)',
  ),
  commonInCombined: rejection(
    'missing-field',
    'the referrer and user-agent fields are missing (a common-format line: try --format common or auto)',
  ),
  combinedInCommon: rejection(
    'trailing-garbage',
    'text after the byte count (a combined-format line: try --format combined or auto)',
  ),
  referrerNotQuoted: rejection(
    'bad-quoted-field',
    'the referrer after the byte count is not quoted',
  ),
  referrerUnclosed: rejection('bad-quoted-field', 'the referrer has no closing quote'),
  noUserAgent: rejection('missing-field', 'the line ends after the referrer: no user agent'),
  userAgentNotQuoted: rejection(
    'bad-quoted-field',
    'the user agent after the referrer is not quoted',
  ),
  jsonSyntax: rejection('bad-json', 'the line is not valid JSON'),
  jsonNotObject: rejection('bad-json', 'the line is JSON but not an object'),
  jsonBadValue: rejection('bad-json', 'a field holds an object, array or boolean instead of text'),
  jsonNoIp: rejection('missing-field', 'no client address (remote_addr or ip)'),
  jsonNoTime: rejection('missing-field', 'no time (time_local, time_iso8601, msec or time)'),
  jsonNoStatus: rejection('missing-field', 'no status'),
  jsonBadTime: rejection(
    'bad-timestamp',
    'the time is neither dd/Mon/yyyy:HH:MM:SS +hhmm, ISO 8601 with a zone, nor epoch milliseconds',
  ),
  unknownFormat: rejection('unknown-format', 'the line is neither JSON nor an access-log line'),
} as const;
