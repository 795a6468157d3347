/**
 * A line's event time without its record: what the archiver needs to put a line into the file
 * of its hour, and whether it parses at all. Building the record (eleven fields, four or five
 * strings) is most of a parser's time; this reads only the timestamp and checks the rest of the
 * line in place.
 *
 * What we decided:
 * - The answer is the parser's, always. `accessLineTime` checks a line with the same steps as
 *   `parseAccessLine` (combined.ts), sharing its field helpers, and gives the time only for a
 *   line the parser accepts; when it is not sure, it says so (NaN) and `eventTimeOf`'s reader
 *   runs the full parser, whose record or rejection (with its reason, for the dead letter) is
 *   the answer. So a line this file does not handle costs one parse more, never a wrong answer.
 * - Not sure means: the line is rejected (rare, and its reason is the parser's to give), or its
 *   request line holds a backslash (Apache escapes change what the request says once decoded).
 *   JSON lines go to the parser: JSON.parse is their cost either way.
 * - Agreement with the parser is tested on generated lines of every format, the tricky lines
 *   and the shipped real log (test/log/event-time-agreement.test.ts).
 */
import { closingQuote, DASH, isDashField, isQuotedDash, QUOTE, SPACE } from './access-fields';
import { parseAuto } from './auto';
import {
  type AccessMode,
  MODE_ANY,
  MODE_COMBINED,
  MODE_COMBINED_TIME,
  MODE_COMMON,
  microsecondsAt,
  parseAccessLine,
  parseCombined,
  parseCombinedTime,
  parseCommon,
} from './combined';
import type { Parser } from './parser';
import { isRejection, type Rejection } from './record';
import { isRequestLine } from './request-line';
import { parseClfTime } from './time';

/** A line's event time (epoch ms, UTC), or why it does not parse. */
export type EventTimeReader = (line: string) => number | Rejection;

/**
 * Epoch ms of the line's timestamp when `parseAccessLine(line, mode)` accepts the line, NaN
 * when this cannot tell (see the module docblock); never a time for a line the parser rejects.
 */
