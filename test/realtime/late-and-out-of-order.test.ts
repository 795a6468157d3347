/**
 * Event time, not arrival time: input whose disorder stays within the allowed lateness gives the
 * same windows as sorted input (a seeded shuffle), and an event behind the watermark is counted
 * and reported as late, never silently dropped.
 */
import { describe, expect, it } from 'vitest';
import {
  createHoppingWindows,
  createSlidingWindows,
  createTumblingWindows,
  createWatermark,
  isLate,
  isLateEvent,
  observeTime,
  type WindowOperator,
  type WindowOptions,
  type WindowResult,
  watermarkOf,
} from '../../src/realtime/index';
import { collector, shuffleWithin, withinLateness } from './collect';

const LATENESS = 30_000;

/** 5,000 events over 20 minutes on 7 keys, deterministic, in time order. */
function events(): { key: string; time: number }[] {
  const out: { key: string; time: number }[] = [];
  let t = 1_710_237_600_000;
  for (let i = 0; i < 5000; i++) {
    t += (i * 7919) % 480;
    out.push({ key: `k${(i * 31) % 7}`, time: t });
  }
  return out;
}

type Make = (o: WindowOptions) => WindowOperator;
const operators: [string, Make][] = [
  ['tumbling 1m', (o) => createTumblingWindows({ ...o, sizeMs: 60_000 })],
  ['hopping 5m/1m', (o) => createHoppingWindows({ ...o, sizeMs: 300_000, hopMs: 60_000 })],
  ['sliding 10s', (o) => createSlidingWindows({ ...o, differenceMs: 10_000 })],
];

function run(make: Make, input: { key: string; time: number }[]): WindowResult[] {
  const { results, emit } = collector();
  const op = make({ latenessMs: LATENESS, emit });
  for (const e of input) op.add(e.key, e.time);
  op.flush();
  return results;
}

describe.each(operators)('%s windows', (_name, make) => {
  const sorted = events();

  it.each([1, 2, 3])(
    'give the sorted results for input shuffled within the lateness (seed %i)',
    (seed) => {
      const shuffled = shuffleWithin(sorted, (e) => e.time, LATENESS, seed);
      expect(withinLateness(shuffled, (e) => e.time, LATENESS)).toBe(true);
      // The shuffle really reorders: most events are not where sorting puts them.
      expect(shuffled.filter((e, i) => e !== sorted[i]).length).toBeGreaterThan(4000);
      const want = run(make, sorted);
      expect(want.filter(isLateEvent)).toEqual([]);
      expect(run(make, shuffled)).toEqual(want);
    },
  );

  it('count an event behind the watermark as late, report it, and leave the windows as they were', () => {
    const late = { key: 'k1', time: sorted[2000].time - LATENESS - 1 };
    const input = [...sorted.slice(0, 2001), late, ...sorted.slice(2001)];
    const { results, emit } = collector();
    const op = make({ latenessMs: LATENESS, emit });
    for (const e of input) op.add(e.key, e.time);
    op.flush();
    expect(op.lateEvents()).toBe(1);
    expect(results.filter(isLateEvent)).toEqual([
      { kind: 'late', key: 'k1', time: late.time, watermark: sorted[2000].time - LATENESS },
    ]);
    expect(results.filter((r) => !isLateEvent(r))).toEqual(run(make, sorted));
  });

  it('treat everything after flush as late', () => {
    const { results, emit } = collector();
    const op = make({ latenessMs: LATENESS, emit });
    op.add('k', 1000);
    op.flush();
    op.add('k', 5_000_000);
    expect(op.lateEvents()).toBe(1);
    expect(results.at(-1)).toEqual({
      kind: 'late',
      key: 'k',
      time: 5_000_000,
      watermark: Number.POSITIVE_INFINITY,
    });
  });
});

describe('the watermark', () => {
  it('follows the newest event time minus the lateness and never goes back', () => {
    const w = createWatermark(30_000);
    expect([watermarkOf(w), isLate(w, 0)]).toEqual([Number.NEGATIVE_INFINITY, false]);
    expect(observeTime(w, 100_000)).toBe(true);
    expect(observeTime(w, 90_000)).toBe(false); // older: the watermark stays
    expect(watermarkOf(w)).toBe(70_000);
    expect([isLate(w, 69_999), isLate(w, 70_000)]).toEqual([true, false]);
  });

  it('is the newest event time minus the lateness, and an event exactly on it is on time', () => {
    const { results, emit } = collector();
    const op = createTumblingWindows({ sizeMs: 1000, latenessMs: 500, emit });
    expect(op.watermark()).toBe(Number.NEGATIVE_INFINITY);
    op.add('k', 10_000);
    op.add('k', 9_000); // behind the watermark (9 500): late
    op.add('k', 9_500); // exactly the watermark: counted
    expect(op.watermark()).toBe(9_500);
    expect(op.lateEvents()).toBe(1);
    op.advanceTo(10_500); // watermark 10 000 closes [9000, 10 000)
    expect(results).toEqual([
      { kind: 'late', key: 'k', time: 9_000, watermark: 9_500 },
      { kind: 'window', key: 'k', start: 9_000, end: 10_000, count: 1 },
    ]);
  });
});
