/**
 * `loglab stream`'s count and checksum when a partition leaves the stream's member and comes
 * back: a second member joins the group mid-stream, takes a partition, and leaves without
 * committing. The partition returns from the group's committed offset, behind what the stream
 * had read of it: those records come to the handlers again (a new owner reads them as well),
 * but each is counted and checksummed once, so the run still ends when it has read every line
 * it produced, and the checksums agree.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions } from '../../src/generate/index';
import { runStream } from '../../src/pipeline/run-stream';
import type { Broker, Consumer, RecordBatch } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { smallStreamPolls } from './stream-harness';

/**
 * A handler that counts how often each offset reaches it, and at the 4th poll with records has
 * a member sorting after "loglab-stream-…" join (round-robin gives it partition 1), which
 * leaves at the 6th having committed nothing: partition 1 comes back from the group's commit.
 */
function memberTakesPartitionOne(broker: Broker) {
  let polls = 0;
  let other: Consumer<string> | null = null;
  /** Per partition, how many times each offset reached the handlers. */
  const handed = [new Map<number, number>(), new Map<number, number>()];
  const watch = async (batches: readonly RecordBatch<string>[]) => {
    for (const b of batches) {
      for (const r of b.records) {
        handed[b.partition].set(r.offset, (handed[b.partition].get(r.offset) ?? 0) + 1);
      }
    }
    if (batches.length === 0) return;
    polls++;
    if (polls === 4) {
      other = (await broker.subscribe({
        groupId: 'stream',
        topics: ['raw'],
        clientId: 'other',
      })) as Consumer<string>;
    }
    if (polls === 6) await (other as Consumer<string> | null)?.close();
  };
  return { watch, handed };
}

describe('the stream when a partition leaves and comes back', () => {
  it('counts and checksums each record once, and reads every line it produced', async () => {
    const broker = createMemoryBroker();
    const { watch, handed } = memberTakesPartitionOne(broker);
    const run = await runStream(smallStreamPolls(broker), {
      generate: defaultOptions({ seed: 5, lines: 3_000 }),
      topic: 'raw',
      partitions: 2,
      groupId: 'stream',
      handlers: [watch],
      // No commit before the revoke: everything read of partition 1 comes again.
      commitIntervalMs: 60_000,
    });
    // The setting the test needs: some records of partition 1 reached the handlers twice.
    const twice = [...handed[1].values()].filter((n) => n === 2).length;
    expect(twice).toBeGreaterThan(0);
    expect(run.produced).toBe(3_000);
    expect(run.consumed).toBe(3_000);
    expect(run).toMatchObject({ skipped: 0, resumed: 0 });
    expect(run.checksum.consumed).toBe(run.checksum.produced);
    expect(run.checksum.equal).toBe(true);
    // Every produced offset reached the handlers.
    const end = await broker.groupLag('stream', ['raw']);
    for (const p of end.partitions) expect(handed[p.partition].size).toBe(p.end);
    await broker.close();
  });

  it('with --resume: the resumed records too are counted once', async () => {
    const broker = createMemoryBroker();
    // An earlier run's 1,000 lines, which group `stream` never got past: its commits are at 0.
    await runStream(broker, {
      generate: defaultOptions({ seed: 4, lines: 1_000 }),
      topic: 'raw',
      partitions: 2,
      groupId: 'earlier',
    });
    const crashed = await broker.subscribe({ groupId: 'stream', topics: ['raw'] });
    await crashed.commit([0, 1].map((partition) => ({ topic: 'raw', partition, offset: 0 })));
    await crashed.close();
    const { watch, handed } = memberTakesPartitionOne(broker);
    const run = await runStream(smallStreamPolls(broker), {
      generate: defaultOptions({ seed: 5, lines: 2_000 }),
      resume: true,
      topic: 'raw',
      partitions: 2,
      groupId: 'stream',
      handlers: [watch],
      commitIntervalMs: 60_000,
    });
    expect([...handed[1].values()].filter((n) => n === 2).length).toBeGreaterThan(0);
    expect(run).toMatchObject({ produced: 2_000, consumed: 2_000, resumed: 1_000, skipped: 0 });
    expect(run.checksum.equal).toBe(true);
    await broker.close();
  });
});
