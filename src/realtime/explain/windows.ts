/**
 * Small worked examples of event-time windows for notebooks and slides: the windows each kind of
 * operator makes over a handful of events, and how a watermark judges an out-of-order stream.
 * Every figure comes from the real operators (tumbling, hopping, sliding, watermark), so a chart
 * drawn from these rows shows what the engine does, not a second implementation of it.
 */
import { createHoppingWindows } from '../hopping-window';
import { createSlidingWindows } from '../sliding-window';
import { createTumblingWindows } from '../tumbling-window';
import { createWatermark, isLate, observeTime, watermarkOf } from '../watermark';
import { isWindowClosed, type WindowOperator, type WindowResult, type WindowSink } from '../window';

export type WindowKind = 'tumbling' | 'hopping' | 'sliding';

/** One window a kind of operator made, with the events it holds. */
export interface ExplainedWindow {
  kind: WindowKind;
  start: number;
  end: number;
  /** Sliding windows hold their end ([start, end]); tumbling and hopping do not ([start, end)). */
  endInclusive: boolean;
  count: number;
}

export interface WindowKindsOptions {
  /** Tumbling and hopping window size (ms). */
  sizeMs: number;
  /** Hopping windows start every `hopMs` (ms). */
  hopMs: number;
  /** Sliding windows: the maximum time difference between two events of a window (ms). */
  differenceMs: number;
}

/**
 * The windows that tumbling, hopping and sliding operators emit for events of one key at
 * `times` (epoch ms or any ms axis ≥ 0), in that order of kinds, each kind in emission order.
 * Windows without events are not emitted by any operator, so they are not listed.
 */
export function windowsByKind(
  times: readonly number[],
  options: WindowKindsOptions,
): ExplainedWindow[] {
  const out: ExplainedWindow[] = [];
  const kinds: [WindowKind, (emit: WindowSink) => WindowOperator][] = [
    ['tumbling', (emit) => createTumblingWindows({ sizeMs: options.sizeMs, emit })],
    [
      'hopping',
      (emit) => createHoppingWindows({ sizeMs: options.sizeMs, hopMs: options.hopMs, emit }),
    ],
    ['sliding', (emit) => createSlidingWindows({ differenceMs: options.differenceMs, emit })],
  ];
  // Sorted input with no lateness: the windows are the definition, not a lateness effect.
  const sorted = [...times].sort((a, b) => a - b);
  for (const [kind, make] of kinds) {
    const op = make((r) => {
      if (isWindowClosed(r)) {
        out.push({
          kind,
          start: r.start,
          end: r.end,
          endInclusive: kind === 'sliding',
          count: r.count,
        });
      }
    });
    for (const t of sorted) op.add('k', t);
    op.flush();
  }
  return out;
}

/** One event of a stream as the watermark judged it on arrival. */
export interface WatermarkStep {
  /** Position in arrival order, from 1. */
  arrival: number;
  time: number;
  /** The watermark the event was compared with: before it arrived. −Infinity at first. */
  watermarkBefore: number;
  /** Newest event time and watermark after it arrived. */
  maxEventTime: number;
  watermark: number;
  /** Behind the watermark: counted as late, not added to any window. */
  late: boolean;
}

/** Walk `times` in arrival order through a watermark with the given allowed lateness. */
export function watermarkTrace(times: readonly number[], latenessMs: number): WatermarkStep[] {
  const w = createWatermark(latenessMs);
  return times.map((time, i) => {
    const before = watermarkOf(w);
    const late = isLate(w, time);
    if (!late) observeTime(w, time);
    return {
      arrival: i + 1,
      time,
      watermarkBefore: before,
      maxEventTime: w.maxEventTime,
      watermark: watermarkOf(w),
      late,
    };
  });
}

/** What one allowed lateness does to a stream, against the same events sorted. */
export interface LatenessEffect {
  latenessMs: number;
  /** Events behind the watermark (reported, not windowed). */
  late: number;
  /** The closed windows, [start, end) and count, in emission order, as "start–end:count". */
  windows: string[];
  /** The windows equal those of the sorted events. */
  sameAsSorted: boolean;
}

/**
 * Tumbling windows of `sizeMs` over `times` in arrival order, once per allowed lateness, compared
 * with the windows of the same events in time order.
 */
export function latenessEffects(
  times: readonly number[],
  sizeMs: number,
  latenessesMs: readonly number[],
): LatenessEffect[] {
  const sorted = [...times].sort((a, b) => a - b);
  const want = tumblingRun(sorted, sizeMs, 0).windows;
  return latenessesMs.map((latenessMs) => {
    const { windows, late } = tumblingRun(times, sizeMs, latenessMs);
    return {
      latenessMs,
      late,
      windows,
      sameAsSorted: windows.length === want.length && windows.every((w, i) => w === want[i]),
    };
  });
}

function tumblingRun(
  times: readonly number[],
  sizeMs: number,
  latenessMs: number,
): { windows: string[]; late: number } {
  const results: WindowResult[] = [];
  const op = createTumblingWindows({ sizeMs, latenessMs, emit: (r) => results.push(r) });
  for (const t of times) op.add('k', t);
  op.flush();
  const windows = results.filter(isWindowClosed).map((r) => `${r.start}–${r.end}:${r.count}`);
  return { windows, late: op.lateEvents() };
}
