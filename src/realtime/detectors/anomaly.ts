/**
 * anomaly: the whole site's per-step series (requests, and the share of 5xx answers) compared
 * with its own recent past, with no fixed threshold. Each closed step is scored with a robust
 * z-score against the median and MAD of the trailing `baselineSteps` steps:
 *
 * - requests: on the square root of the count, which makes counting noise about 0.5 whatever
 *   the traffic level (Poisson variance stabilisation); keys `requests-spike`, `requests-drop`;
 * - error ratio: on asin(√(errors/requests)), whose noise is 1/(2√requests) (the binomial
 *   variance-stabilising transform); key `error-ratio-spike`.
 *
 * The scale is the largest of three: 1.4826·MAD of the baseline (robust), its standard deviation
 * (which sees the heavy tails of bursty traffic: a page and its assets arrive together), and the
 * counting noise above (with a flat baseline a single extra error would otherwise be infinitely
 * surprising). The baseline learns from each scored value clipped to the opening limits, so an
 * incident moves it by one limit at most while a lasting change of level still becomes normal.
 * An alert opens at z ≥ `openZ` (a drop at z ≤ −openZ, for `dropSteps` steps in a row: a quiet
 * minute happens at night, an outage lasts) and resolves when |z| falls below `resolveZ`
 * (hysteresis, so a score that hovers at the limit does not flap). Nothing is scored during the
 * first `warmupSteps` steps. `observed` and `threshold` are in the series' units (requests per
 * step, or a ratio): the threshold is the opening limit mapped back from the transformed scale.
 */
import { badFlag } from '../../errors';
import { type Alert, resolveAtEnd, trackAlert } from '../alert';
import { type RobustSummary, robustSummary } from '../robust-stats';

export interface AnomalyOptions {
  /** Step of the series (ms); one minute in the classic setup. */
  stepMs: number;
  /** Trailing steps the baseline is learned from. */
  baselineSteps: number;
  /** Steps seen before anything is scored. */
  warmupSteps: number;
  /** |z| at which an alert opens. */
  openZ: number;
  /** |z| below which an open alert resolves. */
  resolveZ: number;
  /** Consecutive steps at or above openZ before a spike alert opens. */
  spikeSteps: number;
  /**
   * Consecutive steps at or below −openZ before a drop alert opens. Traffic comes in bursts (a
   * page and its assets), so at night one quiet minute happens in normal traffic; an outage lasts.
   */
  dropSteps: number;
}

export const DEFAULT_ANOMALY: Readonly<AnomalyOptions> = Object.freeze({
  stepMs: 60_000,
  baselineSteps: 60,
  warmupSteps: 30,
  openZ: 6,
  resolveZ: 3,
  spikeSteps: 1,
  dropSteps: 2,
});

export function anomalyOptions(overrides: Partial<AnomalyOptions> = {}): AnomalyOptions {
  const o = { ...DEFAULT_ANOMALY, ...overrides };
  if (!Number.isSafeInteger(o.stepMs) || o.stepMs <= 0) {
    throw badFlag(`anomaly stepMs must be a whole number of ms above 0, got ${o.stepMs}`);
  }
  if (!Number.isInteger(o.baselineSteps) || o.baselineSteps < 5) {
    throw badFlag(`anomaly baselineSteps must be a whole number ≥ 5, got ${o.baselineSteps}`);
  }
  if (!Number.isInteger(o.warmupSteps) || o.warmupSteps < 5 || o.warmupSteps > o.baselineSteps) {
    throw badFlag(
      `anomaly warmupSteps must be a whole number from 5 to baselineSteps, got ${o.warmupSteps}`,
    );
  }
  if (!(o.openZ > 0 && o.resolveZ > 0 && o.resolveZ <= o.openZ)) {
    throw badFlag(`anomaly needs 0 < resolveZ ≤ openZ, got ${o.resolveZ} and ${o.openZ}`);
  }
  for (const name of ['spikeSteps', 'dropSteps'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) {
      throw badFlag(`anomaly ${name} must be a whole number ≥ 1, got ${o[name]}`);
    }
  }
  return o;
}

export const ANOMALY_KEYS = ['requests-spike', 'requests-drop', 'error-ratio-spike'] as const;
export type AnomalyKey = (typeof ANOMALY_KEYS)[number];

/** Counting noise of √count (Poisson). */
const SQRT_NOISE = 0.5;

/** One scored step, for charts and tests. */
export interface AnomalyScore {
  start: number;
  requests: number;
  errors: number;
  /** null during warm-up (requests) or without a baseline / requests (error ratio). */
  requestsZ: number | null;
  errorRatioZ: number | null;
}

