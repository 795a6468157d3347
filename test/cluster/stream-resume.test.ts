import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import type { Broker, ConsumedRecord, Consumer, ProduceMessage } from '../../src/stream/broker';

// At least once on the real broker: commit after processing, resume from the group's offsets.
const config = loadConfig();
const run = Date.now();
const topics: string[] = [];
const groups: string[] = [];
let broker: Broker;

const name = (list: string[], what: string) => {
  const n = `loglab.test.stream-${what}.${run}`;
  list.push(n);
  return n;
};
const id = (r: ConsumedRecord<string>) => `${r.partition}:${r.offset}`;

function messages(count: number): ProduceMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const ip = `10.0.${(i * 7) % 50}.${i % 200}`;
    return { key: ip, value: `${ip} line ${i}` };
  });
}

async function pollSome(consumer: Consumer, maxRecords: number): Promise<ConsumedRecord[]> {
  for (let tries = 0; tries < 30; tries++) {
    const r = await consumer.poll({ maxRecords, maxWaitMs: 1000 });
    if (r.kind === 'records') return r.batches.flatMap((b) => b.records);
  }
  throw new Error('no records arrived');
}

/**
 * Waits until the members' assignments no longer overlap: a member learns of a rebalance on its
 * next heartbeat, so right after another one joined it may still list its old partitions.
 * Anything polled meanwhile is counted in `seen`.
 */
async function settle(members: Consumer[], seen: Map<string, number>): Promise<number[][]> {
  for (let i = 0; i < 100; i++) {
    const owned = members.map((c) => c.assignment().map((tp) => tp.partition));
    if (new Set(owned.flat()).size === owned.flat().length) return owned;
    for (const c of members) {
      const r = await c.poll({ maxWaitMs: 100 });
      if (r.kind !== 'records') continue;
      for (const b of r.batches)
        for (const x of b.records) seen.set(x.value, (seen.get(x.value) ?? 0) + 1);
      await c.commit();
    }
  }
  throw new Error('the group did not settle');
}

beforeAll(async () => {
  broker = createBroker('cluster', config);
  try {
    await broker.listTopics();
  } catch (err) {
    throw new Error(`${(err as Error).message} (these tests need the real broker)`);
  }
});

