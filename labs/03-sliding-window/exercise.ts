/**
 * Lab 03: a sliding-window counter over event time, with a watermark and late events, with the
 * semantics of Kafka Streams `SlidingWindows`. Read README.md first; it has the rules and hints.
 *
 * Fill in the three functions marked TODO. Run `npm run lab -- 03` to grade this file.
 * Keep the exported names and signatures: the tests import them.
 */
import type { WindowSink } from '../../src/realtime/window';

// What the counter emits (see src/realtime/window.ts):
//   { kind: 'window', key, start, end, count }   a closed window, both ends inclusive
//   { kind: 'late', key, time, watermark }        an event that arrived behind the watermark

/** A window [start, end] (both ends inclusive) and how many events it holds. */
export interface SlidingWindow {
  start: number;
  end: number;
  count: number;
}

/** One event of the source: its key and its event time (epoch ms). */
export interface KeyedEvent {
  key: string;
  time: number;
}

/**
 * TODO 1: the sliding windows of one key's events (in any order), by definition.
 *   - a window ending at every event time t: [t − difference, t]
 *   - a window starting at t + 1, [t + 1, t + 1 + difference], when some event falls inside it
 *   - one window per end, ordered by end; count = events with start ≤ time ≤ end
 * Kafka's example: difference 5000, times 8000, 9200, 12400 give [3000,8000] 1, [4200,9200] 2,
 * [7400,12400] 3, [8001,13001] 2, [9201,14201] 1.
 */
export function slidingWindows(times: readonly number[], differenceMs: number): SlidingWindow[] {
  throw new Error(`not implemented: slidingWindows of ${times.length} times, ${differenceMs} ms`);
}

export interface SlidingCounterOptions {
  differenceMs: number;
  /** How far behind the newest event time an event may arrive and still count (ms). */
  latenessMs: number;
  /** Receives every closed window and every late event. */
  emit: WindowSink;
}

export interface SlidingCounter {
  /** Count one event of `key` at event time `time`. */
  add(key: string, time: number): void;
  /** Event time moved on without an event: close what the new watermark passes. */
  advanceTo(time: number): void;
  /** The input ended: close every window; every later event is late. */
  flush(): void;
  /** Newest event time seen − lateness; −Infinity before the first event. */
  watermark(): number;
  /** Events that arrived behind the watermark so far. */
  lateEvents(): number;
  /** Keys that still hold event times (some window of theirs has not closed). */
  liveKeys(): number;
}

/**
 * TODO 2: the streaming counter.
 *   - watermark = newest event time seen − latenessMs (−Infinity before any event)
 *   - an event with time < watermark is late: emit { kind: 'late', key, time, watermark },
 *     count it, and do not add it anywhere
 *   - a window closes when the watermark passes its end (end < watermark): emit it once, with
 *     its final count; windows closing together go out ordered by end, then by key
 *   - forget an event time once its last window (the one starting just after it) has closed,
 *     and a key once it has no times left
 */
export function createSlidingCounter(options: SlidingCounterOptions): SlidingCounter {
  throw new Error(
    `not implemented: createSlidingCounter (difference ${options.differenceMs} ms, lateness ${options.latenessMs} ms)`,
  );
}

export interface SlidingSummary {
  /** Events read from the source. */
  events: number;
  /** Windows and late events written to the sink. */
  windows: number;
  late: number;
}

/**
 * TODO 3: feed every event of `source`, in order, to a counter that writes to `sink`, flush it
 * at the end, and say how many events, windows and late events there were.
 */
export function countSliding(
  source: Iterable<KeyedEvent>,
  sink: WindowSink,
  options: { differenceMs: number; latenessMs: number },
): SlidingSummary {
  void source;
  void sink;
  throw new Error(`not implemented: countSliding (difference ${options.differenceMs} ms)`);
}
