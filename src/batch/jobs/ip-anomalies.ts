/**
 * ip-anomalies: per client address its requests, errors (4xx/5xx) and distinct URLs, scored
 * against all addresses with a robust z-score of the request count, so a handful of floods
 * cannot hide each other the way they would inflate a mean and standard deviation.
 *
 * What we decided:
 * - score = (requests − median) / (1.4826 · MAD) over all addresses. When more than half the
 *   addresses have the same count the MAD is 0; the scale is then 1.2533 · the mean absolute
 *   deviation (Iglewicz and Hoaglin's modified z-score), and 0 when that is 0 too (all equal).
 * - flagged when score > 3.5, Iglewicz and Hoaglin's cut-off for the modified z-score.
 * - Rows: every flagged address, and at least the top N by score; score descending (requests
 *   descending, which is the same order before rounding), then address.
 *   Scores are rounded to two decimals.
 * - A map value is one character (1 for an error) and the URL; a combined value is the JSON
 *   `[requests, errors, [distinct URLs, sorted]]`. The first character tells them apart.
 */
import { MAD_TO_SD, medianInPlace } from '../../realtime/robust-stats';
import {
  byCountThen,
  DEFAULT_TOP,
  type Emit,
  emitRow,
  type Job,
  type JobOptions,
  type Row,
} from '../job';

export const ANOMALY_THRESHOLD = 3.5;
/** Scale from the mean absolute deviation to a standard deviation under normality. */
const MEAN_AD_TO_SD = 1.2533;

interface Tally {
  requests: number;
  errors: number;
  urls: Set<string>;
}

function tally(values: readonly string[]): Tally {
  const t: Tally = { requests: 0, errors: 0, urls: new Set() };
  for (const v of values) {
    if (v.charCodeAt(0) === 91) {
      const [r, e, urls] = JSON.parse(v) as [number, number, string[]];
      t.requests += r;
      t.errors += e;
      for (const u of urls) t.urls.add(u);
    } else {
      t.requests++;
      if (v.charCodeAt(0) === 49) t.errors++;
      t.urls.add(v.slice(1));
    }
  }
  return t;
}

function combine(key: string, values: readonly string[], emit: Emit): void {
  const t = tally(values);
  emit(key, JSON.stringify([t.requests, t.errors, [...t.urls].sort()]));
}

/** Robust z-scores of `counts` (see the module docblock). */
export function robustScores(counts: readonly number[]): number[] {
  const n = counts.length;
  if (n === 0) return [];
  const scratch = Float64Array.from(counts);
  const median = medianInPlace(scratch, n);
  let meanAd = 0;
  for (let i = 0; i < n; i++) {
    scratch[i] = Math.abs(counts[i] - median);
    meanAd += scratch[i];
  }
  meanAd /= n;
  const mad = medianInPlace(scratch, n);
  const scale = mad > 0 ? MAD_TO_SD * mad : MEAN_AD_TO_SD * meanAd;
  return counts.map((c) => (scale > 0 ? (c - median) / scale : 0));
}

export function ipAnomaliesJob(options: JobOptions = {}): Job {
  const top = options.top ?? DEFAULT_TOP;
  return {
    name: 'ip-anomalies',
    description: `IP anomalies: addresses whose request count has a robust z-score above ${ANOMALY_THRESHOLD} (at least the top ${top})`,
    columns: ['ip', 'requests', 'errors', 'distinctUrls', 'score', 'flagged'],
    map(r, emit) {
      emit(r.ip, `${r.status >= 400 ? '1' : '0'}${r.path ?? '-'}`);
    },
    combine,
    reduce(key, values, emit) {
      const t = tally(values);
      emitRow(emit, key, {
        ip: key,
        requests: t.requests,
        errors: t.errors,
        distinctUrls: t.urls.size,
      });
    },
    finalize(rows) {
      const scores = robustScores(rows.map((r) => r.requests as number));
      const scored: Row[] = rows.map((r, i) => {
        const score = Math.round(scores[i] * 100) / 100;
        return { ...r, score, flagged: scores[i] > ANOMALY_THRESHOLD };
      });
      // By requests, which orders as the unrounded score does: rounding must not reorder.
      scored.sort(byCountThen('requests', 'ip'));
      const flagged = scored.reduce((n, r) => n + (r.flagged ? 1 : 0), 0);
      return scored.slice(0, Math.max(top, flagged));
    },
  };
}
