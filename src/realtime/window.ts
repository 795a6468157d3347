/**
 * What the window operators emit: a window's final count when the watermark closes it, or an
 * event that arrived behind the watermark. Nothing is dropped without one of the two.
 */

/** A window's final count, emitted once, when the watermark passes its end. */
export interface WindowClosed {
  readonly kind: 'window';
  readonly key: string;
  /** Epoch ms, inclusive. */
  readonly start: number;
  /**
   * Epoch ms. Exclusive for tumbling and hopping windows; inclusive for sliding windows, which
   * is how Kafka Streams reports them ([3000, 8000] holds both 3000 and 8000).
   */
  readonly end: number;
  readonly count: number;
}

/** An event older than the watermark: counted and reported, not added to any window. */
export interface LateEvent {
  readonly kind: 'late';
  readonly key: string;
  readonly time: number;
  /** The watermark the event fell behind. */
  readonly watermark: number;
}

export type WindowResult = WindowClosed | LateEvent;

export type WindowSink = (result: WindowResult) => void;

export function isWindowClosed(result: WindowResult): result is WindowClosed {
  return result.kind === 'window';
}

export function isLateEvent(result: WindowResult): result is LateEvent {
  return result.kind === 'late';
}

/** An event-time window operator over keyed counts. */
export interface WindowOperator {
  /** Count `count` (default 1) events of `key` at event time `time` (epoch ms). */
  add(key: string, time: number, count?: number): void;
  /**
   * Move event time forward without an event (an idle source, or a heartbeat): windows the new
   * watermark passes close. Earlier times are ignored.
   */
  advanceTo(time: number): void;
  /** The input has ended: close every window. Later events are late. */
  flush(): void;
  /** Max event time seen − allowed lateness; −Infinity before the first event. */
  watermark(): number;
  /** Events that arrived behind the watermark so far. */
  lateEvents(): number;
  /** Keys that still hold state (some window of theirs is open). */
  liveKeys(): number;
}

/** Options every operator shares. */
export interface WindowOptions {
  /** How far behind the newest event time an event may arrive and still count (ms, ≥ 0). */
  latenessMs?: number;
  emit: WindowSink;
}

/** Orders one batch of closed windows so the output does not depend on arrival order. */
export function byEndThenKey(a: WindowClosed, b: WindowClosed): number {
  return a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
