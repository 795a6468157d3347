/**
 * Lab 03, reference solution: a sliding-window counter over event time with a watermark, with the
 * semantics of Kafka Streams `SlidingWindows`.
 *
 * Written to be read: per key a sorted list of event times, windows worked out from the
 * definition when the watermark passes them. The library's operator (src/realtime/sliding-window.ts)
 * follows the same rules with a timer heap, so a close touches only the keys that have a window
 * due; the tests check that the two agree on out-of-order streams.
 */
import type { LateEvent, WindowClosed, WindowSink } from '../../src/realtime/window';

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
 * The sliding windows of one key's events, by definition: a window ending at every event time t,
 * and one starting at t + 1 when some event falls in (t, t + 1 + difference]. One window per
 * end, ordered by end; each counts the events in [end − difference, end].
 */
export function slidingWindows(times: readonly number[], differenceMs: number): SlidingWindow[] {
  const sorted = [...times].sort((a, b) => a - b);
  const ends = new Set<number>();
  for (const t of sorted) {
    ends.add(t);
    if (sorted.some((u) => u > t && u <= t + 1 + differenceMs)) ends.add(t + 1 + differenceMs);
  }
  return [...ends]
    .sort((a, b) => a - b)
    .map((end) => ({
      start: end - differenceMs,
      end,
      count: sorted.filter((t) => t >= end - differenceMs && t <= end).length,
    }));
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

interface KeyState {
  /** Event times still inside a window that has not closed, ascending (repeats kept). */
  times: number[];
  /** End of the newest window emitted for this key. */
  emittedEnd: number;
}

export function createSlidingCounter(options: SlidingCounterOptions): SlidingCounter {
  const { differenceMs: d, latenessMs, emit } = options;
  const keys = new Map<string, KeyState>();
  let maxTime = Number.NEGATIVE_INFINITY;
  let late = 0;

  const watermark = () => maxTime - latenessMs;

  /** Emit every window that ends before the watermark, by end then key; forget what is done. */
  function close(): void {
    const w = watermark();
    const due: WindowClosed[] = [];
    for (const [key, state] of keys) {
      for (const win of slidingWindows(state.times, d)) {
        if (win.end > state.emittedEnd && win.end < w) due.push({ kind: 'window', key, ...win });
      }
    }
    due.sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const win of due) {
      (keys.get(win.key) as KeyState).emittedEnd = win.end;
      emit(win);
    }
    // A time whose last window (the one starting just after it) has closed is no longer needed.
    for (const [key, state] of keys) {
      state.times = state.times.filter((t) => t + 1 + d >= w);
      if (state.times.length === 0) keys.delete(key);
    }
  }

  function advanceTo(time: number): void {
    if (time <= maxTime) return;
    maxTime = time;
    close();
  }

  return {
    add(key, time) {
      if (time < watermark()) {
        late++;
        const event: LateEvent = { kind: 'late', key, time, watermark: watermark() };
        emit(event);
        return;
      }
      advanceTo(time);
      let state = keys.get(key);
      if (state === undefined) {
        state = { times: [], emittedEnd: Number.NEGATIVE_INFINITY };
        keys.set(key, state);
      }
      let i = state.times.length;
      while (i > 0 && state.times[i - 1] > time) i--;
      state.times.splice(i, 0, time);
    },
    advanceTo,
    flush() {
      maxTime = Number.POSITIVE_INFINITY;
      close();
    },
    watermark,
    lateEvents: () => late,
    liveKeys: () => keys.size,
  };
}

export interface SlidingSummary {
  /** Events read from the source. */
  events: number;
  /** Windows and late events written to the sink. */
  windows: number;
  late: number;
}

/** Feed every event of `source` to a counter that writes to `sink`, then flush it. */
export function countSliding(
  source: Iterable<KeyedEvent>,
  sink: WindowSink,
  options: { differenceMs: number; latenessMs: number },
): SlidingSummary {
  const summary: SlidingSummary = { events: 0, windows: 0, late: 0 };
  const counter = createSlidingCounter({
    ...options,
    emit: (result) => {
      if (result.kind === 'window') summary.windows++;
      else summary.late++;
      sink(result);
    },
  });
  for (const event of source) {
    summary.events++;
    counter.add(event.key, event.time);
  }
  counter.flush();
  return summary;
}
