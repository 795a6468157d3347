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
 * surprising).
 *
 * The baseline must not learn an incident: a step judged anomalous (beyond the opening limit,
 * or while that series' alert is open) is left out of it, so a surge or an outage of an hour
 * keeps its alert open to its end and the alert resolves on the first normal step after it.
 * Only a change that outlasts `holdSteps` steps is learned (clipped to the limits, so it moves
 * the baseline by one limit a step) and becomes normal. The request series also knows the
 * season (a day): once a day of history is there, the baseline is of the differences between
 * each step and the same time the day before (smoothed over a quarter hour), so the morning rise
 * and the evening peak are expected, also while an alert holds the baseline still. What the
 * season remembers of an anomalous step is what was expected, not what happened.
 * An alert opens at z ≥ `openZ` (a drop at z ≤ −openZ, for `dropSteps` steps in a row: a quiet
 * minute happens at night, an outage lasts) and resolves when |z| falls below `resolveZ`
 * (hysteresis, so a score that hovers at the limit does not flap). Nothing is scored during the
 * first `warmupSteps` steps. `observed` and `threshold` are in the series' units (requests per
 * step, or a ratio): the threshold is the opening limit mapped back from the transformed scale.
 *
 * One minute is weak evidence when it holds little traffic: at the night trough of a day of
 * 100,000 lines a minute has a dozen requests, and bursty ones (a page and its assets), so a
 * five-fold flash crowd moves each minute's score by only 4–5, and an outage's error ratio by
 * 3–5 (before this, such a surge at 04:35 went unseen). So a spike also opens when the scores of
 * the newest steps together reach openZ: the best run of 2 to `evidenceSteps` steps ending now
 * (Σz/√k, on the scale of one score: evidence-ring.ts), so a change is judged on its own steps
 * and not diluted by the quiet minute before it. Each score counts at most ±openZ in it, and the
 * evidence starts again empty when an alert resolves: the steps of an alert were its evidence,
 * so they cannot open another (they did: a minute after an ip-flood's alert resolved, its last
 * wild step and two busy ones after it opened a false one). Resolving is unchanged: the first
 * step below resolveZ. A step that is not anomalous is learned clipped to ±resolveZ, so
 * the first minutes of an incident, before the evidence is enough, cannot widen the baseline
 * enough to hide the rest of it. Drops keep their `dropSteps` rule: two quiet minutes out of
 * three happen at night. Over clean simulated fortnights (seeds 2 and 3) the evidence of three
 * steps peaked at 4.6 (the limit is 6), and no alert of any kind opened; the best run of two or
 * three steps peaks at 4.7 over those fortnights and clean simulated weeks of seeds 1–5.
 */
import { badFlag } from '../../errors';
import { type Alert, resolveAtEnd, trackAlert } from '../alert';
import { EvidenceRing } from '../evidence-ring';
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
  /**
   * Anomalous steps in a row kept out of the baseline before the level is learned anyway (a
   * change that lasts this long is the new normal). Longer than the longest surge we expect.
   */
  holdSteps: number;
  /** The season (ms) whose same time the baseline compares with: a day; 0 turns it off. */
  seasonMs: number;
  /** Steps either side of the same time a season ago that its reference averages. */
  seasonSmoothSteps: number;
  /**
   * The longest run of newest steps whose scores are summed (Σz/√k, the best of k = 2 to this)
   * into the evidence that opens a spike (requests or error ratio) as a single step's score
   * does; 1 judges each step alone.
   */
  evidenceSteps: number;
}

