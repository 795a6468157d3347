/**
 * scanner: an address that probes many paths that do not exist (/wp-login.php, /.env, …). The
 * condition holds when, in one window, the address got not-found answers (404 or 410) on at
 * least `minDistinctPaths` distinct paths and they were at least `minNotFoundRatio` of its
 * requests. `observed` is the number of distinct not-found paths (exact up to the per-bucket cap
 * of ip-activity.ts, which is far above the threshold).
 */
import { badFlag } from '../../errors';
import { type Alert, severityOf, trackAlert } from '../alert';
import { IP_NOT_FOUND, IP_REQUESTS, type IpTable } from './ip-activity';

export interface ScannerOptions {
  minDistinctPaths: number;
  minNotFoundRatio: number;
  /** Distinct paths remembered per address and bucket: bounds memory under a large scan. */
  maxPathsPerBucket: number;
}

export const DEFAULT_SCANNER: Readonly<ScannerOptions> = Object.freeze({
  minDistinctPaths: 20,
  minNotFoundRatio: 0.5,
  maxPathsPerBucket: 256,
});

export function scannerOptions(overrides: Partial<ScannerOptions> = {}): ScannerOptions {
  const o = { ...DEFAULT_SCANNER, ...overrides };
  if (!Number.isInteger(o.minDistinctPaths) || o.minDistinctPaths < 1) {
    throw badFlag(`scanner minDistinctPaths must be a whole number ≥ 1, got ${o.minDistinctPaths}`);
  }
  if (!(o.minNotFoundRatio >= 0 && o.minNotFoundRatio <= 1)) {
    throw badFlag(`scanner minNotFoundRatio must be in [0, 1], got ${o.minNotFoundRatio}`);
  }
  if (!Number.isInteger(o.maxPathsPerBucket) || o.maxPathsPerBucket < o.minDistinctPaths) {
    throw badFlag(
      `scanner maxPathsPerBucket must be a whole number ≥ minDistinctPaths, got ${o.maxPathsPerBucket}`,
    );
  }
  return o;
}

/** An answer that says the path does not exist. */
export function isNotFound(status: number): boolean {
  return status === 404 || status === 410;
}

/**
 * Judge one address (a row of `ips`) on the closed window [start, end) (buckets [from, to)),
 * fold the verdict into its scanner alert, and say whether the condition holds (ip-flood defers
 * to it).
 */
export function judgeScanner(
  o: ScannerOptions,
  ips: IpTable,
  row: number,
  key: string,
  start: number,
  end: number,
  from: number,
  to: number,
  scratch: Set<string>,
  out: Alert[],
): boolean {
  const open = ips.scan[row];
  if (open === null && ips.total(row, IP_NOT_FOUND) < o.minDistinctPaths) return false;
  const notFound = ips.sum(row, IP_NOT_FOUND, from, to);
  if (notFound === 0 && open === null) return false;
  // Distinct paths cannot exceed not-found answers: most addresses stop here.
  const distinct =
    notFound >= o.minDistinctPaths || open !== null ? ips.distinctPaths(row, from, to, scratch) : 0;
  const requests = ips.sum(row, IP_REQUESTS, from, to);
  const holds =
    distinct >= o.minDistinctPaths && notFound >= o.minNotFoundRatio * Math.max(1, requests);
  if (holds || open !== null) {
    ips.scan[row] = trackAlert(
      open,
      'scanner',
      key,
      holds,
      start,
      end,
      distinct,
      o.minDistinctPaths,
      severityOf(distinct, o.minDistinctPaths),
      out,
    );
  }
  return holds;
}
