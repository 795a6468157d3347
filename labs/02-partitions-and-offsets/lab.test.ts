/**
 * Grades labs/02-partitions-and-offsets: the tests run against exercise.ts (`npm run lab -- 02`)
 * or solution.ts (`npm test`); every title names the file it graded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import type {
  Broker,
  ConsumedRecord,
  Consumer,
  PollOptions,
  PollResult,
} from '../../src/stream/broker';
import { clientKey } from '../../src/stream/line-messages';
import { loadLab } from '../target';

const { impl, file } = await loadLab<typeof import('./solution')>(import.meta.url);
const { murmur2, partitionFor, consumeAtLeastOnce } = impl;
const LAB = `labs/02-partitions-and-offsets/${file}`;

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * Computed by the Java client (kafka-clients 4.4.0, `Utils.murmur2` and the default partitioner
 * over the key's UTF-8 bytes); the first rows are Kafka's own `UtilsTest.testMurmur2` vectors.
 * key, murmur2, partition of 6, of 3, of 12
 */
const JAVA: [string, number, number, number, number][] = [
  ['21', -973932308, 0, 0, 0],
  ['foobar', -790332482, 0, 0, 6],
  ['a-little-bit-long-string', -985981536, 2, 2, 8],
  ['a-little-bit-longer-string', -1486304829, 5, 2, 11],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5, 2, 5],
  ['abc', 479470107, 3, 0, 3],
  ['', 275646681, 3, 0, 9],
  ['a', -1563381124, 4, 1, 4],
  ['ab', 316155434, 2, 2, 2],
  ['192.168.1.100', -696295006, 4, 1, 10],
  ['10.0.0.1', 808591810, 4, 1, 10],
  ['203.0.113.7', -1437676810, 4, 1, 10],
  ['198.51.100.23', -1448127881, 3, 0, 3],
  ['2001:db8::1', -1604073492, 2, 2, 8],
  ['8.8.8.8', -1793400687, 5, 2, 5],
  ['172.16.254.3', -224809955, 3, 0, 9],
  ['café', -1358007374, 0, 0, 6],
  ['日本語', 1431860170, 4, 1, 10],
  ['🚀', 761778625, 1, 1, 1],
];

describe(`${LAB}: murmur2`, () => {
  it("returns Java's value for Kafka's published test vectors", () => {
    for (const [key, hash] of JAVA.slice(0, 6))
      expect([key, murmur2(utf8(key))]).toEqual([key, hash]);
  });

  it('handles every tail length (0 to 3 bytes after the last 4-byte block)', () => {
    for (const key of ['', 'a', 'ab', 'abc', '10.0.0.1', '8.8.8.8', '192.168.1.100']) {
      const hash = JAVA.find((row) => row[0] === key)?.[1];
      expect([key, murmur2(utf8(key))]).toEqual([key, hash]);
    }
  });

  it('hashes bytes, so non-ASCII keys need their UTF-8 encoding', () => {
    for (const key of ['café', '日本語', '🚀']) {
      const hash = JAVA.find((row) => row[0] === key)?.[1];
      expect([key, murmur2(utf8(key))]).toEqual([key, hash]);
    }
  });
});

