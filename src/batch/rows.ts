/**
 * A job's rows from its reducers' output: every `key TAB value` line of every partition, sorted
 * by key bytes (then value) so the order owes nothing to how many reducers there were, each
 * value read as a JSON row, then the job's `finalize`. The Hadoop runner reads its part files
 * through this same function, so both runners report the same rows.
 */
import { compareKeys, keyEnd, unescapeField } from './codec';
import type { Job, Row } from './job';
import { jobFailed } from './map-buffer';

export function rowsOf(job: Job, outputs: Iterable<string>): Row[] {
  const pairs: [string, string][] = [];
  for (const text of outputs) {
    let at = 0;
    while (at < text.length) {
      let lf = text.indexOf('\n', at);
      if (lf === -1) lf = text.length;
      const line = text.slice(at, lf);
      at = lf + 1;
      if (line.length === 0) continue;
      const tab = keyEnd(line);
      pairs.push([line.slice(0, tab), line.slice(tab + 1)]);
    }
  }
  pairs.sort((a, b) => compareKeys(a[0], b[0]) || compareKeys(a[1], b[1]));
  let rows: Row[] = [];
  for (const [key, value] of pairs) {
    let row: unknown;
    try {
      row = JSON.parse(unescapeField(value));
    } catch {
      row = null;
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw jobFailed(
        job,
        'reduce',
        new Error(
          `emitted ${JSON.stringify(unescapeField(value))} for key ${JSON.stringify(unescapeField(key))}, not a JSON row`,
        ),
      );
    }
    rows.push(row as Row);
  }
  if (job.finalize) {
    try {
      rows = job.finalize(rows);
    } catch (err) {
      throw jobFailed(job, 'finalize', err);
    }
  }
  return rows;
}