export function accessLineTime(line: string, mode: AccessMode): number {
  let end = line.length;
  let c = end > 0 ? line.charCodeAt(end - 1) : 0;
  while (c === 13 || c === SPACE || c === 9) {
    end--;
    c = end > 0 ? line.charCodeAt(end - 1) : 0;
  }
  // host ident user
  const s1 = line.indexOf(' ');
  if (s1 <= 0) return Number.NaN;
  const c0 = line.charCodeAt(0);
  if (c0 === 9 || c0 === QUOTE || line.charCodeAt(s1 - 1) === 44) return Number.NaN;
  const s2 = isDashField(line, s1 + 1) ? s1 + 2 : line.indexOf(' ', s1 + 1);
  if (line.charCodeAt(s1 + 1) === 91 || s2 === -1 || s2 >= end) return Number.NaN;
  const s3 = isDashField(line, s2 + 1) ? s2 + 2 : line.indexOf(' ', s2 + 1);
  if (line.charCodeAt(s2 + 1) === 91 || s3 === -1 || s3 >= end) return Number.NaN;

  // [timestamp] "request"
  const ts = s3 + 1;
  if (line.charCodeAt(ts) !== 91 || line.charCodeAt(ts + 27) !== 93 || ts + 28 > end) {
    return Number.NaN;
  }
  const time = parseClfTime(line, ts + 1);
  const rq = ts + 30;
  if (line.charCodeAt(ts + 28) !== SPACE || line.charCodeAt(ts + 29) !== QUOTE || rq > end) {
    return Number.NaN;
  }
  const rqEnd = closingQuote(line, rq, end);
  if (rqEnd === -1) return Number.NaN;
  if (rqEnd > rq && !(rqEnd - rq === 1 && line.charCodeAt(rq) === DASH)) {
    const backslash = line.indexOf('\\', rq);
    if (backslash !== -1 && backslash < rqEnd) return Number.NaN;
    if (!isRequestLine(line, rq, rqEnd)) return Number.NaN;
  }

  // status bytes
  const st = rqEnd + 2;
  const d0 = line.charCodeAt(st) - 48;
  const d1 = line.charCodeAt(st + 1) - 48;
  const d2 = line.charCodeAt(st + 2) - 48;
  if (st + 3 >= end || !(d0 >= 1 && d0 <= 5 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) {
    return Number.NaN;
  }
  if (line.charCodeAt(st + 3) !== SPACE) return Number.NaN;
  const bs = st + 4;
  let be = bs;
  if (line.charCodeAt(bs) === DASH) {
    be = bs + 1;
  } else {
    while (be < end) {
      const d = line.charCodeAt(be) - 48;
      if (d < 0 || d > 9) break;
      be++;
    }
    if (be === bs || be - bs > 15) return Number.NaN;
  }
  if (be === end) return mode === MODE_COMBINED || mode === MODE_COMBINED_TIME ? Number.NaN : time;
  if (mode === MODE_COMMON || line.charCodeAt(be) !== SPACE) return Number.NaN;

  // "referrer" "user agent": the user agent may run to the end of the line (a cut line)
  const rf = be + 2;
  if (line.charCodeAt(be + 1) !== QUOTE || rf > end) return Number.NaN;
  const rfEnd = isQuotedDash(line, rf, end) ? rf + 1 : closingQuote(line, rf, end);
  if (rfEnd === -1) return Number.NaN;
  if (line.charCodeAt(rfEnd + 2) !== QUOTE || rfEnd + 3 > end) return Number.NaN;
  if (mode !== MODE_COMBINED_TIME) return time;

  // combined-time: the user agent closes, then " %D" ends the line (a cut line goes to the parser)
  const ua = rfEnd + 3;
  const uaEnd = isQuotedDash(line, ua, end) ? ua + 1 : closingQuote(line, ua, end);
  if (uaEnd === -1 || uaEnd + 1 >= end || line.charCodeAt(uaEnd + 1) !== SPACE) return Number.NaN;
  return microsecondsAt(line, uaEnd + 2, end) === -1 ? Number.NaN : time;
}

/** The full parser's answer: the record's time or the rejection. */
function timeOfOutcome(parse: Parser, line: string): number | Rejection {
  const outcome = parse(line);
  return isRejection(outcome) ? outcome : outcome.time;
}

function autoTime(line: string): number | Rejection {
  let i = 0;
  let c = line.charCodeAt(0);
  while (c === 32 || c === 9) c = line.charCodeAt(++i);
  if (c !== 123) {
    const time = accessLineTime(line, MODE_ANY);
    if (!Number.isNaN(time)) return time;
    const outcome = parseAccessLine(line, MODE_ANY);
    return isRejection(outcome) ? outcome : outcome.time;
  }
  return timeOfOutcome(parseAuto, line);
}

function combinedTime(line: string): number | Rejection {
  const time = accessLineTime(line, MODE_COMBINED);
  return !Number.isNaN(time) ? time : timeOfOutcome(parseCombined, line);
}

function combinedTimeTime(line: string): number | Rejection {
  const time = accessLineTime(line, MODE_COMBINED_TIME);
  return !Number.isNaN(time) ? time : timeOfOutcome(parseCombinedTime, line);
}

function commonTime(line: string): number | Rejection {
  const time = accessLineTime(line, MODE_COMMON);
  return !Number.isNaN(time) ? time : timeOfOutcome(parseCommon, line);
}

/**
 * The event-time reader that agrees with `parse`: the fast one for the project's access-log
 * parsers (auto, combined, combined-time, common), the parser itself for any other.
 */
export function eventTimeOf(parse: Parser): EventTimeReader {
  if (parse === parseAuto) return autoTime;
  if (parse === parseCombined) return combinedTime;
  if (parse === parseCombinedTime) return combinedTimeTime;
  if (parse === parseCommon) return commonTime;
  return (line) => timeOfOutcome(parse, line);
}
