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
import type { Consumer, RecordBatch } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { smallStreamPolls } from './stream-harness';

describe('the stream when a partition leaves and comes back', () => {
  it('counts and checksums each record once, and reads every line it produced', async () => {
    const broker = createMemoryBroker();
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
      // A member sorting after "loglab-stream-…" joins: round-robin gives it partition 1.
      if (polls === 4) {
        other = (await broker.subscribe({
          groupId: 'stream',
          topics: ['raw'],
          clientId: 'other',
        })) as Consumer<string>;
      }
      // It leaves having committed nothing: partition 1 comes back from the group's commit.
      if (polls === 6) await (other as Consumer<string> | null)?.close();
    };
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
    expect(run.checksum.consumed).toBe(run.checksum.produced);
    expect(run.checksum.equal).toBe(true);
    // Every produced offset reached the handlers.
    const end = await broker.groupLag('stream', ['raw']);
    for (const p of end.partitions) expect(handed[p.partition].size).toBe(p.end);
    await broker.close();
  });
});
