/**
 * Event-time progress. The watermark is the newest event time seen minus the allowed lateness:
 * the operator's promise that nothing older will be counted. An event older than the watermark
 * is late; a window closes (its result becomes final) once the watermark passes its end. So any
 * input whose disorder stays within the lateness gives exactly the results of sorted input.
 */
import { badFlag } from '../errors';

export interface Watermark {
  /** Newest event time seen (epoch ms); −Infinity before the first event. */
  maxEventTime: number;
  readonly latenessMs: number;
}

export function createWatermark(latenessMs = 0): Watermark {
  checkLateness(latenessMs);
  return { maxEventTime: Number.NEGATIVE_INFINITY, latenessMs };
}

/** The watermark's current value. */
export function watermarkOf(w: Watermark): number {
  return w.maxEventTime - w.latenessMs;
}

/** An event at `time` arrives behind the watermark. */
export function isLate(w: Watermark, time: number): boolean {
  return time < w.maxEventTime - w.latenessMs;
}

/** Record an event time; true when the watermark moved forward. */
export function observeTime(w: Watermark, time: number): boolean {
  if (time <= w.maxEventTime) return false;
  w.maxEventTime = time;
  return true;
}

export function checkLateness(latenessMs: number): void {
  if (!(latenessMs >= 0) || !Number.isFinite(latenessMs)) {
    throw badFlag(`lateness must be a duration ≥ 0, got ${latenessMs} ms`);
  }
}

/** Sizes and hops are whole, positive milliseconds. */
export function checkDuration(name: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw badFlag(`${name} must be a whole number of milliseconds above 0, got ${ms}`);
  }
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const r = x % y;
    x = y;
    y = r;
  }
  return x;
}

/** floor(t / size) * size, correct for negative times too. */
export function alignDown(time: number, size: number): number {
  return Math.floor(time / size) * size;
}