describe(`${LAB}: partitionFor`, () => {
  it("picks the Java client's partition for 6, 3 and 12 partitions", () => {
    for (const [key, , p6, p3, p12] of JAVA) {
      expect([key, partitionFor(key, 6), partitionFor(key, 3), partitionFor(key, 12)]).toEqual([
        key,
        p6,
        p3,
        p12,
      ]);
    }
  });

  it('drops the sign bit instead of taking the absolute value', () => {
    // murmur2("21") is -973932308: Math.abs would give partition 2 of 6, Kafka gives 0.
    expect(partitionFor('21', 6)).toBe(0);
  });

  it('agrees with the embedded broker on 2,000 client addresses', async () => {
    const broker = createBroker('embedded', loadConfig({}));
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 6 }]);
    const lines = [...generateLines(defaultOptions({ lines: 2000, seed: 7 }))];
    await broker.produce(
      'weblogs.raw',
      lines.map((l) => ({ key: clientKey(l), value: l })),
    );
    const consumer = await broker.subscribe({
      groupId: 'check',
      topics: ['weblogs.raw'],
      fromBeginning: true,
    });
    const result = await consumer.poll({ maxRecords: 5000, maxWaitMs: 0 });
    const records = result.kind === 'records' ? result.batches.flatMap((b) => b.records) : [];
    expect(records.length).toBe(2000);
    const wrong = records.filter((r) => partitionFor(r.key ?? '', 6) !== r.partition);
    expect(wrong.map((r) => `${r.key} → ${r.partition}`)).toEqual([]);
    await broker.close();
  });
});

// ---------------------------------------------------------------------------------------------
// Part 2: commit after processing

function record(offset: number): ConsumedRecord {
  return {
    topic: 't',
    partition: 0,
    offset,
    key: null,
    value: `line ${offset}`,
    timestamp: 0,
  };
}

function polled(...offsets: number[]): PollResult<string> {
  return {
    kind: 'records',
    batches: [{ topic: 't', partition: 0, records: offsets.map(record), highWatermark: 99 }],
    count: offsets.length,
  };
}

/** A consumer that returns the given polls in turn (then `idle`) and logs every call. */
function scripted(polls: PollResult<string>[], log: string[]): Consumer {
  let next = 0;
  return {
    groupId: 'scripted',
    memberId: () => 'scripted-1',
    assignment: () => [{ topic: 't', partition: 0 }],
    async poll(options?: PollOptions) {
      log.push(`poll ${options?.maxRecords}`);
      return polls[next++] ?? { kind: 'idle' };
    },
    async pollRaw() {
      throw new Error('the lab reads records, not raw values');
    },
    async commit() {
      log.push('commit');
      return { kind: 'committed', offsets: [], revoked: [] };
    },
    async close() {
      log.push('close');
    },
  };
}

describe(`${LAB}: consumeAtLeastOnce, call by call`, () => {
  it('processes every record of a poll in order, then commits once, until a poll is idle', async () => {
    const log: string[] = [];
    const summary = await consumeAtLeastOnce(
      scripted([polled(0, 1, 2), polled(3, 4)], log),
      (r) => {
        log.push(`process ${r.offset}`);
      },
      { pollRecords: 3 },
    );
    expect(log).toEqual([
      'poll 3',
      'process 0',
      'process 1',
      'process 2',
      'commit',
      'poll 3',
      'process 3',
      'process 4',
      'commit',
      'poll 3',
    ]);
    expect(summary).toEqual({ processed: 5, commits: 2, stoppedBy: 'idle' });
  });

  it('asks for 100 records per poll unless told otherwise', async () => {
    const log: string[] = [];
    await consumeAtLeastOnce(scripted([], log), () => undefined);
    expect(log).toEqual(['poll 100']);
  });

  it('waits for an asynchronous process before the next record', async () => {
    const log: string[] = [];
    await consumeAtLeastOnce(scripted([polled(0, 1)], log), async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`done ${r.offset}`);
    });
    expect(log).toEqual(['poll 100', 'done 0', 'done 1', 'commit', 'poll 100']);
  });

  it('does not commit a poll whose processing failed, and lets the error out', async () => {
    const log: string[] = [];
    const failure = new Error('disk full');
    const run = consumeAtLeastOnce(scripted([polled(0, 1), polled(2, 3, 4)], log), (r) => {
      if (r.offset === 3) throw failure;
      log.push(`process ${r.offset}`);
    });
    await expect(run).rejects.toBe(failure);
    expect(log).toEqual(['poll 100', 'process 0', 'process 1', 'commit', 'poll 100', 'process 2']);
  });

  it('stops when a poll reports the consumer closed', async () => {
    const log: string[] = [];
    const summary = await consumeAtLeastOnce(
      scripted([polled(0), { kind: 'stopped', reason: 'closed' }], log),
      () => undefined,
    );
    expect(summary).toEqual({ processed: 1, commits: 1, stoppedBy: 'closed' });
  });
});