export const DEFAULT_ANOMALY: Readonly<AnomalyOptions> = Object.freeze({
  stepMs: 60_000,
  baselineSteps: 60,
  warmupSteps: 30,
  openZ: 6,
  resolveZ: 3,
  spikeSteps: 1,
  dropSteps: 2,
  holdSteps: 180,
  seasonMs: 86_400_000,
  seasonSmoothSteps: 7,
  evidenceSteps: 3,
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
  if (!Number.isInteger(o.holdSteps) || o.holdSteps < 0) {
    throw badFlag(`anomaly holdSteps must be a whole number ≥ 0, got ${o.holdSteps}`);
  }
  if (!Number.isSafeInteger(o.seasonMs) || o.seasonMs < 0 || o.seasonMs % o.stepMs !== 0) {
    throw badFlag(`anomaly seasonMs must be 0 or a whole number of steps, got ${o.seasonMs}`);
  }
  if (!Number.isInteger(o.seasonSmoothSteps) || o.seasonSmoothSteps < 0) {
    throw badFlag(
      `anomaly seasonSmoothSteps must be a whole number ≥ 0, got ${o.seasonSmoothSteps}`,
    );
  }
  for (const name of ['spikeSteps', 'dropSteps', 'evidenceSteps'] as const) {
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
  // The season must still hold the day before the oldest step the baseline can hold.
  const season =
    o.seasonMs > 0
      ? new SeasonRing(
          o.seasonMs / o.stepMs,
          o.seasonSmoothSteps,
          o.baselineSteps + o.holdSteps + 1,
        )
      : null;
  const requestEvidence = new EvidenceRing(o.evidenceSteps);
  const ratioEvidence = new EvidenceRing(o.evidenceSteps);
  const scratch = new Float64Array(o.baselineSteps);
  const values = new Float64Array(o.baselineSteps);
  const summary: RobustSummary = { median: 0, scale: 0, sd: 0 };
  let spike: Alert | null = null;
  let drop: Alert | null = null;
  let ratioSpike: Alert | null = null;
  // Consecutive steps beyond the opening limit, per alert key.
  let spikeRun = 0;
  let dropRun = 0;
  let ratioRun = 0;
  // Consecutive anomalous steps kept out of each baseline.
  let requestHeld = 0;
  let ratioHeld = 0;

  /**
   * Learn the baseline of the request series into `summary` (its median is the expected value
   * now) and return the scale of its scores. With a reference for now and for every step of the
   * baseline, the baseline is of the differences from the reference (the same time a season
   * ago), so the curve of the day is not mistaken for a change.
   */
  function requestScale(ref: number): number {
    const n = requestSeries.count;
    let seasonal = season !== null && !Number.isNaN(ref);
    for (let i = 0; i < n && seasonal; i++) {
      const r = (season as SeasonRing).reference(requestSeries.steps[i]);
      values[i] = requestSeries.values[i] - r;
      if (Number.isNaN(r)) seasonal = false;
    }
    if (!seasonal) values.set(requestSeries.values.subarray(0, n));
    robustSummary(values, n, scratch, summary);
    if (seasonal) summary.median += ref;
    return Math.max(summary.scale, summary.sd, SQRT_NOISE);
  }

  function ratioScale(noise: number): number {
    robustSummary(ratioSeries.values, ratioSeries.count, scratch, summary);
    return Math.max(summary.scale, summary.sd, noise);
  }

  function closeStep(start: number, requests: number, errors: number, out: Alert[]): AnomalyScore {
    const end = start + o.stepMs;
    const step = Math.floor(start / o.stepMs);
    const score: AnomalyScore = { start, requests, errors, requestsZ: null, errorRatioZ: null };
    const ref = season === null ? Number.NaN : season.reference(step);
    const y = Math.sqrt(requests);
    // What the step teaches the baseline and the season: itself, or what was expected instead.
    let learned = y;
    let learn = true;
    if (requestSeries.count >= o.warmupSteps) {
      const scale = requestScale(ref);
      const expected = summary.median;
      const z = (y - expected) / scale;
      score.requestsZ = z;
      const e = requestEvidence.push(Math.min(o.openZ, Math.max(-o.openZ, z)));
      const high = expected + o.openZ * scale;
      const low = Math.max(0, expected - o.openZ * scale);
      spikeRun = z >= o.openZ ? spikeRun + 1 : 0;
      dropRun = z <= -o.openZ ? dropRun + 1 : 0;
      const spikeWasOpen = spike !== null;
      spike = trackAlert(
        spike,
        'anomaly',
        'requests-spike',
        spike === null ? spikeRun >= o.spikeSteps || e >= o.openZ : z >= o.resolveZ,
        start,
        end,
        requests,
        round(high * high),
        z >= 2 * o.openZ ? 'critical' : 'warning',
        out,
      );
      // The steps of an alert that resolved were its evidence: they must not open another.
      if (spikeWasOpen && spike === null) requestEvidence.clear();
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
      // A step judged anomalous (beyond the opening limit, or while an alert is open) does not
      // train the baseline, so an incident that lasts cannot become normal: the alert stays open
      // until it ends. Only a change that outlasts `holdSteps` is learned, clipped to the limits.
      // Any other step is learned clipped to ±resolveZ: an incident's first steps, before the
      // evidence opens its alert, then move the baseline no more than noise does.
      const anomalous =
        z >= o.openZ || z <= -o.openZ || e >= o.openZ || spike !== null || drop !== null;
      if (anomalous && requestHeld < o.holdSteps) {
        requestHeld++;
        learn = false;
        learned = expected;
      } else if (anomalous) {
        learned = Math.min(high, Math.max(low, y));
      } else {
        requestHeld = 0;
        const near = o.resolveZ * scale;
        learned = Math.min(expected + near, Math.max(expected - near, y));
      }
    }
    if (learn) requestSeries.push(learned, step);
    if (season !== null) season.set(step, learned);
    if (requests > 0) {
      const r = Math.asin(Math.sqrt(errors / requests));
      let learnedRatio = r;
      let learnRatio = true;
      if (ratioSeries.count >= o.warmupSteps) {
        const scale = ratioScale(SQRT_NOISE / Math.sqrt(requests));
        const z = (r - summary.median) / scale;
        score.errorRatioZ = z;
        const e = ratioEvidence.push(Math.min(o.openZ, Math.max(-o.openZ, z)));
        const limit = Math.min(Math.PI / 2, summary.median + o.openZ * scale);
        ratioRun = z >= o.openZ ? ratioRun + 1 : 0;
        const ratioWasOpen = ratioSpike !== null;
        ratioSpike = trackAlert(
          ratioSpike,
          'anomaly',
          'error-ratio-spike',
          ratioSpike === null ? ratioRun >= o.spikeSteps || e >= o.openZ : z >= o.resolveZ,
          start,
          end,
          round(errors / requests),
          round(Math.sin(limit) ** 2),
          z >= 2 * o.openZ ? 'critical' : 'warning',
          out,
        );
        if (ratioWasOpen && ratioSpike === null) ratioEvidence.clear();
        const anomalous = z >= o.openZ || e >= o.openZ || ratioSpike !== null;
        if (anomalous && ratioHeld < o.holdSteps) {
          ratioHeld++;
          learnRatio = false;
        } else if (anomalous) {
          learnedRatio = Math.min(limit, r);
        } else {
          ratioHeld = 0;
          learnedRatio = Math.min(summary.median + o.resolveZ * scale, r);
        }
      }
      if (learnRatio) ratioSeries.push(learnedRatio, step);
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
      requestEvidence.clear();
      ratioEvidence.clear();
      spikeRun = 0;
      dropRun = 0;
      ratioRun = 0;
      requestHeld = 0;
      ratioHeld = 0;
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

/** The trailing values of one transformed series, a ring of `capacity`, with their steps. */
class Series {
  readonly values: Float64Array;
  readonly steps: Float64Array;
  count = 0;
  private next = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
    this.steps = new Float64Array(capacity);
  }

  push(value: number, step: number): void {
    this.values[this.next] = value;
    this.steps[this.next] = step;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}

/**
 * What the series learned over the last season (a day), per step: the reference of a step is
 * the mean of the values learned one season earlier within `smooth` steps either side (the
 * mean of 2·smooth + 1 minutes is steadier than one minute), or NaN when fewer than half of
 * them are known. The ring holds a season plus the smoothing plus `lookback` steps, so the day
 * before every step the baseline holds is still there.
 */
class SeasonRing {
  private readonly length: number;
  private readonly values: Float64Array;
  private readonly steps: Float64Array;

  constructor(
    private readonly period: number,
    private readonly smooth: number,
    lookback: number,
  ) {
    this.length = period + 2 * smooth + 1 + lookback;
    this.values = new Float64Array(this.length);
    this.steps = new Float64Array(this.length).fill(Number.NaN);
  }

  set(step: number, value: number): void {
    const i = step % this.length;
    this.values[i] = value;
    this.steps[i] = step;
  }

  reference(step: number): number {
    let sum = 0;
    let n = 0;
    for (let k = step - this.period - this.smooth; k <= step - this.period + this.smooth; k++) {
      const i = k % this.length;
      if (this.steps[i] === k) {
        sum += this.values[i];
        n++;
      }
    }
    return n > this.smooth ? sum / n : Number.NaN;
  }
}
