/**
 * `loglab topics` on a broker that others change while it lists (a shared Kafka broker): a
 * topic deleted between the list and its description is left out, and the listing goes on with
 * the topics and groups that exist, instead of ending on NOT_FOUND (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { describeBroker } from '../../src/cli/commands/topics';
import { LoglabError } from '../../src/errors';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

/** The broker, with `victim` deleted right after the topics were listed. */
function deletingAfterList(broker: Broker, victim: string): Broker {
  return {
    ...broker,
    listTopics: async () => {
      const names = await broker.listTopics();
      await broker.deleteTopics([victim]);
      return names;
    },
  };
}

describe('loglab topics while a topic is deleted', () => {
  it('lists the topics and groups that exist, without the one deleted mid-listing', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([
      { name: 'a', partitions: 1 },
      { name: 'b', partitions: 2 },
      { name: 'c', partitions: 1 },
    ]);
    await broker.produce('a', [{ key: null, value: 'a1' }]);
    await broker.produce('b', [
      { key: null, value: 'b1' },
      { key: null, value: 'b2' },
    ]);
    await broker.produce('c', [{ key: null, value: 'c1' }]);
    const consumer = await broker.subscribe({ groupId: 'g', topics: ['c'], fromBeginning: true });
    expect((await consumer.poll({ maxWaitMs: 100 })).kind).toBe('records');
    await consumer.commit();
    await consumer.close();

    const overview = await describeBroker(deletingAfterList(broker, 'b'));
    expect(overview.topics.map((t) => [t.name, t.partitions.length, t.messages])).toEqual([
      ['a', 1, 1],
      ['c', 1, 1],
    ]);
    expect(overview.groups.map((g) => [g.groupId, g.topic, g.committed, g.end, g.lag])).toEqual([
      ['g', 'c', 1, 1, 0],
    ]);
    await broker.close();
  });

  it('still fails on anything else: a broker that is down is not an empty one', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'a', partitions: 1 }]);
    const down: Broker = {
      ...broker,
      describeTopic: async () => {
        throw new LoglabError('SERVICE_DOWN', 'no Kafka broker answers', { retriable: true });
      },
    };
    await expect(describeBroker(down)).rejects.toThrow('no Kafka broker answers');
    await broker.close();
  });
});
