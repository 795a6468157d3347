/**
 * Tumbling windows over event time: fixed windows of `size` ms aligned to the epoch, start
 * inclusive and end exclusive, each event in exactly one. They are hopping windows whose hop is
 * their size (Kafka Streams `TimeWindows.ofSizeAndGrace(size, grace)`, Flink
 * `TumblingEventTimeWindows`), so they share its operator, state and closing rules.
 */
import { createHoppingWindows, type TimeWindow } from './hopping-window';
import { alignDown } from './watermark';
import type { WindowOperator, WindowOptions } from './window';

export interface TumblingWindowOptions extends WindowOptions {
  sizeMs: number;
}

/** The one window that holds an event at `time`. */
export function tumblingWindowFor(time: number, sizeMs: number): TimeWindow {
  const start = alignDown(time, sizeMs);
  return { start, end: start + sizeMs };
}

export function createTumblingWindows(options: TumblingWindowOptions): WindowOperator {
  return createHoppingWindows({ ...options, hopMs: options.sizeMs });
}
