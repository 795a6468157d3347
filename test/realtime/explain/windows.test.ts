/**
 * The worked examples notebooks draw come from the real operators: the windows each kind makes
 * over Kafka's three records, a watermark's verdict on an out-of-order stream, and what the
 * allowed lateness does to the results.
 */
import { describe, expect, it } from 'vitest';
import { latenessEffects, watermarkTrace, windowsByKind } from '../../../src/realtime/index';

const SHAPES = { sizeMs: 5000, hopMs: 2000, differenceMs: 5000 };

describe('windowsByKind', () => {
  it('lists the tumbling, hopping and Kafka sliding windows of the same events', () => {
    const rows = windowsByKind([8000, 9200, 12400], SHAPES).map((w) => [
      w.kind,
      w.start,
      w.end,
      w.endInclusive,
      w.count,
    ]);
    expect(rows).toEqual([
      ['tumbling', 5000, 10000, false, 2],
      ['tumbling', 10000, 15000, false, 1],
      ['hopping', 4000, 9000, false, 1],
      ['hopping', 6000, 11000, false, 2],
      ['hopping', 8000, 13000, false, 3],
      ['hopping', 10000, 15000, false, 1],
      ['hopping', 12000, 17000, false, 1],
      ['sliding', 3000, 8000, true, 1],
      ['sliding', 4200, 9200, true, 2],
      ['sliding', 7400, 12400, true, 3],
      ['sliding', 8001, 13001, true, 2],
      ['sliding', 9201, 14201, true, 1],
    ]);
  });

  it('does not depend on the order the times are given in', () => {
    expect(windowsByKind([12400, 8000, 9200], SHAPES)).toEqual(
      windowsByKind([8000, 9200, 12400], SHAPES),
    );
  });
});

describe('watermarkTrace', () => {
  it('compares each event with the watermark before it and moves it only for newer events', () => {
    expect(watermarkTrace([3000, 4000, 3500, 6200, 4100, 4300], 2000)).toEqual([
      {
        arrival: 1,
        time: 3000,
        watermarkBefore: Number.NEGATIVE_INFINITY,
        maxEventTime: 3000,
        watermark: 1000,
        late: false,
      },
      {
        arrival: 2,
        time: 4000,
        watermarkBefore: 1000,
        maxEventTime: 4000,
        watermark: 2000,
        late: false,
      },
      {
        arrival: 3,
        time: 3500,
        watermarkBefore: 2000,
        maxEventTime: 4000,
        watermark: 2000,
        late: false,
      },
      {
        arrival: 4,
        time: 6200,
        watermarkBefore: 2000,
        maxEventTime: 6200,
        watermark: 4200,
        late: false,
      },
      {
        arrival: 5,
        time: 4100,
        watermarkBefore: 4200,
        maxEventTime: 6200,
        watermark: 4200,
        late: true,
      },
      {
        arrival: 6,
        time: 4300,
        watermarkBefore: 4200,
        maxEventTime: 6200,
        watermark: 4200,
        late: false,
      },
    ]);
  });
});

describe('latenessEffects', () => {
  const stream = [3000, 4000, 3500, 5000, 6200, 4500, 7000, 5900, 8000, 8100, 6000, 9000];

  it('counts fewer late events as the lateness grows, and matches sorted input once it covers the disorder', () => {
    // The worst disorder is 2100 ms (6000 arriving after 8100).
    const effects = latenessEffects(stream, 2000, [0, 2000, 2100]);
    expect(effects.map((e) => [e.latenessMs, e.late, e.sameAsSorted])).toEqual([
      [0, 4, false],
      [2000, 1, false],
      [2100, 0, true],
    ]);
    expect(effects[2].windows).toEqual([
      '2000–4000:2',
      '4000–6000:4',
      '6000–8000:3',
      '8000–10000:3',
    ]);
    // With 2000 ms the event at 6000 is late: its window misses it.
    expect(effects[1].windows).toEqual([
      '2000–4000:2',
      '4000–6000:4',
      '6000–8000:2',
      '8000–10000:3',
    ]);
  });
});
