/**
 * The latency bench's hop breakdown: a poll's time is found for any offset it returned, and the
 * slowest 1% of alerts are cut into the produce call, the way to the poll and the detector.
 */
import { describe, expect, it } from 'vitest';
import { PollTimes, slowestHops } from '../../src/bench/latency-hops';

describe('PollTimes', () => {
  it('finds the poll that returned an offset, per partition', () => {
    const polls = new PollTimes();
    polls.note(0, 9, 100);
    polls.note(1, 4, 105);
    polls.note(0, 19, 130);
    expect([polls.at(0, 0), polls.at(0, 9), polls.at(0, 10), polls.at(0, 19)]).toEqual([
      100, 100, 130, 130,
    ]);
    expect(polls.at(1, 3)).toBe(105);
    expect(polls.at(0, 20)).toBeNaN();
    expect(polls.at(2, 0)).toBeNaN();
  });
});

describe('slowestHops', () => {
  it('takes the slowest 1% (2 of 200) and gives the median of each hop', () => {
    const start = 1_000_000;
    const alerts = Array.from({ length: 200 }, (_, i) => ({
      sent: start + i * 100,
      polled: start + i * 100 + 2,
      alerted: start + i * 100 + 3,
    }));
    // Two slow ones: 40 ms in the produce call and 300 ms to the poll; 250 ms to the poll.
    alerts[120] = { sent: start + 12_000, polled: start + 12_300, alerted: start + 12_310 };
    alerts[121] = { sent: start + 12_100, polled: start + 12_350, alerted: start + 12_352 };
    const ackMs = new Map([
      [start + 12_000, 40],
      [start + 12_100, 5],
    ]);
    expect(slowestHops(alerts, ackMs, start)).toBe(
      'slowest 2 alerts (median of each hop): produce call until acked 5.0 ms, handed to ' +
        'produce until polled 250.0 ms, polled until alerted 2.0 ms; lines handed over at ' +
        '12.0, 12.1 s of the run',
    );
  });

  it('says so when there is no alert', () => {
    expect(slowestHops([], new Map(), 0)).toBe('no alerts to cut into hops');
  });
});
