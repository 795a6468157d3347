/**
 * error-spike: a URL that fails many times in a window. The condition holds when the window has
 * at least `minErrors` 5xx answers for the URL (the classic "/broken-page: 15 errors in 5 min"),
 * or, once the URL had at least `minRequests` requests, when at least `minRatio` of them failed
 * (a quiet URL that is fully down). Both are one threshold on the 5xx count, which is what
 * `observed` and `threshold` report. The key is the path without its query string: the
 * endpoint, whatever the parameters.
 */
import { badFlag } from '../../errors';
import { type Alert, severityOf, trackAlert } from '../alert';
import { KeyedRings } from '../keyed-rings';

export interface ErrorSpikeOptions {
  /** 5xx answers in one window that always make a spike. */
  minErrors: number;
  /** Share of failed requests that makes a spike once the URL has `minRequests` requests. */
  minRatio: number;
  minRequests: number;
}

export const DEFAULT_ERROR_SPIKE: Readonly<ErrorSpikeOptions> = Object.freeze({
  minErrors: 15,
  minRatio: 0.5,
  minRequests: 20,
});

export function errorSpikeOptions(overrides: Partial<ErrorSpikeOptions> = {}): ErrorSpikeOptions {
  const o = { ...DEFAULT_ERROR_SPIKE, ...overrides };
  if (!Number.isInteger(o.minErrors) || o.minErrors < 1) {
    throw badFlag(`error-spike minErrors must be a whole number ≥ 1, got ${o.minErrors}`);
  }
  if (!(o.minRatio > 0 && o.minRatio <= 1)) {
    throw badFlag(`error-spike minRatio must be in (0, 1], got ${o.minRatio}`);
  }
  if (!Number.isInteger(o.minRequests) || o.minRequests < 1) {
    throw badFlag(`error-spike minRequests must be a whole number ≥ 1, got ${o.minRequests}`);
  }
  return o;
}

/** Channels of a URL's bucket ring. */
export const URL_REQUESTS = 0;
export const URL_ERRORS = 1;

/**
 * Per-URL state: a row of requests and 5xx per bucket and the open error-spike alert. The engine
 * keeps one table per URL for error-spike and slow-page together (SlowPageTable extends this one
 * with a channel of timed requests and the request times), so a record costs one URL lookup and
 * a URL one row, one walk per close and one eviction for both detectors.
 */
export class UrlTable extends KeyedRings {
  alert: (Alert | null)[] = [];

  constructor(slots: number, channels = 2) {
    super(slots, channels);
  }

  protected override opened(row: number): void {
    this.alert[row] = null;
  }
}

/** The alert key of a request path: the path without its query string. */
export function urlKey(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** 5xx answers that make a spike in a window with `requests` requests. */
export function errorThreshold(o: ErrorSpikeOptions, requests: number): number {
  if (requests < o.minRequests) return o.minErrors;
  return Math.min(o.minErrors, Math.max(1, Math.ceil(o.minRatio * requests)));
}

/** The fewest 5xx that can make a spike, whatever the volume. */
export function lowestErrorThreshold(o: ErrorSpikeOptions): number {
  return errorThreshold(o, o.minRequests);
}

/**
 * Judge one URL (a row of `urls`) on the closed window [start, end) (buckets [from, to)) and
 * fold the verdict into its alert; lines to emit go to `out`.
 */
export function judgeErrorSpike(
  o: ErrorSpikeOptions,
  urls: UrlTable,
  row: number,
  key: string,
  start: number,
  end: number,
  from: number,
  to: number,
  out: Alert[],
): void {
  const open = urls.alert[row];
  // Every bucket the row holds together cannot reach a spike: nothing to judge (most URLs).
  if (open === null && urls.total(row, URL_ERRORS) < lowestErrorThreshold(o)) return;
  const errors = urls.sum(row, URL_ERRORS, from, to);
  if (errors === 0 && open === null) return;
  const threshold = errorThreshold(o, urls.sum(row, URL_REQUESTS, from, to));
  urls.alert[row] = trackAlert(
    open,
    'error-spike',
    key,
    errors >= threshold,
    start,
    end,
    errors,
    threshold,
    severityOf(errors, threshold),
    out,
  );
}
