/**
 * Where the shared real logs live: `../shared/data/real-logs/` beside the repository. Tests that
 * need them skip when the folder is absent, except under CI, where a missing folder is a failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { splitLines } from '../../src/log/lines';

export const REAL_LOGS_DIR = fileURLToPath(
  new URL('../../../shared/data/real-logs/', import.meta.url),
);
export const ELASTIC = 'elastic-examples_apache_logs.log';
export const SPARK_CLF = '0x333333-spark_log_analyzer_access_log.log';
export const TRICKY = 'tricky-lines.txt';

export const realLogsPresent = existsSync(REAL_LOGS_DIR);
if (!realLogsPresent && process.env.CI) {
  throw new Error(`the shared real logs are missing: expected them in ${REAL_LOGS_DIR}`);
}

export function realLogBytes(name: string): Buffer {
  return readFileSync(`${REAL_LOGS_DIR}${name}`);
}

/** The lines of a real log, decoded as the CLI decodes them (UTF-8, CR stripped). */
export function realLogLines(name: string): string[] {
  return splitLines(realLogBytes(name).toString('utf8'));
}
