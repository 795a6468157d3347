/**
 * The way out of "no Kafka broker answers" for the command that prints it. The Kafka adapters end
 * that line with START_BROKER_HINT (start a broker, or use --engine embedded), which is the way
 * out for the streaming commands. `loglab demo` and `loglab archive` on a topic have no
 * `--engine embedded` to offer: the lines they print, the outage waits and the final error
 * alike, name their own.
 */
import { START_BROKER_HINT } from '../stream/kafka-errors';

/** Archiving from a topic needs Kafka; a file needs none. */
export const ARCHIVE_KAFKA_HINT =
  'start one with `npm run cluster -- up`, or archive a file: `loglab archive FILE`';

const OWN_HINTS: Readonly<Record<string, string>> = {
  demo: 'start one with `npm run cluster -- up`, or run the demo without --cluster',
  archive: ARCHIVE_KAFKA_HINT,
};

/** `text` with the streaming commands' hint replaced by the command's own, where it has one. */
export function withCommandHint(command: string | undefined, text: string): string {
  const own = command === undefined ? undefined : OWN_HINTS[command];
  return own === undefined ? text : text.replaceAll(START_BROKER_HINT, own);
}
