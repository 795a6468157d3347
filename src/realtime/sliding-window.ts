/**
 * Sliding windows over event time with the semantics of Kafka Streams `SlidingWindows`
 * (`ofTimeDifferenceAndGrace(difference, grace)`): a window spans a fixed time difference,
 * [start, start + difference] with both ends inclusive, and exists only where its contents
 * change: a record at t creates the window that ends at t (the record enters) and the window that
 * starts at t + 1 (the record drops out), the latter only if some record falls inside it.
 * Kafka's published example, difference 5000 ms and records at 8000, 9200 and 12400, gives the
 * windows [3000,8000], [4200,9200], [7400,12400], [8001,13001] and [9201,14201].
 *
 * Each window is emitted once, with its final count, when the watermark passes its end (Kafka
 * would emit every update unless suppressed; the final result is the same). State per key is the
 * distinct event times still inside an open window, with a count each, so it is bounded by the
 * difference plus the lateness, not by the number of events. Closing is driven by a min-heap of
 * (window end, key) timers, two per distinct time, so an advance touches only keys with a window
 * due.
 */
import { MinHeap } from '../min-heap';
import { detached } from './keyed-rings';
import {
  checkDuration,
  checkLateness,
  createWatermark,
  isLate,
  observeTime,
  type Watermark,
  watermarkOf,
} from './watermark';
import type { WindowOperator, WindowOptions, WindowSink } from './window';

export interface SlidingWindowOptions extends WindowOptions {
  /** The maximum time difference between two records of one window, in ms. */
  differenceMs: number;
}

export function createSlidingWindows(options: SlidingWindowOptions): WindowOperator {
  const latenessMs = options.latenessMs ?? 0;
  checkDuration('time difference', options.differenceMs);
  checkLateness(latenessMs);
  return new SlidingWindows(options.differenceMs, latenessMs, options.emit);
}

interface KeyTimes {
  /** The key as stored (its own copy). */
  key: string;
  /** Distinct event times, ascending, and how many events each. */
  times: number[];
  counts: number[];
  /** End of the newest window emitted (a left and a right window can be the same window). */
  emittedEnd: number;
}

class SlidingWindows implements WindowOperator {
  private readonly keys = new Map<string, KeyTimes>();
  /** (window end, key) timers, ordered by end then key. */
  private readonly timers = new MinHeap<string>((a, b) => a < b);
  private readonly clock: Watermark;
  private late = 0;

  constructor(
    private readonly difference: number,
    latenessMs: number,
    private readonly emit: WindowSink,
  ) {
    this.clock = createWatermark(latenessMs);
  }

  add(key: string, time: number, count = 1): void {
    if (isLate(this.clock, time)) {
      this.late++;
      this.emit({ kind: 'late', key, time, watermark: watermarkOf(this.clock) });
      return;
    }
    this.advanceTo(time);
    let state = this.keys.get(key);
    if (state === undefined) {
      const own = detached(key);
      state = { key: own, times: [], counts: [], emittedEnd: Number.NEGATIVE_INFINITY };
      this.keys.set(own, state);
    }
    const { times, counts } = state;
    let i = times.length;
    while (i > 0 && times[i - 1] > time) i--;
    if (i > 0 && times[i - 1] === time) {
      counts[i - 1] += count;
      return;
    }
    times.splice(i, 0, time);
    counts.splice(i, 0, count);
    // The window the record enters (ending at it) and the one it drops out of (starting after it).
    this.timers.push(time, state.key);
    this.timers.push(time + 1 + this.difference, state.key);
  }

  advanceTo(time: number): void {
    if (observeTime(this.clock, time)) this.closeBefore(watermarkOf(this.clock));
  }

  flush(): void {
    this.clock.maxEventTime = Number.POSITIVE_INFINITY;
    this.closeBefore(Number.POSITIVE_INFINITY);
  }

  watermark(): number {
    return watermarkOf(this.clock);
  }

  lateEvents(): number {
    return this.late;
  }

  liveKeys(): number {
    return this.keys.size;
  }

  /** Emit every window whose (inclusive) end is before the watermark. */
  private closeBefore(watermark: number): void {
    const d = this.difference;
    const timers = this.timers;
    while (timers.size > 0 && timers.minKey() < watermark) {
      const end = timers.minKey();
      const key = timers.pop() as string;
      const state = this.keys.get(key);
      if (state === undefined || end <= state.emittedEnd) continue;
      state.emittedEnd = end;
      const { times, counts } = state;
      let total = 0;
      for (let i = 0; i < times.length && times[i] <= end; i++) {
        if (times[i] >= end - d) total += counts[i];
      }
      if (total > 0) this.emit({ kind: 'window', key, start: end - d, end, count: total });
      // Timers pop in end order, so every window ending by `end` is out: a time whose last
      // window (the right one, ending at t + 1 + d) ends by then is no longer needed.
      let drop = 0;
      while (drop < times.length && times[drop] + 1 + d <= end) drop++;
      if (drop > 0) {
        times.splice(0, drop);
        counts.splice(0, drop);
      }
      if (times.length === 0) this.keys.delete(key);
    }
  }
}
