/**
 * deleteTopics and deleteGroups on a real Kafka broker, as broker.ts's contract says and as the
 * embedded broker does (test/stream/memory-broker-delete.test.ts): a group with members is left
 * as it is, names that are not there are reported as missing, and deleted topics and groups
 * are gone from the listings. Its own topics and groups only; the broker is shared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import type { Broker } from '../../src/stream/broker';
import { createScratch } from '../../src/stream/scratch';

const run = Date.now();
const name = (kind: string) => `loglab.test.delete-${kind}.${run}`;
let broker: Broker;

beforeAll(() => {
  broker = createBroker('cluster', loadConfig());
});

afterAll(async () => {
  // Whatever a failed test left behind.
  await broker.deleteGroups([name('done'), name('live'), name('lag')]).catch(() => undefined);
  await broker
    .deleteTopics([name('a'), name('b'), name('gone'), name('kept')])
    .catch(() => undefined);
  await broker.close();
});

/** Kafka deletes topics asynchronously: wait until the listing agrees. */
async function topicsGone(names: readonly string[]): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const left = (await broker.listTopics()).filter((t) => names.includes(t));
    if (left.length === 0) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
  return (await broker.listTopics()).filter((t) => names.includes(t));
}

describe('kafka broker: deleteGroups and deleteTopics', () => {
  it('deletes empty groups and topics, keeps a group with members, reports missing names', async () => {
    const [a, b] = [name('a'), name('b')];
    await broker.createTopics([
      { name: a, partitions: 2 },
      { name: b, partitions: 1 },
    ]);
    await broker.produce(a, [{ key: 'x', value: '1' }]);
    const done = await broker.subscribe({
      groupId: name('done'),
      topics: [a],
      fromBeginning: true,
    });
    for (let i = 0; i < 20; i++) {
      if ((await done.poll({ maxWaitMs: 500 })).kind === 'records') break;
    }
    expect((await done.commit()).kind).toBe('committed');
    await done.close();
    const live = await broker.subscribe({ groupId: name('live'), topics: [b] });

    expect(
      await broker.deleteGroups([name('done'), name('live'), name('nobody'), name('done')]),
    ).toEqual({ deleted: [name('done')], notEmpty: [name('live')], missing: [name('nobody')] });
    const groups = await broker.listGroups();
    expect(groups.includes(name('done'))).toBe(false);
    expect(groups.includes(name('live'))).toBe(true);

    await live.close();
    expect(await broker.deleteGroups([name('live')])).toEqual({
      deleted: [name('live')],
      notEmpty: [],
      missing: [],
    });

    expect(await broker.deleteTopics([a, b, name('zzz'), a])).toEqual({
      deleted: [a, b],
      missing: [name('zzz')],
    });
    expect(await topicsGone([a, b])).toEqual([]);
    await expect(broker.describeTopic(a)).rejects.toThrow();
  });

  it('a scratch removes its topics and groups through the port', async () => {
    const scratch = createScratch(broker, run);
    const topic = scratch.topic('loglab.test.delete-scratch');
    const group = scratch.group('loglab.test.delete-scratch');
    await broker.createTopics([{ name: topic, partitions: 1 }]);
    await broker.produce(topic, [{ key: null, value: 'v' }]);
    const c = await broker.subscribe({ groupId: group, topics: [topic], fromBeginning: true });
    for (let i = 0; i < 20; i++) {
      if ((await c.poll({ maxWaitMs: 500 })).kind === 'records') break;
    }
    await c.commit();
    await c.close();
    expect(await scratch.remove()).toEqual({ topics: [topic], groups: [group] });
    expect(await topicsGone([topic])).toEqual([]);
    expect((await broker.listGroups()).includes(group)).toBe(false);
  });

  it('a topic another client deletes: NOT_FOUND for it, the others still described, its lag left out', async () => {
    const [gone, kept, group] = [name('gone'), name('kept'), name('lag')];
    await broker.createTopics([
      { name: gone, partitions: 2 },
      { name: kept, partitions: 1 },
    ]);
    await broker.produce(gone, [{ key: 'x', value: '1' }]);
    await broker.produce(kept, [
      { key: 'y', value: '2' },
      { key: 'y', value: '3' },
    ]);
    const c = await broker.subscribe({ groupId: group, topics: [gone, kept], fromBeginning: true });
    let polled = 0;
    for (let i = 0; i < 40 && polled < 3; i++) {
      const r = await c.poll({ maxWaitMs: 500 });
      if (r.kind === 'records') polled += r.count;
    }
    expect(polled).toBe(3);
    expect((await c.commit()).kind).toBe('committed');
    await c.close();
    // This client has looked at both topics; another one deletes the first.
    expect((await broker.describeTopic(gone)).partitions.length).toBe(2);
    expect((await broker.groupLag(group)).partitions.length).toBe(3);
    const other = createBroker('cluster', loadConfig());
    try {
      expect(await other.deleteTopics([gone])).toEqual({ deleted: [gone], missing: [] });
    } finally {
      await other.close();
    }
    await expect(broker.describeTopic(gone)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Before, kafkajs's admin kept the deleted topic in its metadata requests and failed them.
    expect(await broker.describeTopic(kept)).toEqual({
      name: kept,
      partitions: [{ partition: 0, start: 0, end: 2 }],
    });
    const lag = await broker.groupLag(group);
    expect(lag.partitions.map((p) => [p.topic, p.partition, p.committed, p.end])).toEqual([
      [kept, 0, 2, 2],
    ]);
    await broker.deleteGroups([group]);
    await broker.deleteTopics([kept]);
  });
});
