/**
 * Kafka Streams' published SlidingWindows example: time difference 5000 ms, records at 8000,
 * 9200 and 12400 give the windows [3000,8000], [4200,9200], [7400,12400], [8001,13001] and
 * [9201,14201] (both ends inclusive). Counts follow from which records each window holds.
 */
import { describe, expect, it } from 'vitest';
import { createSlidingWindows, isLateEvent, isWindowClosed } from '../../src/realtime/index';
import { collector, shuffleWithin, windowsOf } from './collect';

const KAFKA_WINDOWS: [number, number, number][] = [
  [3000, 8000, 1],
  [4200, 9200, 2],
  [7400, 12400, 3],
  [8001, 13001, 2],
  [9201, 14201, 1],
];

describe('sliding windows (Kafka Streams SlidingWindows)', () => {
  it('gives exactly the windows of the published example', () => {
    const { results, emit } = collector();
    const op = createSlidingWindows({ differenceMs: 5000, emit });
    for (const t of [8000, 9200, 12400]) op.add('k', t);
    op.flush();
    expect(windowsOf(results)).toEqual(KAFKA_WINDOWS);
    expect(results.every(isWindowClosed)).toBe(true);
    expect(op.liveKeys()).toBe(0);
  });

  it('closes each window only when the watermark passes its inclusive end', () => {
    const { results, emit } = collector();
    const op = createSlidingWindows({ differenceMs: 5000, emit });
    op.add('k', 8000);
    op.add('k', 9200);
    // Watermark 9200: [3000,8000] has closed, [4200,9200] still takes records at 9200.
    expect(windowsOf(results)).toEqual([[3000, 8000, 1]]);
    op.add('k', 9200);
    op.add('k', 12400);
    expect(windowsOf(results)).toEqual([
      [3000, 8000, 1],
      [4200, 9200, 3],
    ]);
    op.advanceTo(13002);
    expect(windowsOf(results).slice(2)).toEqual([
      [7400, 12400, 4],
      [8001, 13001, 3],
    ]);
  });

  it('gives the same windows when the records arrive out of order within the lateness', () => {
    const { results, emit } = collector();
    const op = createSlidingWindows({ differenceMs: 5000, latenessMs: 5000, emit });
    for (const t of [12400, 8000, 9200]) op.add('k', t);
    op.flush();
    expect(windowsOf(results)).toEqual(KAFKA_WINDOWS);
    expect(op.lateEvents()).toBe(0);
  });

  it('makes one window where a record enters as another drops out', () => {
    // 1000 drops out of the window starting at 1001, which is where 6001 enters: one window.
    const { results, emit } = collector();
    const op = createSlidingWindows({ differenceMs: 5000, emit });
    op.add('k', 1000);
    op.add('k', 6001);
    op.flush();
    expect(windowsOf(results)).toEqual([
      [-4000, 1000, 1],
      [1001, 6001, 1],
    ]);
  });

  it('keeps keys apart and emits windows closing together in key order', () => {
    const { results, emit } = collector();
    const op = createSlidingWindows({ differenceMs: 100, emit });
    op.add('b', 500);
    op.add('a', 500);
    op.add('a', 550);
    op.flush();
    expect(
      results.map((r) => (r.kind === 'window' ? [r.key, r.start, r.end, r.count] : r)),
    ).toEqual([
      ['a', 400, 500, 1],
      ['b', 400, 500, 1],
      ['a', 450, 550, 2],
      ['a', 501, 601, 1],
    ]);
  });

  it('reports a record behind the watermark as late and leaves the windows alone', () => {
    const { results, emit } = collector();
    const op = createSlidingWindows({ differenceMs: 5000, latenessMs: 1000, emit });
    op.add('k', 8000);
    op.add('k', 9200);
    op.add('k', 8100); // watermark 8200: late
    op.flush();
    const late = results.filter(isLateEvent);
    expect(late).toEqual([{ kind: 'late', key: 'k', time: 8100, watermark: 8200 }]);
    expect(op.lateEvents()).toBe(1);
    expect(windowsOf(results)).toEqual([
      [3000, 8000, 1],
      [4200, 9200, 2],
      [8001, 13001, 1],
    ]);
  });

  it('matches a brute-force definition of Kafka sliding windows on shuffled random input', () => {
    const times: number[] = [];
    for (let i = 0; i < 300; i++) times.push(1_000_000 + ((i * 7919) % 60_000));
    const d = 2500;
    const { results, emit } = collector();
    const op = createSlidingWindows({ differenceMs: d, latenessMs: 3000, emit });
    for (const t of shuffleWithin(times, (t) => t, 3000, 11)) op.add('k', t);
    op.flush();
    // By definition: a window ending at each record, and one starting after each record when
    // it holds a record; both ends inclusive; one window per end.
    const ends = new Set<number>();
    for (const t of times) {
      ends.add(t);
      if (times.some((u) => u > t && u <= t + 1 + d)) ends.add(t + 1 + d);
    }
    const want = [...ends]
      .sort((a, b) => a - b)
      .map((end): [number, number, number] => [
        end - d,
        end,
        times.filter((t) => t >= end - d && t <= end).length,
      ]);
    expect(op.lateEvents()).toBe(0);
    expect(windowsOf(results)).toEqual(want);
  });
});
