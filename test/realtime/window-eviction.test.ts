/**
 * State is bounded: a key is evicted as soon as every window holding its data has closed, so the
 * number of live keys follows the active keys, not the events.
 */
import { describe, expect, it } from 'vitest';
import {
  createDetectionEngine,
  createHoppingWindows,
  createSlidingWindows,
  createTumblingWindows,
} from '../../src/realtime/index';
import { record } from './collect';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 12, 10);

describe('eviction in the window operators', () => {
  it('drops a tumbling key when the watermark passes the end of its last window', () => {
    const op = createTumblingWindows({ sizeMs: MIN, latenessMs: 30_000, emit: () => {} });
    op.add('a', T0 + 10_000);
    op.add('b', T0 + 70_000);
    expect(op.liveKeys()).toBe(2);
    op.advanceTo(T0 + 90_000); // watermark T0+1m: [T0, T0+1m) closes, a has nothing left open
    expect(op.liveKeys()).toBe(1);
    op.advanceTo(T0 + 150_000);
    expect(op.liveKeys()).toBe(0);
  });

  it('keeps a hopping key until its newest event has left every window', () => {
    const op = createHoppingWindows({ sizeMs: 5 * MIN, hopMs: MIN, latenessMs: 0, emit: () => {} });
    op.add('a', T0); // in windows ending T0+1m … T0+5m
    op.add('b', T0 + 3 * MIN); // in windows ending T0+4m … T0+8m
    op.advanceTo(T0 + 5 * MIN - 1);
    expect(op.liveKeys()).toBe(2);
    op.advanceTo(T0 + 5 * MIN);
    expect(op.liveKeys()).toBe(1);
    op.advanceTo(T0 + 8 * MIN - 1);
    expect(op.liveKeys()).toBe(1);
    op.advanceTo(T0 + 8 * MIN);
    expect(op.liveKeys()).toBe(0);
  });

  it('keeps a sliding key until the window after its newest event has closed', () => {
    const op = createSlidingWindows({ differenceMs: 5000, emit: () => {} });
    op.add('a', 8000);
    op.advanceTo(13_001); // the window [8001, 13001] would be the last: closes past 13 001
    expect(op.liveKeys()).toBe(1);
    op.advanceTo(13_002);
    expect(op.liveKeys()).toBe(0);
  });

  it('holds as many keys as are active, whatever the number of events', () => {
    const op = createHoppingWindows({
      sizeMs: 5 * MIN,
      hopMs: MIN,
      latenessMs: 30_000,
      emit: () => {},
    });
    let most = 0;
    // 200,000 events over 10 hours; at any time only the 50 keys of the current hour are active.
    for (let i = 0; i < 200_000; i++) {
      const time = T0 + Math.floor(i * 180);
      const hour = Math.floor((time - T0) / 3_600_000);
      op.add(`h${hour}-k${i % 50}`, time);
      most = Math.max(most, op.liveKeys());
    }
    expect(most).toBe(100); // the hour's 50 keys plus the previous hour's, for one window
    op.flush();
    expect(op.liveKeys()).toBe(0);
  });
});

describe('eviction in the detection engine', () => {
  it('evicts an address and a URL once their windows have all closed', () => {
    const engine = createDetectionEngine({ sink: () => {}, latenessMs: 30_000, anomaly: false });
    engine.process(record('10.0.0.1', '/a', 200, T0 + 5_000)); // minute 0
    engine.process(record('10.0.0.2', '/b?x=1', 200, T0 + 3 * MIN)); // minute 3
    engine.process(record('10.0.0.2', '/b?x=2', 200, T0 + 3 * MIN)); // same URL key
    expect([engine.counters().liveIps, engine.counters().liveUrls]).toEqual([2, 2]);
    // Watermark T0+5m closes the window [T0, T0+5m), the last one that holds minute 0.
    engine.advanceTo(T0 + 5 * MIN + 30_000 - 1);
    expect([engine.counters().liveIps, engine.counters().liveUrls]).toEqual([2, 2]);
    engine.advanceTo(T0 + 5 * MIN + 30_000);
    expect([engine.counters().liveIps, engine.counters().liveUrls]).toEqual([1, 1]);
    engine.advanceTo(T0 + 8 * MIN + 30_000);
    expect([engine.counters().liveIps, engine.counters().liveUrls]).toEqual([0, 0]);
  });

  it('keeps a key with an open alert until the alert resolves', () => {
    const engine = createDetectionEngine({ sink: () => {}, latenessMs: 0, anomaly: false });
    for (let i = 0; i < 150; i++) engine.process(record('10.9.9.9', '/p', 200, T0 + i * 100));
    engine.advanceTo(T0 + MIN); // window ending T0+1m: a flood opens
    expect(engine.counters().open).toBe(1);
    engine.advanceTo(T0 + 5 * MIN); // last window holding the data: still a flood
    expect([engine.counters().liveIps, engine.counters().open]).toEqual([1, 1]);
    engine.advanceTo(T0 + 6 * MIN); // [T0+1m, T0+6m) is empty: resolved, then evicted
    expect([engine.counters().liveIps, engine.counters().open]).toEqual([0, 0]);
  });
});
