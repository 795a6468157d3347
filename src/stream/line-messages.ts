/**
 * Access-log lines as messages for `weblogs.raw`: key = the client IP, timestamp = the time the
 * line was logged, value = the line as it was read. A line that does not parse cannot be keyed,
 * so it becomes a dead letter with its reason instead (nothing is dropped silently).
 */
import { parseAuto } from '../log/auto';
import type { ParseOutcome } from '../log/record';
import type { ProduceMessage } from './broker';
import { routeLine } from './line-producer';

export interface LineMessages {
  /** For `weblogs.raw`, in the order of the lines. */
  readonly messages: ProduceMessage[];
  /** For `weblogs.deadletter`, one per line that did not parse. */
  readonly deadLetters: ProduceMessage[];
}

/**
 * Parses each line (`parseAuto` by default: combined, common or JSON) and keys it by client IP.
 * Dead letters keep the line exactly and carry the parser's reason; a line too large to be one
 * message is a `too-large` dead letter that keeps its start.
 */
export function lineMessages(
  lines: readonly string[],
  parse: (line: string) => ParseOutcome = parseAuto,
): LineMessages {
  const messages: ProduceMessage[] = [];
  const deadLetters: ProduceMessage[] = [];
  for (let i = 0; i < lines.length; i++) routeLine(lines[i], parse, true, messages, deadLetters);
  return { messages, deadLetters };
}

/**
 * The first field of a combined or common line (the client address), without parsing the rest;
 * null for a line without a space. Benchmarks use it to key lines as cheaply as kcat does.
 */
export function clientKey(line: string): string | null {
  const space = line.indexOf(' ');
  return space <= 0 ? null : line.slice(0, space);
}
