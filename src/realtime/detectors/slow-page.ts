/**
 * slow-page: a URL (the path without its query) that answers much slower than it usually does.
 * Each closed window, a URL with at least `minRequests` timed requests in it is judged against
 * its own baseline: the condition holds when the window's p95 request time is at least `ratio`
 * times the baseline's p95, and at least `minSlow` of the window's requests are that slow (so
 * one odd request among a handful, which is the p95 of a handful, is not an incident). Records
 * without a request time (`durationMs` null: combined and common logs) are ignored. `observed`
 * is the window's p95 and `threshold` the limit, both in ms.
 *
 * Why a quantile and not the mean: a slow page that only some requests meet (one backend of
 * several, a cache that misses) barely moves the mean of a busy URL but is plain in its p95;
 * and the mean of a right-skewed time is pulled by a few outliers where the p95 is not.
 *
 * What we decided:
 * - The sketch is DDSketch from @datadog/sketches-js, pinned at 2.1.1: Datadog's reference
 *   implementation of the paper's algorithm (Masson, Rim, Lee, VLDB 2019), kept with its Java,
 *   Go and Python siblings, no runtime dependencies. Its quantiles have a relative error bound
 *   (2% here), which is what a ratio against a baseline needs at every scale from a 2 ms image
 *   to a 2 s search, and its merge is exact (bucket counts add up), so five one-minute sketches
 *   merge into the five-minute window without drift. A t-digest (tdigest 0.1.3) bounds the
 *   error in rank, not in value, and merges only approximately; it is also unmaintained since
 *   2017.
 * - Memory per URL is bounded, and small for the many URLs asked for a few times: a bucket keeps
 *   its first few request times as numbers and gets a sketch only past them (slow-page-table.ts
 *   says why). A sketch is a LogCollapsingLowestDenseDDSketch of at most `maxBins` bins (512
 *   bins at 2% cover 1 µs to hours; a store holds only the bins between its smallest and largest
 *   value, a few dozen for one URL). A window is merged into a sketch only when its slowest
 *   request reaches the limit or an alert is open: otherwise its quantile cannot reach it.
 * - Baselines outlive their URL's window state (a page quiet at night keeps its normal). Only a
 *   window of at least `minRequests` timed requests makes one, so one-off paths never do; at
 *   most `maxUrls` are kept, the least recently learned dropped first. The threshold is found
 *   again whenever the baseline learned: kept while the baseline grew by up to 1/64, a stale
 *   one turned warnings into critical lines and split incidents into several alerts (seeds 1,
 *   8, 17 and 20 of the generated days; test/realtime/detector-slow-page-exact.test.ts).
 * - An open alert is judged every window, against its own threshold if its baseline was dropped,
 *   so it always resolves and its row is freed.
 * - The baseline must not learn an incident: a bucket is added to the URL's baseline only once
 *   final (the window that ends with it has closed), and only when that window did not hold and
 *   no alert of the URL is open. Those buckets are kept aside instead; when `holdBuckets` of them
 *   have passed, they become the baseline: a lasting change is the new normal. A URL is judged
 *   only once its baseline holds `minBaseline` requests.
 */
import { type Alert, severityOf, trackAlert } from '../alert';
import { valueAtQuantile } from './sketch-quantile';
import type { SlowPageOptions } from './slow-page-options';
import { PAGE_TIMED, type SlowPageTable } from './slow-page-table';

export * from './slow-page-options';
export { SlowPageTable } from './slow-page-table';

/** One decimal of a ms: a limit and a measurement, not a sketch's bin edge. */
function ms(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Judge one URL (a row of the table) on the closed window [start, end) (buckets [from, to)),
 * teach its baseline the buckets [finalFrom, to) that became final with this close, and fold the
 * verdict into its alert (lines to `out`). keyed-windows.ts calls it for every live URL at each
 * close, after error-spike, and frees the row when neither detector needs it any more.
 */
export function judgeSlowPage(
  o: SlowPageOptions,
  table: SlowPageTable,
  row: number,
  key: string,
  start: number,
  end: number,
  from: number,
  to: number,
  finalFrom: number,
  out: Alert[],
): void {
  const open = table.pageAlert[row];
  if (open === null && table.total(row, PAGE_TIMED) < o.minRequests) {
    // Fewer timed requests in all its buckets than a judged window needs (most URLs of a site):
    // nothing to judge; what is left is learning the final buckets.
    if (table.sum(row, PAGE_TIMED, finalFrom, to) > 0) table.learn(row, finalFrom, to, false);
    return;
  }
  const n = table.sum(row, PAGE_TIMED, from, to);
  let holds = false;
  let threshold = Number.NaN;
  // The window's slowest request, with the margin (only needed without an open alert). A
  // sketch's quantile is within relativeAccuracy of a request time, so a window whose slowest
  // request is below threshold / (1 + 2 × that) cannot hold.
  let slowest = 0;
  if (open !== null || n >= o.minRequests) {
    const baseline = table.baselineOf(row);
    // Without an open alert, the threshold is only compared with, never written: a window
    // whose slowest request is below its floor cannot hold, whatever the threshold is now.
    if (open === null) slowest = table.slowest(row, from, to) * (1 + 2 * o.relativeAccuracy);
    if (open !== null || baseline === null || !table.belowFloor(baseline, slowest)) {
      threshold = table.thresholdOf(baseline);
    }
    // An alert whose baseline was dropped is judged against the limit it opened on.
    if (Number.isNaN(threshold) && open !== null) threshold = open.threshold;
  }
  if (!Number.isNaN(threshold)) {
    let p = 0;
    if (n > 0 && (open !== null || slowest >= threshold)) {
      const window = table.newSketch();
      table.addTo(window, row, from, to);
      p = valueAtQuantile(window, o.quantile);
      // The minSlow-th largest request time reaches the limit too.
      const kth = n >= o.minSlow ? valueAtQuantile(window, (n - o.minSlow) / (n - 1)) : 0;
      holds = n >= o.minRequests && p >= threshold && kth >= threshold;
    }
    if (holds || open !== null) {
      table.pageAlert[row] = trackAlert(
        open,
        'slow-page',
        key,
        holds,
        start,
        end,
        ms(p),
        ms(threshold),
        severityOf(p, threshold),
        out,
      );
    }
  }
  // Learn the final buckets, unless they belong to an incident (see the module docblock).
  if (!holds && table.pageAlert[row] === null) {
    if (table.sum(row, PAGE_TIMED, finalFrom, to) > 0) {
      table.learn(row, finalFrom, to, n >= o.minRequests);
    }
  } else {
    table.hold(row, finalFrom, to);
  }
}
