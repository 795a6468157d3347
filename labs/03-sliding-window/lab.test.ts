/**
 * Grades labs/03-sliding-window: the tests run against exercise.ts (`npm run lab -- 03`) or
 * solution.ts (`npm test`); every title names the file it graded.
 */
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/generate/random';
import { createSlidingWindows } from '../../src/realtime/sliding-window';
import type { WindowResult } from '../../src/realtime/window';
import { loadLab } from '../target';

const { impl, file } = await loadLab<typeof import('./solution')>(import.meta.url);
const { slidingWindows, createSlidingCounter, countSliding } = impl;
const LAB = `labs/03-sliding-window/${file}`;

/** Kafka Streams' published example: difference 5000 ms, records at 8000, 9200 and 12400. */
const KAFKA_TIMES = [8000, 9200, 12400];
const KAFKA_WINDOWS = [
  { start: 3000, end: 8000, count: 1 },
  { start: 4200, end: 9200, count: 2 },
  { start: 7400, end: 12400, count: 3 },
  { start: 8001, end: 13001, count: 2 },
  { start: 9201, end: 14201, count: 1 },
];

function collect(): { results: WindowResult[]; emit: (r: WindowResult) => void } {
  const results: WindowResult[] = [];
  return { results, emit: (r) => results.push(r) };
}

/** [key, start, end, count] of each closed window, in emission order. */
function closed(results: WindowResult[]): [string, number, number, number][] {
  return results.flatMap((r) =>
    r.kind === 'window'
      ? [[r.key, r.start, r.end, r.count] as [string, number, number, number]]
      : [],
  );
}

