/**
 * Format detection. `parseAuto` decides per line, so a file that mixes formats (a CLF log that
 * later switched to combined, JSON lines spliced in) parses in one go; `detectFormat` names the
 * one format that fits a sample best, for callers that want a fixed parser.
 */
import {
  MODE_ANY,
  MODE_COMBINED,
  MODE_COMBINED_TIME,
  MODE_COMMON,
  parseAccessLine,
} from './combined';
import { parseJson } from './json';
import { isRecord, type LogFormat, type ParseOutcome } from './record';

/**
 * `{` as the first non-blank character → JSON; otherwise combined, or common when it ends there;
 * a combined line that ends in a field of digits reads it as `%D` (combined-time).
 */
export function parseAuto(line: string): ParseOutcome {
  let i = 0;
  let c = line.charCodeAt(0);
  while (c === 32 || c === 9) c = line.charCodeAt(++i);
  if (c === 123) return parseJson(line);
  return parseAccessLine(line, MODE_ANY);
}

/**
 * The format that parses the most lines of the sample; blank lines do not count. A line that
 * parses as combined-time counts for combined-time (every such line is also combined); a sample
 * is combined-time when more of its lines have the request time than not. Ties go to combined,
 * then common, then JSON; a sample in which nothing parses gives 'combined', whose rejection
 * reasons then say what is wrong.
 */
export function detectFormat(sampleLines: string[]): LogFormat {
  let json = 0;
  let combined = 0;
  let timed = 0;
  let common = 0;
  for (const line of sampleLines) {
    if (line.trim() === '') continue;
    if (line.trimStart().charCodeAt(0) === 123) {
      if (isRecord(parseJson(line))) json++;
    } else if (isRecord(parseAccessLine(line, MODE_COMBINED_TIME))) {
      timed++;
    } else if (isRecord(parseAccessLine(line, MODE_COMBINED))) {
      combined++;
    } else if (isRecord(parseAccessLine(line, MODE_COMMON))) {
      common++;
    }
  }
  const anyCombined = combined + timed;
  if (anyCombined >= common && anyCombined >= json) {
    return timed > combined ? 'combined-time' : 'combined';
  }
  return common >= json ? 'common' : 'json';
}
