/**
 * The outbox after a failed produce: it reads the topic back from its last acknowledged batch
 * and sends only what the broker did not store, whether that is all, none or part of the batch.
 */
import { describe, expect, it } from 'vitest';
import { createOutbox } from '../../src/pipeline/outbox';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { brokerDown } from './going-away-broker';

const message = (value: string) => ({ key: null, value });

async function values(broker: Broker, topic: string): Promise<string[]> {
  const reader = await broker.subscribe({ groupId: 'read', topics: [topic], fromBeginning: true });
  const r = await reader.poll({ maxWaitMs: 0 });
  await reader.close();
  return r.kind === 'records' ? r.batches.flatMap((b) => b.records.map((x) => x.value)) : [];
}

/** The memory broker, whose next produce stores the first `stored` messages and then fails. */
async function failingOnce(stored: number) {
  const memory = createMemoryBroker();
  await memory.createTopics([{ name: 'out', partitions: 1 }]);
  const broker: Broker = Object.create(memory);
  let armed = false;
  broker.produce = async (topic, messages) => {
    if (!armed) return memory.produce(topic, messages);
    armed = false;
    if (stored > 0) await memory.produce(topic, messages.slice(0, stored));
    throw brokerDown();
  };
  return { memory, broker, arm: () => (armed = true) };
}

describe('outbox', () => {
  for (const [stored, line] of [
    [0, null],
    [2, '2 of 5 messages whose produce failed are on out already: sending the other 3'],
    [5, '5 of 5 messages whose produce failed are on out already: sending the other 0'],
  ] as const) {
    it(`a produce that stored ${stored} of 5 before failing: each message on the topic once`, async () => {
      const { memory, broker, arm } = await failingOnce(stored);
      const log: string[] = [];
      const box = createOutbox(broker, 'out', { groupId: 'g', log: (l) => log.push(l) });
      box.add(['a', 'b'].map(message));
      expect(await box.flush()).toBe(2);
      box.add(['c', 'd', 'e', 'f', 'g'].map(message));
      arm();
      await expect(box.flush()).rejects.toThrow(/^no Kafka broker answers/);
      expect(box.pending()).toBe(5);
      expect(await box.flush()).toBe(5);
      expect([box.pending(), box.alreadyStored()]).toEqual([0, stored]);
      expect(await values(memory, 'out')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
      expect(log).toEqual(line === null ? [] : [line]);
      // The read-back's own group is gone again.
      expect(await memory.listGroups()).toEqual(['read']);
      await memory.close();
    });
  }

  it('a first produce that failed unstored sends values an earlier run left on the topic', async () => {
    const { memory, broker, arm } = await failingOnce(0);
    // An earlier run of the same seed put the same alert lines there.
    await memory.produce('out', ['a', 'b'].map(message));
    const log: string[] = [];
    const box = createOutbox(broker, 'out', { groupId: 'g', log: (l) => log.push(l) });
    box.add(['a', 'b'].map(message));
    arm();
    await expect(box.flush()).rejects.toThrow(/^no Kafka broker answers/);
    expect(await box.flush()).toBe(2);
    expect([box.pending(), box.alreadyStored()]).toEqual([0, 0]);
    expect(await values(memory, 'out')).toEqual(['a', 'b', 'a', 'b']);
    expect(log).toEqual([]);
    await memory.close();
  });

  it('a batch holding one value twice that stored one copy sends the other', async () => {
    const { memory, broker, arm } = await failingOnce(2);
    const log: string[] = [];
    const box = createOutbox(broker, 'out', { groupId: 'g', log: (l) => log.push(l) });
    box.add(['x', 'y', 'y', 'z'].map(message));
    arm();
    await expect(box.flush()).rejects.toThrow(/^no Kafka broker answers/);
    expect(await box.flush()).toBe(4);
    expect(await values(memory, 'out')).toEqual(['x', 'y', 'y', 'z']);
    expect(log).toEqual([
      '2 of 4 messages whose produce failed are on out already: sending the other 2',
    ]);
    await memory.close();
  });
});