/** A seeded stream of keyed events in which nothing arrives more than `disorderMs` late. */
function disorderedStream(
  seed: number,
  events: number,
  keys: number,
  disorderMs: number,
): { key: string; time: number }[] {
  const random = createRandom(seed);
  const sorted: { key: string; time: number }[] = [];
  let t = 1_710_237_600_000;
  for (let i = 0; i < events; i++) {
    t += Math.floor(random.next() * 400);
    sorted.push({ key: `10.0.0.${Math.floor(random.next() * keys)}`, time: t });
  }
  return sorted
    .map((e, i) => ({ e, i, at: e.time + random.next() * disorderMs }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.e);
}

describe(`${LAB}: slidingWindows (the definition)`, () => {
  it("gives exactly the windows of Kafka's published example", () => {
    expect(slidingWindows(KAFKA_TIMES, 5000)).toEqual(KAFKA_WINDOWS);
  });

  it('does not depend on the order of the times', () => {
    expect(slidingWindows([12400, 8000, 9200], 5000)).toEqual(KAFKA_WINDOWS);
  });

  it('makes one window where a record enters as another drops out', () => {
    // 1000 drops out of the window starting at 1001, which is where 6001 enters.
    expect(slidingWindows([1000, 6001], 5000)).toEqual([
      { start: -4000, end: 1000, count: 1 },
      { start: 1001, end: 6001, count: 1 },
    ]);
  });

  it('counts repeated times once per event and makes no window that would be empty', () => {
    expect(slidingWindows([100, 100, 150], 100)).toEqual([
      { start: 0, end: 100, count: 2 },
      { start: 50, end: 150, count: 3 },
      { start: 101, end: 201, count: 1 },
    ]);
    expect(slidingWindows([100, 300], 100)).toEqual([
      { start: 0, end: 100, count: 1 },
      { start: 200, end: 300, count: 1 },
    ]);
    expect(slidingWindows([], 100)).toEqual([]);
  });
});

describe(`${LAB}: createSlidingCounter`, () => {
  it("emits Kafka's example windows, closed, with their final counts", () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 0, emit });
    for (const t of KAFKA_TIMES) counter.add('k', t);
    counter.flush();
    expect(results).toEqual(KAFKA_WINDOWS.map((w) => ({ kind: 'window', key: 'k', ...w })));
    expect(counter.lateEvents()).toBe(0);
  });

  it('closes a window only when the watermark passes its (inclusive) end', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 0, emit });
    counter.add('k', 8000);
    expect(closed(results)).toEqual([]);
    counter.add('k', 9200);
    // Watermark 9200: [3000,8000] is final; [4200,9200] still takes events at 9200.
    expect(closed(results)).toEqual([['k', 3000, 8000, 1]]);
    counter.add('k', 9200);
    counter.add('k', 12400);
    expect(closed(results)).toEqual([
      ['k', 3000, 8000, 1],
      ['k', 4200, 9200, 3],
    ]);
    counter.advanceTo(13002);
    expect(closed(results).slice(2)).toEqual([
      ['k', 7400, 12400, 4],
      ['k', 8001, 13001, 3],
    ]);
    counter.flush();
    expect(closed(results).slice(4)).toEqual([['k', 9201, 14201, 1]]);
  });

  it('keeps the watermark at the newest event time minus the lateness', () => {
    const { emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 1000, emit });
    expect(counter.watermark()).toBe(Number.NEGATIVE_INFINITY);
    counter.add('k', 8000);
    expect(counter.watermark()).toBe(7000);
    counter.add('k', 7500); // out of order, not late: the watermark stays
    expect(counter.watermark()).toBe(7000);
    counter.advanceTo(9000);
    expect(counter.watermark()).toBe(8000);
    counter.advanceTo(5000); // time never goes back
    expect(counter.watermark()).toBe(8000);
  });

  it('reports an event behind the watermark as late, counts it, and leaves the windows alone', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 1000, emit });
    counter.add('k', 8000);
    counter.add('k', 9200);
    counter.add('k', 8100); // watermark 8200: late
    counter.flush();
    expect(results.filter((r) => r.kind === 'late')).toEqual([
      { kind: 'late', key: 'k', time: 8100, watermark: 8200 },
    ]);
    expect(counter.lateEvents()).toBe(1);
    expect(closed(results)).toEqual([
      ['k', 3000, 8000, 1],
      ['k', 4200, 9200, 2],
      ['k', 8001, 13001, 1],
    ]);
  });

  it('still counts an event exactly at the watermark', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 1000, emit });
    for (const t of [8000, 9200, 8200]) counter.add('k', t);
    counter.flush();
    expect(counter.lateEvents()).toBe(0);
    expect(closed(results)).toEqual([
      ['k', 3000, 8000, 1],
      ['k', 3200, 8200, 2],
      ['k', 4200, 9200, 3],
      ['k', 8001, 13001, 2],
      ['k', 8201, 13201, 1],
    ]);
  });

  it('keeps a window that ends exactly at the watermark open: `end < watermark`, not `≤`', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 1000, emit });
    counter.add('k', 8000);
    counter.add('k', 9000);
    // Watermark 8000: [3000,8000] ends at it, and an event at 8000 is not late, so it may come.
    expect(closed(results)).toEqual([]);
    counter.add('k', 8000);
    counter.flush();
    expect(counter.lateEvents()).toBe(0);
    expect(closed(results)).toEqual([
      ['k', 3000, 8000, 2],
      ['k', 4000, 9000, 3],
      ['k', 8001, 13001, 1],
    ]);
  });

  it('gives the sorted windows when the records arrive out of order within the lateness', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 5000, emit });
    for (const t of [12400, 8000, 9200]) counter.add('k', t);
    counter.flush();
    expect(results).toEqual(KAFKA_WINDOWS.map((w) => ({ kind: 'window', key: 'k', ...w })));
  });

  it('keeps keys apart and emits windows that close together by end, then key', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 100, latenessMs: 0, emit });
    counter.add('b', 500);
    counter.add('a', 500);
    counter.add('a', 550);
    counter.flush();
    expect(closed(results)).toEqual([
      ['a', 400, 500, 1],
      ['b', 400, 500, 1],
      ['a', 450, 550, 2],
      ['a', 501, 601, 1],
    ]);
  });

  it('forgets a key once all of its windows have closed', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 0, emit });
    counter.add('a', 1000);
    counter.add('b', 4000);
    expect(counter.liveKeys()).toBe(2);
    // An event up to 6001 would still make the window [1001, 6001] that 1000 drops out of: keep it.
    counter.advanceTo(6001);
    expect(counter.liveKeys()).toBe(2);
    counter.advanceTo(6002);
    expect(counter.liveKeys()).toBe(1);
    expect(closed(results)).toEqual([
      ['a', -4000, 1000, 1],
      ['b', -1000, 4000, 1],
    ]);
    counter.flush();
    expect(counter.liveKeys()).toBe(0);
  });

  it('treats every event after flush as late', () => {
    const { results, emit } = collect();
    const counter = createSlidingCounter({ differenceMs: 5000, latenessMs: 0, emit });
    counter.add('k', 8000);
    counter.flush();
    counter.add('k', 9000);
    expect(counter.lateEvents()).toBe(1);
    expect(results.at(-1)).toEqual({
      kind: 'late',
      key: 'k',
      time: 9000,
      watermark: Number.POSITIVE_INFINITY,
    });
  });

  it.each([1, 2, 3])(
    'agrees with the library operator on a disordered stream with late events (seed %i)',
    (seed) => {
      // Disorder up to 3 s, lateness 2 s: some events arrive late, most do not.
      const stream = disorderedStream(seed, 3000, 5, 3000);
      const mine = collect();
      const counter = createSlidingCounter({
        differenceMs: 2500,
        latenessMs: 2000,
        emit: mine.emit,
      });
      const library = collect();
      const op = createSlidingWindows({ differenceMs: 2500, latenessMs: 2000, emit: library.emit });
      for (const e of stream) {
        counter.add(e.key, e.time);
        op.add(e.key, e.time);
      }
      counter.flush();
      op.flush();
      expect(counter.lateEvents()).toBe(op.lateEvents());
      expect(counter.lateEvents()).toBeGreaterThan(0);
      expect(mine.results).toEqual(library.results);
    },
  );

  it('gives the same results for any arrival order within the lateness', () => {
    const sorted = disorderedStream(7, 2000, 4, 0);
    const shuffled = disorderedStream(7, 2000, 4, 0)
      .map((e, i) => ({ e, at: e.time + ((i * 7919) % 1000) }))
      .sort((a, b) => a.at - b.at)
      .map((x) => x.e);
    expect(shuffled).not.toEqual(sorted);
    const run = (events: { key: string; time: number }[]) => {
      const { results, emit } = collect();
      const counter = createSlidingCounter({ differenceMs: 3000, latenessMs: 1000, emit });
      for (const e of events) counter.add(e.key, e.time);
      counter.flush();
      return results;
    };
    const want = run(sorted);
    expect(want.filter((r) => r.kind === 'late')).toEqual([]);
    expect(run(shuffled)).toEqual(want);
  });
});

describe(`${LAB}: countSliding`, () => {
  it('reads the source, writes every window to the sink, and sums up', () => {
    const { results, emit } = collect();
    function* source() {
      for (const time of KAFKA_TIMES) yield { key: 'k', time };
    }
    expect(countSliding(source(), emit, { differenceMs: 5000, latenessMs: 0 })).toEqual({
      events: 3,
      windows: 5,
      late: 0,
    });
    expect(results).toEqual(KAFKA_WINDOWS.map((w) => ({ kind: 'window', key: 'k', ...w })));
  });

  it('counts late events in the summary and passes them to the sink', () => {
    const { results, emit } = collect();
    const source = [8000, 9200, 8100, 12400].map((time) => ({ key: 'k', time }));
    expect(countSliding(source, emit, { differenceMs: 5000, latenessMs: 1000 })).toEqual({
      events: 4,
      windows: 5,
      late: 1,
    });
    expect(results.filter((r) => r.kind === 'late')).toEqual([
      { kind: 'late', key: 'k', time: 8100, watermark: 8200 },
    ]);
  });
});