afterAll(async () => {
  await broker?.close();
  const admin = new Kafka({
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

describe('consumer groups on the real broker', () => {
  it('resumes after a member closed without committing its last batch: nothing lost, only that batch again', async () => {
    const topic = name(topics, 'resume');
    const groupId = name(groups, 'resume');
    await broker.createTopics([{ name: topic, partitions: 6 }]);
    const sent = messages(20_000);
    for (let i = 0; i < sent.length; i += 4000)
      await broker.produce(topic, sent.slice(i, i + 4000));

    const first = await broker.subscribe({ groupId, topics: [topic], fromBeginning: true });
    const committed = new Set<string>();
    while (committed.size < 8000) {
      const batch = await pollSome(first, 1000);
      expect((await first.commit()).kind).toBe('committed');
      for (const r of batch) committed.add(id(r));
    }
    // Processed but never committed: the member goes away mid-stream.
    const uncommitted = new Set((await pollSome(first, 1500)).map(id));
    expect(uncommitted.size).toBeGreaterThan(0);
    await first.close();

    const second = await broker.subscribe({ groupId, topics: [topic], fromBeginning: true });
    const rest = new Map<string, string>();
    let duplicates = 0;
    while (committed.size + rest.size < sent.length) {
      for (const r of await pollSome(second, 5000)) {
        expect(committed.has(id(r))).toBe(false); // committed records never come again
        if (rest.has(id(r))) duplicates++;
        rest.set(id(r), r.value);
      }
      await second.commit();
    }
    expect(duplicates).toBe(0);
    // Exactly the uncommitted batch came twice: once to each member.
    const seenTwice = [...uncommitted].filter((x) => rest.has(x));
    expect(seenTwice.length).toBe(uncommitted.size);
    expect(committed.size + rest.size).toBe(sent.length);
    const values = new Set([...rest.values()]);
    expect(values.size).toBe(rest.size);
    expect(await second.poll({ maxWaitMs: 1500 })).toEqual({ kind: 'idle' });
    expect((await broker.groupLag(groupId, [topic])).total).toBe(0);
    await second.close();
  });

  it('shares the partitions between two live members, disjoint and complete, and reads everything', async () => {
    const topic = name(topics, 'share');
    const groupId = name(groups, 'share');
    await broker.createTopics([{ name: topic, partitions: 6 }]);
    const a = await broker.subscribe({ groupId, topics: [topic], fromBeginning: true });
    const b = await broker.subscribe({ groupId, topics: [topic], fromBeginning: true });
    const sent = messages(12_000);
    await broker.produce(topic, sent);

    const seen = new Map<string, number>();
    let idle = 0;
    while (seen.size < sent.length && idle < 60) {
      let got = 0;
      for (const c of [a, b]) {
        const r = await c.poll({ maxWaitMs: 300 });
        if (r.kind !== 'records') continue;
        got += r.count;
        for (const batch of r.batches)
          for (const rec of batch.records) seen.set(rec.value, (seen.get(rec.value) ?? 0) + 1);
        await c.commit();
      }
      idle = got === 0 ? idle + 1 : 0;
    }
    const owned = await settle([a, b], seen);
    expect(seen.size).toBe(sent.length);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(owned.every((list) => list.length === 3)).toBe(true);
    // Duplicates can only come from a rebalance while reading; with both members in before
    // the first record was produced there is none.
    expect([...seen.values()].filter((n) => n > 1).length).toBe(0);
    await a.close();
    await b.close();
    expect((await broker.groupLag(groupId, [topic])).total).toBe(0);
  });

  it('resumes after a member was killed (SIGKILL) mid-stream: nothing lost, only its uncommitted batch again', async () => {
    const topic = name(topics, 'kill');
    const groupId = name(groups, 'kill');
    await broker.createTopics([{ name: topic, partitions: 6 }]);
    const sent = messages(10_000);
    await broker.produce(topic, sent);

    // A member in another process: commits 4,000 records batch by batch, polls one more batch,
    // says which, and is killed before it can commit it.
    const config = fileURLToPath(new URL('../../src/config.ts', import.meta.url));
    const code = `
      import { createBroker, loadConfig } from ${JSON.stringify(config)};
      const broker = createBroker('cluster', loadConfig());
      const c = await broker.subscribe({ groupId: ${JSON.stringify(groupId)}, topics: [${JSON.stringify(topic)}], fromBeginning: true });
      const poll = async () => {
        for (;;) {
          const r = await c.poll({ maxRecords: 500, maxWaitMs: 1000 });
          if (r.kind === 'records') return r.batches.flatMap((b) => b.records.map((x) => x.partition + ':' + x.offset));
        }
      };
      let done = 0;
      while (done < 4000) {
        const ids = await poll();
        await c.commit();
        done += ids.length;
        console.log(JSON.stringify({ committed: ids }));
      }
      console.log(JSON.stringify({ uncommitted: await poll() }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const committed = new Set<string>();
    let uncommitted: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      const msg = JSON.parse(line) as { committed?: string[]; uncommitted?: string[] };
      for (const x of msg.committed ?? []) committed.add(x);
      if (msg.uncommitted) {
        uncommitted = msg.uncommitted;
        child.kill('SIGKILL');
        break;
      }
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(committed.size).toBeGreaterThanOrEqual(4000);
    expect(uncommitted.length).toBeGreaterThan(0);

    // The group notices the dead member after its session timeout, then this one takes over.
    const next = await broker.subscribe({ groupId, topics: [topic], fromBeginning: true });
    const rest = new Set<string>();
    while (committed.size + rest.size < sent.length) {
      for (const r of await pollSome(next, 5000)) {
        expect(committed.has(id(r))).toBe(false);
        expect(rest.has(id(r))).toBe(false);
        rest.add(id(r));
      }
      await next.commit();
    }
    expect(uncommitted.filter((x) => rest.has(x)).length).toBe(uncommitted.length);
    expect(committed.size + rest.size).toBe(sent.length);
    expect((await broker.groupLag(groupId, [topic])).total).toBe(0);
    await next.close();
  });

  it('hands partitions to a member that joins mid-stream: nothing lost, a bounded number read twice', async () => {
    const topic = name(topics, 'join');
    const groupId = name(groups, 'join');
    await broker.createTopics([{ name: topic, partitions: 6 }]);
    const sent = messages(30_000);
    await broker.produce(topic, sent);
    const a = await broker.subscribe({ groupId, topics: [topic], fromBeginning: true });
    const members: Consumer[] = [a];
    let joining: Promise<void> | null = null;
    const seen = new Map<string, number>();
    let idle = 0;
    while (seen.size < sent.length && idle < 30) {
      let got = 0;
      for (const c of [...members]) {
        const r = await c.poll({ maxRecords: 500, maxWaitMs: 200 });
        if (r.kind !== 'records') continue;
        got += r.count;
        for (const b of r.batches)
          for (const x of b.records) seen.set(x.value, (seen.get(x.value) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 10)); // processing
        await c.commit();
      }
      if (joining === null && seen.size > 5000) {
        joining = broker.subscribe({ groupId, topics: [topic], fromBeginning: true }).then((b) => {
          members.push(b);
        });
      }
      idle = got === 0 ? idle + 1 : 0;
    }
    await joining;
    expect(members.length).toBe(2);
    const owned = await settle(members, seen);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.size).toBe(sent.length);
    // Read twice: only records polled but not yet committed when the group rebalanced, at most
    // a few polls' worth (500 records each) per member.
    const twice = [...seen.values()].filter((n) => n > 1);
    expect(twice.every((n) => n === 2)).toBe(true);
    expect(twice.length).toBeLessThanOrEqual(2000);
    expect((await broker.groupLag(groupId, [topic])).total).toBe(0);
    for (const c of members) await c.close();
  });
});
