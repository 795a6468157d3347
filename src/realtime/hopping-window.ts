/**
 * Hopping windows over event time, as Kafka Streams' `TimeWindows.ofSizeAndGrace(size, grace)
 * .advanceBy(hop)` and Flink's `SlidingEventTimeWindows` define them: windows of `size` ms start
 * at every multiple of `hop` since the epoch, start inclusive and end exclusive, so an event
 * belongs to size/hop windows at once. Tumbling windows are the case hop = size.
 *
 * State per key is a BucketRing of gcd(size, hop)-wide buckets covering one window plus the
 * lateness; a key is evicted once every window holding its data has closed. Each window with at
 * least one event is emitted once, with its final count, when the watermark passes its end;
 * windows closing together are emitted by key, so the output does not depend on arrival order.
 */
import { badFlag } from '../errors';
import { BucketRing } from './bucket-ring';
import { detached } from './keyed-rings';
import {
  alignDown,
  checkDuration,
  checkLateness,
  createWatermark,
  gcd,
  isLate,
  observeTime,
  type Watermark,
  watermarkOf,
} from './watermark';
import {
  byEndThenKey,
  type WindowClosed,
  type WindowOperator,
  type WindowOptions,
  type WindowSink,
} from './window';

export interface HoppingWindowOptions extends WindowOptions {
  sizeMs: number;
  hopMs: number;
}

/** A window as [start, end): start inclusive, end exclusive. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** The windows that hold an event at `time`, oldest first. */
export function hoppingWindowsFor(time: number, sizeMs: number, hopMs: number): TimeWindow[] {
  const out: TimeWindow[] = [];
  // The newest window holding `time` starts at the hop boundary at or before it.
  for (let start = alignDown(time, hopMs); start > time - sizeMs; start -= hopMs) {
    out.unshift({ start, end: start + sizeMs });
  }
  return out;
}

export function createHoppingWindows(options: HoppingWindowOptions): WindowOperator {
  const { sizeMs, hopMs, emit } = options;
  const latenessMs = options.latenessMs ?? 0;
  checkDuration('window size', sizeMs);
  checkDuration('hop', hopMs);
  checkLateness(latenessMs);
  if (hopMs > sizeMs) {
    throw badFlag(`hop (${hopMs} ms) must not exceed the window size (${sizeMs} ms)`);
  }
  return new HoppingWindows(sizeMs, hopMs, latenessMs, emit);
}

class HoppingWindows implements WindowOperator {
  private readonly width: number;
  private readonly slots: number;
  private readonly keys = new Map<string, BucketRing>();
  private readonly clock: Watermark;
  private late = 0;
  /** End of the next windows to close; NaN until the first event. */
  private nextEnd = Number.NaN;

  constructor(
    private readonly sizeMs: number,
    private readonly hopMs: number,
    latenessMs: number,
    private readonly emit: WindowSink,
  ) {
    this.clock = createWatermark(latenessMs);
    this.width = gcd(sizeMs, hopMs);
    // One window plus the lateness, plus the partial buckets at both ends.
    this.slots = Math.floor((sizeMs + latenessMs) / this.width) + 2;
  }

  add(key: string, time: number, count = 1): void {
    if (isLate(this.clock, time)) {
      this.late++;
      this.emit({ kind: 'late', key, time, watermark: watermarkOf(this.clock) });
      return;
    }
    if (observeTime(this.clock, time)) this.watermarkMoved();
    let ring = this.keys.get(key);
    if (ring === undefined) {
      ring = new BucketRing(this.slots, 1);
      this.keys.set(detached(key), ring);
    }
    ring.add(Math.floor(time / this.width), 0, count);
  }

  advanceTo(time: number): void {
    if (observeTime(this.clock, time)) this.watermarkMoved();
  }

  flush(): void {
    // Close up to the last window that holds data, then refuse everything later.
    if (!Number.isNaN(this.nextEnd)) this.closeUpTo(this.clock.maxEventTime + this.sizeMs);
    this.clock.maxEventTime = Number.POSITIVE_INFINITY;
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

  private watermarkMoved(): void {
    const watermark = watermarkOf(this.clock);
    if (Number.isNaN(this.nextEnd)) {
      // Ends are k·hop + size; the first one that can still close is the first above the watermark.
      this.nextEnd = this.firstEndAfter(watermark);
    } else if (watermark >= this.nextEnd) {
      this.closeUpTo(watermark);
    }
  }

  /** The smallest window end k·hop + size that is > time. */
  private firstEndAfter(time: number): number {
    return alignDown(time - this.sizeMs, this.hopMs) + this.hopMs + this.sizeMs;
  }

  /** Close every window whose end is ≤ watermark. */
  private closeUpTo(watermark: number): void {
    const batch: WindowClosed[] = [];
    while (this.nextEnd <= watermark) {
      if (this.keys.size === 0) {
        // Nothing is open: skip the empty stretch in one step.
        this.nextEnd = this.firstEndAfter(watermark);
        break;
      }
      const end = this.nextEnd;
      const start = end - this.sizeMs;
      const from = Math.floor(start / this.width);
      const to = Math.floor(end / this.width);
      // A key whose newest bucket is older than the next window's start has nothing left open.
      const nextFrom = Math.floor((start + this.hopMs) / this.width);
      for (const [key, ring] of this.keys) {
        const count = ring.sum(0, from, to);
        if (count > 0) batch.push({ kind: 'window', key, start, end, count });
        if (ring.last < nextFrom) this.keys.delete(key);
      }
      this.nextEnd += this.hopMs;
    }
    batch.sort(byEndThenKey);
    for (const result of batch) this.emit(result);
  }
}
