import { describe, expect, it } from 'vitest';
import type { Broker, CommitResult, Consumer, RecordBatch } from '../../src/stream/broker';
import { runConsumer } from '../../src/stream/consume-loop';
import { createMemoryBroker } from '../../src/stream/memory-broker';

async function withRecords(count: number): Promise<Broker> {
  const broker = createMemoryBroker();
  await broker.createTopics([{ name: 't', partitions: 3 }]);
  const messages = Array.from({ length: count }, (_, i) => ({ key: `k${i % 10}`, value: `v${i}` }));
  await broker.produce('t', messages);
  return broker;
}

const flat = (batches: readonly RecordBatch[]) =>
  batches.flatMap((b) => b.records.map((r) => r.value));

describe('runConsumer: poll, process, commit', () => {
  it('stops after exactly maxRecords and commits them', async () => {
    const broker = await withRecords(1000);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const seen: string[] = [];
    const summary = await runConsumer(c, (b) => void seen.push(...flat(b)), {
      maxRecords: 250,
      pollRecords: 100,
    });
    expect(summary).toEqual({
      records: 250,
      polls: 3,
      commits: 3,
      refusedCommits: 0,
      uncommitted: false,
      stoppedBy: 'max',
    });
    expect(seen.length).toBe(250);
    expect((await broker.groupLag('g')).total).toBe(750);
  });

  it('says when a poll found nothing, and goes on polling', async () => {
    const broker = await withRecords(5);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const ac = new AbortController();
    const events: string[] = [];
    const summary = await runConsumer(c, (b) => void events.push(`batch ${flat(b).length}`), {
      signal: ac.signal,
      maxWaitMs: 5,
      onIdle: () => {
        events.push('idle');
        if (events.length === 3) ac.abort();
      },
    });
    expect(events).toEqual(['batch 5', 'idle', 'idle']);
    expect(summary.stoppedBy).toBe('aborted');
    await c.close();
  });

  it('reads what is there and stops when idle', async () => {
    const broker = await withRecords(120);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const summary = await runConsumer(c, () => undefined, { stopWhenIdle: true, maxWaitMs: 0 });
    expect(summary).toMatchObject({ records: 120, stoppedBy: 'idle' });
    expect((await broker.groupLag('g')).total).toBe(0);
  });

  it('on abort (Ctrl-C) finishes and commits the batch in hand, then returns', async () => {
    const broker = await withRecords(1000);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const controller = new AbortController();
    let handled = 0;
    const summary = await runConsumer(
      c,
      async (batches) => {
        controller.abort(); // the signal arrives while this batch is being processed
        await new Promise((r) => setTimeout(r, 5));
        handled += batches.reduce((n, b) => n + b.records.length, 0);
      },
      { signal: controller.signal, pollRecords: 300 },
    );
    expect(summary).toEqual({
      records: 300,
      polls: 1,
      commits: 1,
      refusedCommits: 0,
      uncommitted: false,
      stoppedBy: 'aborted',
    });
    expect(handled).toBe(300);
    expect((await broker.groupLag('g')).total).toBe(700);
    await c.close();
  });

  it('returns at once when aborted while waiting for records', async () => {
    const broker = await withRecords(0);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'] });
    const controller = new AbortController();
    const running = runConsumer(c, () => undefined, {
      signal: controller.signal,
      maxWaitMs: 60_000,
    });
    setTimeout(() => controller.abort(), 10);
    expect(await running).toEqual({
      records: 0,
      polls: 1,
      commits: 0,
      refusedCommits: 0,
      uncommitted: false,
      stoppedBy: 'aborted',
    });
  });

  it('commits nothing of a batch whose processing failed, so it is delivered again', async () => {
    const broker = await withRecords(30);
    const c = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    await expect(
      runConsumer(c, () => {
        throw new Error('sink is full');
      }),
    ).rejects.toThrow('sink is full');
    await c.close();
    expect((await broker.groupLag('g', ['t'])).total).toBe(30);
    const again = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    const seen: string[] = [];
    await runConsumer(again, (b) => void seen.push(...flat(b)), {
      stopWhenIdle: true,
      maxWaitMs: 0,
    });
    expect(seen.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
  });

  it('commits a last batch refused in a rebalance once the member has rejoined', async () => {
    const broker = await withRecords(300);
    const inner = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    // The group refuses the commit after the last poll twice, as while a member joins.
    let refusals = 2;
    let commitCalls = 0;
    const c: Consumer = {
      ...inner,
      async commit(offsets): Promise<CommitResult> {
        commitCalls++;
        if (commitCalls >= 3 && refusals > 0) {
          refusals--;
          return { kind: 'rebalancing', offsets: [] };
        }
        return inner.commit(offsets);
      },
    };
    const summary = await runConsumer(c, () => undefined, { maxRecords: 300, pollRecords: 100 });
    expect(summary).toEqual({
      records: 300,
      polls: 3,
      commits: 3,
      refusedCommits: 2,
      uncommitted: false,
      stoppedBy: 'max',
    });
    expect((await broker.groupLag('g')).total).toBe(0);
  });

  it('says so when the last commit stays refused: those records come again', async () => {
    const broker = await withRecords(300);
    const inner = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    let commitCalls = 0;
    const c: Consumer = {
      ...inner,
      async commit(offsets): Promise<CommitResult> {
        commitCalls++;
        if (commitCalls >= 3) return { kind: 'rebalancing', offsets: [] };
        return inner.commit(offsets);
      },
    };
    const summary = await runConsumer(c, () => undefined, { maxRecords: 300, pollRecords: 100 });
    expect(summary).toMatchObject({ records: 300, commits: 2, uncommitted: true });
    expect(summary.refusedCommits).toBe(11);
    expect((await broker.groupLag('g')).total).toBe(100);
  });

  it('says so when a rebalance took a partition before its records were committed', async () => {
    const broker = await withRecords(300);
    const inner = await broker.subscribe({ groupId: 'g', topics: ['t'], fromBeginning: true });
    let commitCalls = 0;
    const c: Consumer = {
      ...inner,
      async commit(offsets): Promise<CommitResult> {
        commitCalls++;
        const r = await inner.commit(offsets);
        if (commitCalls === 2 && r.kind === 'committed') {
          return { ...r, revoked: [{ topic: 't', partition: 1 }] };
        }
        return r;
      },
    };
    const summary = await runConsumer(c, () => undefined, { maxRecords: 300, pollRecords: 100 });
    expect(summary).toMatchObject({
      records: 300,
      commits: 3,
      refusedCommits: 0,
      uncommitted: true,
    });
  });
});
