/**
 * The outage guard's bound holds when the broker answers but the work still fails as an outage
 * (a group coordinator that never loads): each wait then ends at its first probe, and without a
 * check there the outage was waited out forever, a pair of lines every few minutes.
 */
import { describe, expect, it } from 'vitest';
import { LoglabError } from '../../src/errors';
import type { Broker } from '../../src/stream/broker';
import { brokerOutageGuard } from '../../src/stream/broker-outage';

const outage = () =>
  new LoglabError('SERVICE_DOWN', 'the Kafka broker at b:9092 failed', {
    retriable: true,
    context: { broker: 'b:9092' },
  });

/** A broker whose metadata always answers. */
const answering = {
  address: 'b:9092',
  async describeTopic(name: string) {
    return { name, partitions: [] };
  },
} as unknown as Broker;

describe('brokerOutageGuard', () => {
  it('gives up past its bound even when the broker answers at once, until progress is made', async () => {
    let clock = 0;
    const lines: string[] = [];
    const guard = brokerOutageGuard(answering, {
      topic: 't',
      totalWaitMs: 1000,
      log: (l) => lines.push(l),
      now: () => clock,
      sleep: async () => undefined,
    });
    await guard.resumeAfter(outage());
    clock = 999;
    await guard.resumeAfter(outage());
    clock = 1000;
    await expect(guard.resumeAfter(outage())).rejects.toMatchObject({
      code: 'SERVICE_DOWN',
      message: 'the Kafka broker at b:9092 failed; gave up after 1.0 s of waiting',
    });
    // Progress starts the bound again.
    guard.progressed();
    clock = 5000;
    await guard.resumeAfter(outage());
    expect(lines.filter((l) => l.includes('answers again')).length).toBe(3);
  });

  it('with a wait of 0 rethrows the outage at once, without a line or a probe', async () => {
    const lines: string[] = [];
    let probes = 0;
    const probed = {
      address: 'b:9092',
      async describeTopic(name: string) {
        probes++;
        return { name, partitions: [] };
      },
    } as unknown as Broker;
    const guard = brokerOutageGuard(probed, {
      topic: 't',
      totalWaitMs: 0,
      log: (l) => lines.push(l),
    });
    const err = outage();
    await expect(guard.resumeAfter(err)).rejects.toBe(err);
    expect([lines, probes]).toEqual([[], 0]);
  });

  it('waits for what `waitsFor` picks and says what follows in its second line', async () => {
    const lines: string[] = [];
    const leaderless = new LoglabError('INTERNAL', 'no leader', { retriable: true });
    const guard = brokerOutageGuard(answering, {
      topic: 't',
      resumeWith: 'sending again',
      waitsFor: (e): e is LoglabError => e instanceof LoglabError && e.retriable,
      log: (l) => lines.push(l),
      sleep: async () => undefined,
    });
    await guard.resumeAfter(leaderless);
    expect(lines[0]).toBe('no leader; waiting for it for up to 300.0 s');
    expect(lines[1]).toMatch(
      /^the broker at b:9092 answers again after \d+\.\d s \(1 tries\): sending again$/,
    );
    // Not retriable: rethrown at once, as without `waitsFor` anything but a broker outage is.
    const bad = new LoglabError('BAD_INPUT', 'too large');
    await expect(guard.resumeAfter(bad)).rejects.toBe(bad);
    expect(lines).toHaveLength(2);
  });

  it('with oncePerOutage says one pair of lines until progress, however often the caller fails again', async () => {
    const lines: string[] = [];
    const guard = brokerOutageGuard(answering, {
      topic: 't',
      oncePerOutage: true,
      log: (l) => lines.push(l),
      sleep: async () => undefined,
    });
    for (let i = 0; i < 3; i++) await guard.resumeAfter(outage());
    expect(lines.map((l) => l.split(';')[0].split(' after')[0])).toEqual([
      'the Kafka broker at b:9092 failed',
      'the broker at b:9092 answers again',
    ]);
    guard.progressed();
    await guard.resumeAfter(outage());
    expect(lines).toHaveLength(4);
  });
});
