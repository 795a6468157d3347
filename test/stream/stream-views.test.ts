import { describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import type { ConsumedRecord } from '../../src/stream/broker';
import { readTopic, settleAssignments } from '../../src/stream/inspect';
import { clientKey, lineMessages } from '../../src/stream/line-messages';
import { createScratch, removeScratch, scratchName } from '../../src/stream/scratch';
import {
  keySpread,
  offsetRanges,
  partitionCounts,
  partitionRows,
  recordsOf,
  redelivered,
} from '../../src/stream/stats';
import { parseDeadLetter } from '../../src/stream/topics';

function rec(partition: number, offset: number, key: string | null = null): ConsumedRecord {
  return { topic: 't', partition, offset, key, value: `v${offset}`, timestamp: 0 };
}

const GOOD =
  '203.0.113.7 - - [12/Mar/2024:14:05:09 +0100] "GET /cart HTTP/1.1" 200 512 "-" "curl/8.0"';

describe('lineMessages and clientKey', () => {
  it('keys parsed lines by client IP with the logged time, and dead-letters the rest with a reason', () => {
    const bad = '192.0.2.254 [27/Jul/2009:04:12:50 +0000] "GET / HTTP/1.0" 404 46 "-" "x"';
    const { messages, deadLetters } = lineMessages([GOOD, bad]);
    expect(messages).toEqual([
      { key: '203.0.113.7', value: GOOD, timestamp: Date.UTC(2024, 2, 12, 13, 5, 9) },
    ]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0].key).toBe(null);
    const letter = parseDeadLetter(deadLetters[0].value);
    expect([letter.reason, letter.line]).toEqual(['missing-field', bad]);
  });

  it('clientKey is the first field, null without one', () => {
    expect(clientKey(GOOD)).toBe('203.0.113.7');
    expect(clientKey('::1 - - [x]')).toBe('::1');
    expect(clientKey('nospace')).toBe(null);
    expect(clientKey(' leading')).toBe(null);
  });
});

describe('partition views', () => {
  const topic = {
    name: 't',
    partitions: [
      { partition: 0, start: 0, end: 10 },
      { partition: 1, start: 4, end: 6 },
      { partition: 2, start: 0, end: 0 },
    ],
  };

  it('partitionRows: stored messages, and without a group everything is lag', () => {
    expect(partitionRows(topic)).toEqual([
      { partition: 0, messages: 10, committed: null, lag: 10 },
      { partition: 1, messages: 2, committed: null, lag: 2 },
      { partition: 2, messages: 0, committed: null, lag: 0 },
    ]);
  });

  it("partitionRows: the group's committed offsets and lag of this topic only", () => {
    const lag = {
      groupId: 'g',
      total: 3,
      partitions: [
        { topic: 't', partition: 0, committed: 7, end: 10, lag: 3 },
        { topic: 't', partition: 1, committed: null, end: 6, lag: 2 },
        { topic: 'other', partition: 2, committed: 1, end: 5, lag: 4 },
      ],
    };
    expect(partitionRows(topic, lag)).toEqual([
      { partition: 0, messages: 10, committed: 7, lag: 3 },
      { partition: 1, messages: 2, committed: null, lag: 2 },
      { partition: 2, messages: 0, committed: null, lag: 0 },
    ]);
  });

  it('partitionCounts: every partition, zero where no record is', () => {
    expect(partitionCounts([rec(2, 0), rec(2, 1), rec(0, 5)], 4).map((r) => r.messages)).toEqual([
      1, 0, 2, 0,
    ]);
  });

  it('recordsOf and offsetRanges', () => {
    const records = recordsOf([
      { topic: 't', partition: 1, highWatermark: 9, records: [rec(1, 7), rec(1, 8)] },
      { topic: 't', partition: 0, highWatermark: 9, records: [rec(0, 3)] },
    ]);
    expect(records.map((r) => `${r.partition}:${r.offset}`)).toEqual(['1:7', '1:8', '0:3']);
    expect(offsetRanges([...records, rec(1, 2)])).toEqual([
      { topic: 't', partition: 0, first: 3, last: 3, count: 1 },
      { topic: 't', partition: 1, first: 2, last: 8, count: 3 },
    ]);
  });

  it('redelivered: the later records already seen earlier, in the later order', () => {
    const earlier = [rec(0, 1), rec(0, 2), rec(1, 1)];
    const later = [rec(1, 1), rec(0, 3), rec(0, 2), rec(2, 1)];
    expect(redelivered(earlier, later).map((r) => `${r.partition}:${r.offset}`)).toEqual([
      '1:1',
      '0:2',
    ]);
  });

  it('keySpread counts keys that stayed in one partition', () => {
    const records = [rec(0, 0, 'a'), rec(0, 1, 'a'), rec(1, 0, 'b'), rec(2, 0, 'b'), rec(2, 1)];
    expect(keySpread(records)).toEqual({ records: 5, keys: 2, inOnePartition: 1 });
  });
});

