/**
 * Limits that keep normal traffic clean of false incidents. A later stage measures detection
 * against the ground truth, so a false incident in normal traffic would count against it.
 * - An address makes at most REQUEST_LIMIT requests per aligned five-minute bucket, so any
 *   five-minute window holds at most 2 × REQUEST_LIMIT = 120 from one address (< 150).
 * - A route (search: all queries together) answers at most ERROR_LIMIT 5xx per bucket, so any
 *   five-minute window holds at most 14 (< 15).
 * - An address gets at most NOT_FOUND_LIMIT 404 answers in its whole life.
 */
export const BUCKET_MS = 300_000;
export const REQUEST_LIMIT = 60;
export const ERROR_LIMIT = 7;
export const NOT_FOUND_LIMIT = 4;
