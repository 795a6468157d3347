/**
 * Tumbling and hopping windows are aligned to the epoch, hold their start and not their end, and
 * emit each window once with its final count when the watermark passes the end.
 */
import { describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import {
  createHoppingWindows,
  createTumblingWindows,
  hoppingWindowsFor,
  tumblingWindowFor,
} from '../../src/realtime/index';
import { collector, windowsOf } from './collect';

const MIN = 60_000;
/** 2024-03-12T10:00:00Z, a whole hour. */
const T0 = Date.UTC(2024, 2, 12, 10);

describe('window assignment', () => {
  it('puts an event in the one tumbling window aligned to the epoch', () => {
    expect(tumblingWindowFor(T0 + 7 * MIN + 59_999, 5 * MIN)).toEqual({
      start: T0 + 5 * MIN,
      end: T0 + 10 * MIN,
    });
    // The end is exclusive: an event at a boundary opens the next window.
    expect(tumblingWindowFor(T0 + 10 * MIN, 5 * MIN)).toEqual({
      start: T0 + 10 * MIN,
      end: T0 + 15 * MIN,
    });
    // Aligned to the epoch, not to the first event: 7 s windows start at multiples of 7000.
    expect(tumblingWindowFor(20_000, 7000)).toEqual({ start: 14_000, end: 21_000 });
  });

  it('puts an event in size/hop hopping windows, oldest first', () => {
    expect(hoppingWindowsFor(T0 + 2 * MIN + 30_000, 5 * MIN, MIN)).toEqual([
      { start: T0 - 2 * MIN, end: T0 + 3 * MIN },
      { start: T0 - MIN, end: T0 + 4 * MIN },
      { start: T0, end: T0 + 5 * MIN },
      { start: T0 + MIN, end: T0 + 6 * MIN },
      { start: T0 + 2 * MIN, end: T0 + 7 * MIN },
    ]);
    // Hops that do not divide the size: windows of 5 s every 2 s.
    expect(hoppingWindowsFor(10_000, 5000, 2000)).toEqual([
      { start: 6000, end: 11_000 },
      { start: 8000, end: 13_000 },
      { start: 10_000, end: 15_000 },
    ]);
  });
});

describe('tumbling windows', () => {
  it('counts per key and window and emits when the watermark passes the end', () => {
    const { results, emit } = collector();
    const op = createTumblingWindows({ sizeMs: MIN, latenessMs: 30_000, emit });
    op.add('a', T0);
    op.add('a', T0 + 59_999);
    op.add('b', T0 + 30_000); // behind the newest event, within the lateness
    op.add('a', T0 + MIN); // watermark T0 + 30 s: nothing closes yet
    expect(results).toEqual([]);
    op.add('a', T0 + 90_000); // watermark reaches the end of [T0, T0 + 1 min)
    expect(results).toEqual([
      { kind: 'window', key: 'a', start: T0, end: T0 + MIN, count: 2 },
      { kind: 'window', key: 'b', start: T0, end: T0 + MIN, count: 1 },
    ]);
    expect(op.watermark()).toBe(T0 + MIN);
    op.flush();
    expect(windowsOf(results, 'a')).toEqual([
      [T0, T0 + MIN, 2],
      [T0 + MIN, T0 + 2 * MIN, 2],
    ]);
    expect(op.liveKeys()).toBe(0);
  });

  it('emits no window for a stretch without events, and skips it cheaply', () => {
    const { results, emit } = collector();
    const op = createTumblingWindows({ sizeMs: 1000, emit });
    op.add('k', 500);
    op.add('k', 10_000_000_500);
    op.flush();
    expect(windowsOf(results)).toEqual([
      [0, 1000, 1],
      [10_000_000_000, 10_000_001_000, 1],
    ]);
  });

  it('counts weighted adds', () => {
    const { results, emit } = collector();
    const op = createTumblingWindows({ sizeMs: 1000, emit });
    op.add('k', 100, 3);
    op.add('k', 900, 4);
    op.flush();
    expect(windowsOf(results)).toEqual([[0, 1000, 7]]);
  });
});

describe('hopping windows', () => {
  it('gives every 5-minute window that advances by a minute its count', () => {
    const { results, emit } = collector();
    const op = createHoppingWindows({ sizeMs: 5 * MIN, hopMs: MIN, emit });
    op.add('ip', T0 + 30_000); // minute 0
    op.add('ip', T0 + 2 * MIN); // minute 2, at the boundary: in windows starting T0-2m … T0+2m
    op.add('ip', T0 + 6 * MIN - 1); // minute 5
    op.flush();
    expect(windowsOf(results)).toEqual([
      [T0 - 4 * MIN, T0 + MIN, 1],
      [T0 - 3 * MIN, T0 + 2 * MIN, 1],
      [T0 - 2 * MIN, T0 + 3 * MIN, 2],
      [T0 - MIN, T0 + 4 * MIN, 2],
      [T0, T0 + 5 * MIN, 2],
      [T0 + MIN, T0 + 6 * MIN, 2],
      [T0 + 2 * MIN, T0 + 7 * MIN, 2],
      [T0 + 3 * MIN, T0 + 8 * MIN, 1],
      [T0 + 4 * MIN, T0 + 9 * MIN, 1],
      [T0 + 5 * MIN, T0 + 10 * MIN, 1],
    ]);
  });

  it('handles a hop that does not divide the size', () => {
    const { results, emit } = collector();
    const op = createHoppingWindows({ sizeMs: 5000, hopMs: 2000, emit });
    op.add('k', 10_000);
    op.add('k', 11_500);
    op.flush();
    expect(windowsOf(results)).toEqual([
      [6000, 11_000, 1],
      [8000, 13_000, 2],
      [10_000, 15_000, 2],
    ]);
  });

  it('refuses a hop larger than the window with one clear error', () => {
    let error: unknown;
    try {
      createHoppingWindows({ sizeMs: 1000, hopMs: 2000, emit: () => {} });
    } catch (err) {
      error = err;
    }
    expect(isLoglabError(error) && error.message).toBe(
      'hop (2000 ms) must not exceed the window size (1000 ms)',
    );
  });
});