describe('readTopic, settleAssignments and scratch names on the embedded broker', () => {
  it('reads what a group has not read yet, committing it', async () => {
    const broker = createBroker('embedded', loadConfig({}));
    await broker.createTopics([{ name: 't', partitions: 3 }]);
    await broker.produce(
      't',
      Array.from({ length: 250 }, (_, i) => ({ key: `k${i % 17}`, value: `m${i}` })),
    );
    const first = await readTopic(broker, { topic: 't', groupId: 'g', count: 100 });
    expect(first).toHaveLength(100);
    const rest = await readTopic(broker, { topic: 't', groupId: 'g' });
    expect(rest).toHaveLength(150);
    expect(new Set([...first, ...rest].map((r) => r.value)).size).toBe(250);
    expect((await broker.groupLag('g', ['t'])).total).toBe(0);
    await expect(
      readTopic(broker, { topic: 't', groupId: 'g', count: 1, idleMs: 0 }),
    ).rejects.toThrow('read 0 of 1 records of "t" before it went quiet');
    await broker.close();
  });

  it('settleAssignments returns disjoint partitions for the members', async () => {
    const broker = createBroker('embedded', loadConfig({}));
    await broker.createTopics([{ name: 't', partitions: 4 }]);
    const a = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    const b = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    const owned = await settleAssignments([a, b]);
    expect(owned.map((list) => list.map((tp) => tp.partition))).toEqual([
      [0, 2],
      [1, 3],
    ]);
    await broker.close();
  });

  it('scratch names: plain on the embedded engine; remove deletes them through the port', async () => {
    const broker = createBroker('embedded', loadConfig({}));
    expect(scratchName(broker, 'weblogs.raw', 123)).toBe('weblogs.raw');
    const scratch = createScratch(broker, 123);
    expect([scratch.topic('a'), scratch.topic('a'), scratch.group('g')]).toEqual(['a', 'a', 'g']);
    expect(scratch.names()).toEqual({ topics: ['a'], groups: ['g'] });
    await broker.createTopics([{ name: 'a', partitions: 2 }, { name: 'kept' }]);
    await broker.produce('a', [{ key: 'k', value: 'v' }]);
    const consumer = await broker.subscribe({ groupId: 'g', topics: ['a'], fromBeginning: true });
    await consumer.poll({ maxWaitMs: 10 });
    await consumer.commit();
    await consumer.close();
    expect(await scratch.remove()).toEqual({ topics: ['a'], groups: ['g'] });
    expect(await broker.listTopics()).toEqual(['kept']);
    expect(await broker.listGroups()).toEqual([]);
    expect(await removeScratch(broker, { topics: ['x'], groups: ['y'] })).toEqual({
      topics: [],
      groups: [],
    });
    await broker.close();
  });

  it('scratch names get the suffix on a cluster', () => {
    const cluster = { engine: 'cluster', address: '127.0.0.1:9092' } as Parameters<
      typeof scratchName
    >[0];
    expect(scratchName(cluster, 'weblogs.raw', 123)).toBe('weblogs.raw.123');
    expect(createScratch(cluster, 'r').group('realtime')).toBe('realtime.r');
  });
});
