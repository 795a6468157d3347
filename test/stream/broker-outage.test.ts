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
});
