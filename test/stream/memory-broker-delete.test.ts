/**
 * Deleting on the embedded broker, as broker.ts's contract says: groups only without members,
 * topics with their messages and every group's offsets on them, members of a deleted topic
 * lose its partitions, and names that are not there are reported as missing.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryBroker } from '../../src/stream/memory-broker';

async function broker3() {
  const broker = createMemoryBroker();
  await broker.createTopics([
    { name: 'a', partitions: 2 },
    { name: 'b', partitions: 3 },
  ]);
  await broker.produce('a', [
    { key: 'x', value: '1' },
    { key: 'y', value: '2' },
  ]);
  await broker.produce('b', [{ key: 'x', value: '3' }]);
  return broker;
}

describe('embedded broker: deleteGroups', () => {
  it('deletes groups without members, keeps those with members, reports unknown ones', async () => {
    const broker = await broker3();
    const gone = await broker.subscribe({ groupId: 'done', topics: ['a'], fromBeginning: true });
    await gone.poll({ maxWaitMs: 0 });
    await gone.commit();
    await gone.close();
    const live = await broker.subscribe({ groupId: 'live', topics: ['a'] });
    expect(await broker.listGroups()).toEqual(['done', 'live']);

    expect(await broker.deleteGroups(['done', 'live', 'nobody', 'done'])).toEqual({
      deleted: ['done'],
      notEmpty: ['live'],
      missing: ['nobody'],
    });
    expect(await broker.listGroups()).toEqual(['live']);
    // A deleted group's offsets are gone: a new member of that name starts afresh.
    expect((await broker.groupLag('done', ['a'])).partitions.map((p) => p.committed)).toEqual([
      null,
      null,
    ]);
    await live.close();
    expect(await broker.deleteGroups(['live'])).toEqual({
      deleted: ['live'],
      notEmpty: [],
      missing: [],
    });
    expect(await broker.deleteGroups([])).toEqual({ deleted: [], notEmpty: [], missing: [] });
    await broker.close();
  });
});

describe('embedded broker: deleteTopics', () => {
  it('deletes topics and the offsets groups committed on them, reports unknown ones', async () => {
    const broker = await broker3();
    const c = await broker.subscribe({ groupId: 'g', topics: ['a', 'b'], fromBeginning: true });
    await c.poll({ maxWaitMs: 0 });
    await c.commit();
    await c.close();
    expect((await broker.groupLag('g')).partitions.map((p) => p.topic)).toEqual([
      'a',
      'a',
      'b',
      'b',
      'b',
    ]);

    expect(await broker.deleteTopics(['a', 'zzz', 'a'])).toEqual({
      deleted: ['a'],
      missing: ['zzz'],
    });
    expect(await broker.listTopics()).toEqual(['b']);
    await expect(broker.describeTopic('a')).rejects.toThrow('topic "a" does not exist');
    expect((await broker.groupLag('g')).partitions.map((p) => p.topic)).toEqual(['b', 'b', 'b']);
    // The name is free again: a new topic of that name starts empty, at offset 0.
    await broker.createTopics([{ name: 'a', partitions: 1 }]);
    expect((await broker.describeTopic('a')).partitions).toEqual([
      { partition: 0, start: 0, end: 0 },
    ]);
    await broker.close();
  });

  it('members reading a deleted topic lose its partitions and keep the others', async () => {
    const broker = await broker3();
    const c = await broker.subscribe({ groupId: 'g', topics: ['a', 'b'], fromBeginning: true });
    expect(c.assignment().map((tp) => tp.topic)).toEqual(['a', 'a', 'b', 'b', 'b']);
    await broker.deleteTopics(['a']);
    expect(c.assignment()).toEqual([
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 1 },
      { topic: 'b', partition: 2 },
    ]);
    const polled = await c.poll({ maxWaitMs: 0 });
    expect(polled.kind).toBe('records');
    if (polled.kind === 'records') {
      expect(polled.batches.flatMap((b) => b.records.map((r) => `${r.topic}:${r.value}`))).toEqual([
        'b:3',
      ]);
    }
    expect(await c.commit()).toMatchObject({ kind: 'committed' });
    await c.close();
    await broker.close();
  });
});
