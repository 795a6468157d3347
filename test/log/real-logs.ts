/**
 * Real logs for tests. The elastic/examples log ships with the repository (data/real-logs). Two
 * more samples are not redistributed (one states no licence; the other gathers lines from other
 * projects' test suites, some GPL, some unchecked): they are read from the folder that
 * `LOGLAB_SAMPLES_DIR` names, and the tests that need them skip, saying why, when it is unset.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_LOGS_DIR } from '../../src/bench/samples';
import { splitLines } from '../../src/log/lines';

export { REAL_LOGS_DIR };
export const ELASTIC = 'elastic-examples_apache_logs.log';
export const SPARK_CLF = '0x333333-spark_log_analyzer_access_log.log';
export const TRICKY = 'tricky-lines.txt';
const NOT_SHIPPED = [SPARK_CLF, TRICKY];

const samplesDir = process.env.LOGLAB_SAMPLES_DIR ?? '';
/** True when the samples that are not shipped are there to test with. */
export const extraSamplesPresent = samplesDir !== '';
if (extraSamplesPresent) {
  const missing = NOT_SHIPPED.filter((name) => !existsSync(join(samplesDir, name)));
  if (missing.length > 0) {
    throw new Error(`LOGLAB_SAMPLES_DIR=${samplesDir} lacks ${missing.join(', ')}`);
  }
}

/** Why the tests that need the samples that are not shipped skip. */
export const SAMPLES_MISSING = `${NOT_SHIPPED.join(' and ')} are not shipped (see data/real-logs/README.md); set LOGLAB_SAMPLES_DIR to a folder holding them`;
const WHY = `skipped: ${SAMPLES_MISSING}`;
let warned = false;

/** A suite title that says why the suite is skipped when the extra samples are absent. */
export function withSamples(title: string): string {
  if (extraSamplesPresent) return title;
  if (!warned) {
    warned = true;
    console.warn(`${title}: ${WHY}`);
  }
  return `${title} (${WHY})`;
}

/** Where a real log is: shipped in the repository, or in `LOGLAB_SAMPLES_DIR`. */
export function realLogPath(name: string): string {
  if (NOT_SHIPPED.includes(name)) {
    if (!extraSamplesPresent) throw new Error(`${name}: ${WHY}`);
    return join(samplesDir, name);
  }
  return join(REAL_LOGS_DIR, name);
}

export function realLogBytes(name: string): Buffer {
  return readFileSync(realLogPath(name));
}

/** The lines of a real log, decoded as the CLI decodes them (UTF-8, CR stripped). */
export function realLogLines(name: string): string[] {
  return splitLines(realLogBytes(name).toString('utf8'));
}