describe(`${LAB}: consumeAtLeastOnce on the embedded broker`, () => {
  const lines = [...generateLines(defaultOptions({ lines: 1000, seed: 7 }))];
  let broker: Broker;
  const id = (r: ConsumedRecord) => `${r.partition}:${r.offset}`;

  afterEach(async () => {
    await broker?.close();
  });

  async function loaded(): Promise<Broker> {
    broker = createBroker('embedded', loadConfig({}));
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 6 }]);
    await broker.produce(
      'weblogs.raw',
      lines.map((l) => ({ key: clientKey(l), value: l })),
    );
    return broker;
  }

  const join = (b: Broker) =>
    b.subscribe({ groupId: 'lab02', topics: ['weblogs.raw'], fromBeginning: true });

  it('reads a topic once, committing as it goes: lag 0 at the end', async () => {
    const b = await loaded();
    const seen: ConsumedRecord[] = [];
    const consumer = await join(b);
    const summary = await consumeAtLeastOnce(consumer, (r) => {
      seen.push(r);
    });
    await consumer.close();
    expect(summary).toEqual({ processed: 1000, commits: 10, stoppedBy: 'idle' });
    expect(new Set(seen.map(id)).size).toBe(1000);
    expect((await b.groupLag('lab02', ['weblogs.raw'])).total).toBe(0);
  });

  it('crashes mid-stream, restarts in the same group, and loses nothing', async () => {
    const b = await loaded();
    const first: ConsumedRecord[] = [];
    const crashing = await join(b);
    const crash = new Error('injected failure at the 351st record');
    await expect(
      consumeAtLeastOnce(crashing, (r) => {
        if (first.length === 350) throw crash;
        first.push(r);
      }),
    ).rejects.toBe(crash);
    // The process dies: its consumer leaves the group without committing the poll in hand.
    await crashing.close();
    const lag = await b.groupLag('lab02', ['weblogs.raw']);
    expect(lag.total).toBe(700);

    const second: ConsumedRecord[] = [];
    const restarted = await join(b);
    const summary = await consumeAtLeastOnce(restarted, (r) => {
      second.push(r);
    });
    await restarted.close();

    expect(summary).toEqual({ processed: 700, commits: 7, stoppedBy: 'idle' });
    // Every record arrived; the 50 processed after the last commit arrived twice.
    const all = new Set([...first, ...second].map(id));
    expect(all.size).toBe(1000);
    const firstIds = new Set(first.map(id));
    expect(second.filter((r) => firstIds.has(id(r))).length).toBe(50);
    // The restart began exactly at the committed offsets.
    for (const p of lag.partitions) {
      const mine = second.filter((r) => r.partition === p.partition).map((r) => r.offset);
      if (p.lag > 0)
        expect([p.partition, Math.min(...mine)]).toEqual([p.partition, p.committed ?? 0]);
    }
    expect((await b.groupLag('lab02', ['weblogs.raw'])).total).toBe(0);
  });

  it('on abort (Ctrl-C), finishes and commits the poll in hand, then returns', async () => {
    const b = await loaded();
    const controller = new AbortController();
    let processed = 0;
    const consumer = await join(b);
    const summary = await consumeAtLeastOnce(
      consumer,
      () => {
        processed++;
        if (processed === 150) controller.abort();
      },
      { signal: controller.signal },
    );
    await consumer.close();
    expect(summary).toEqual({ processed: 200, commits: 2, stoppedBy: 'aborted' });
    expect((await b.groupLag('lab02', ['weblogs.raw'])).total).toBe(800);
  });
});
