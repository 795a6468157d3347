/**
 * The real log shipped with the repository, in data/real-logs/ (its README gives the source,
 * commit and licence). Benchmarks, tests, labs and notebooks read it from here, so a fresh clone
 * needs nothing beside it.
 */
import { fileURLToPath } from 'node:url';

export const REAL_LOGS_DIR = fileURLToPath(new URL('../../data/real-logs/', import.meta.url));
/** elastic/examples `apache_logs`: 10,000 combined lines, Apache-2.0. */
export const ELASTIC_LOG_NAME = 'elastic-examples_apache_logs.log';
export const ELASTIC_LOG = `${REAL_LOGS_DIR}${ELASTIC_LOG_NAME}`;
