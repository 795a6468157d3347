import { describe, expect, it } from 'vitest';
import type { Broker, RecordBatch } from '../../src/stream/broker';
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
      stoppedBy: 'max',
    });
    expect(seen.length).toBe(250);
    expect((await broker.groupLag('g')).total).toBe(750);
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
});