export interface AnomalyDetector {
  readonly options: Readonly<AnomalyOptions>;
  /** Score the closed step [start, start + stepMs); alert lines go to `out`. */
  closeStep(start: number, requests: number, errors: number, out: Alert[]): AnomalyScore;
  /** The input ended: resolve whatever is open. */
  finish(out: Alert[]): void;
  /** Forget the baseline (after a gap in the input longer than it): warm-up starts again. */
  reset(out: Alert[]): void;
  /** Open alerts, for the dashboard. */
  openAlerts(): Alert[];
}

export function createAnomalyDetector(overrides: Partial<AnomalyOptions> = {}): AnomalyDetector {
  const o = anomalyOptions(overrides);
  const requestSeries = new Series(o.baselineSteps);
  const ratioSeries = new Series(o.baselineSteps);
  const scratch = new Float64Array(o.baselineSteps);
  const summary: RobustSummary = { median: 0, scale: 0, sd: 0 };
  let spike: Alert | null = null;
  let drop: Alert | null = null;
  let ratioSpike: Alert | null = null;
  // Consecutive steps beyond the opening limit, per alert key.
  let spikeRun = 0;
  let dropRun = 0;
  let ratioRun = 0;

  /** Learn the series' baseline into `summary` and return the scale of its scores. */
  function scaleOf(series: Series, noise: number): number {
    robustSummary(series.values, series.count, scratch, summary);
    return Math.max(summary.scale, summary.sd, noise);
  }

  function closeStep(start: number, requests: number, errors: number, out: Alert[]): AnomalyScore {
    const end = start + o.stepMs;
    const score: AnomalyScore = { start, requests, errors, requestsZ: null, errorRatioZ: null };
    let y = Math.sqrt(requests);
    if (requestSeries.count >= o.warmupSteps) {
      const scale = scaleOf(requestSeries, SQRT_NOISE);
      const z = (y - summary.median) / scale;
      score.requestsZ = z;
      const high = summary.median + o.openZ * scale;
      const low = Math.max(0, summary.median - o.openZ * scale);
      spikeRun = z >= o.openZ ? spikeRun + 1 : 0;
      dropRun = z <= -o.openZ ? dropRun + 1 : 0;
      spike = trackAlert(
        spike,
        'anomaly',
        'requests-spike',
        spike === null ? spikeRun >= o.spikeSteps : z >= o.resolveZ,
        start,
        end,
        requests,
        round(high * high),
        z >= 2 * o.openZ ? 'critical' : 'warning',
        out,
      );
      drop = trackAlert(
        drop,
        'anomaly',
        'requests-drop',
        drop === null ? dropRun >= o.dropSteps : z <= -o.resolveZ,
        start,
        end,
        requests,
        round(low * low),
        z <= -2 * o.openZ ? 'critical' : 'warning',
        out,
      );
      // The baseline learns from a clipped value: an incident moves it by one limit at most.
      y = Math.min(high, Math.max(low, y));
    }
    requestSeries.push(y);
    if (requests > 0) {
      let r = Math.asin(Math.sqrt(errors / requests));
      if (ratioSeries.count >= o.warmupSteps) {
        const scale = scaleOf(ratioSeries, SQRT_NOISE / Math.sqrt(requests));
        const z = (r - summary.median) / scale;
        score.errorRatioZ = z;
        const limit = Math.min(Math.PI / 2, summary.median + o.openZ * scale);
        ratioRun = z >= o.openZ ? ratioRun + 1 : 0;
        ratioSpike = trackAlert(
          ratioSpike,
          'anomaly',
          'error-ratio-spike',
          ratioSpike === null ? ratioRun >= o.spikeSteps : z >= o.resolveZ,
          start,
          end,
          round(errors / requests),
          round(Math.sin(limit) ** 2),
          z >= 2 * o.openZ ? 'critical' : 'warning',
          out,
        );
        r = Math.min(limit, r);
      }
      ratioSeries.push(r);
    }
    return score;
  }

  function finish(out: Alert[]): void {
    if (spike !== null) resolveAtEnd(spike, out);
    if (drop !== null) resolveAtEnd(drop, out);
    if (ratioSpike !== null) resolveAtEnd(ratioSpike, out);
    spike = null;
    drop = null;
    ratioSpike = null;
  }

  return {
    options: o,
    closeStep,
    finish,
    reset(out) {
      finish(out);
      requestSeries.clear();
      ratioSeries.clear();
      spikeRun = 0;
      dropRun = 0;
      ratioRun = 0;
    },
    openAlerts() {
      const open: Alert[] = [];
      for (const a of [spike, drop, ratioSpike]) if (a !== null) open.push({ ...a });
      return open;
    },
  };
}

/** Six significant digits: thresholds are limits, not measurements. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}

/** The trailing values of one transformed series, a ring of `capacity`. */
class Series {
  readonly values: Float64Array;
  count = 0;
  private next = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}
