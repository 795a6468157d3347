/**
 * `loglab stream` in a group another member shares (a `detect --topic` or a second stream with
 * the same --group): that member reads some partitions, so this run consumes fewer lines than it
 * produced and the checksums differ. The summary says which partitions this member read, and the
 * failure line says why, where it said only "consumed 1489 lines for 3000 produced".
 */
import { describe, expect, it } from 'vitest';
import { formatSummary, incompleteRun } from '../../src/cli/commands/stream';
import { sharedGroupNote } from '../../src/cli/streaming';
import { defaultOptions } from '../../src/generate/index';
import { runStream } from '../../src/pipeline/run-stream';
import type { Consumer, RecordBatch } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { smallStreamPolls } from './stream-harness';

describe('the stream in a shared group', () => {
  it('says which partitions it read when another member of its group read the rest', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'raw', partitions: 2 }]);
    // The other member: joined first, reads and commits what it owns until the run is over.
    const other = await broker.subscribe({ groupId: 'stream', topics: ['raw'], clientId: 'a' });
    let read = 0;
    let done = false;
    const reading = (async () => {
      while (!done) {
        const r = await other.poll({ maxWaitMs: 20 });
        if (r.kind === 'records') for (const b of r.batches) read += b.records.length;
        await other.commit();
      }
    })();
    const run = await runStream(broker, {
      generate: defaultOptions({ seed: 9, lines: 3_000 }),
      topic: 'raw',
      partitions: 2,
      groupId: 'stream',
    });
    done = true;
    await reading;
    await other.close();
    expect(run.partitionsRead).toHaveLength(1);
    expect(run.produced).toBe(3_000);
    expect(run.consumed + read).toBe(3_000);
    expect(run.consumed).toBeLessThan(3_000);
    expect(run.checksum.equal).toBe(false);
    const [mine] = run.partitionsRead;
    expect(
      formatSummary(run)
        .split('\n')
        .find((l) => l.startsWith('shared')),
    ).toBe(
      `shared     group stream: this member read ${mine} of 2 partitions, other members the rest`,
    );
    expect(sharedGroupNote(run.partitionsRead, run.partitions)).toBe(
      `; this member read partition ${mine} of 2: other members of the group own the rest`,
    );
    expect(incompleteRun(run)).toBe(
      `consumed ${run.consumed} lines for 3000 produced; this member read partition ${mine} of 2: other members of the group own the rest`,
    );
    await broker.close();
  }, 30_000);

  it('says which partitions left it when a member joined its group mid-run and read them', async () => {
    const broker = createMemoryBroker();
    let other: Consumer<string> | null = null;
    let read = 0;
    let polls = 0;
    let done = false;
    let reading: Promise<void> = Promise.resolve();
    // At the stream's 3rd poll with records a member joins, takes a partition, reads and commits.
    const join = async (batches: readonly RecordBatch<string>[]) => {
      if (batches.length === 0 || ++polls !== 3) return;
      const member = (await broker.subscribe({
        groupId: 'stream',
        topics: ['raw'],
        clientId: 'z',
      })) as Consumer<string>;
      other = member;
      reading = (async () => {
        while (!done) {
          const r = await member.poll({ maxWaitMs: 20 });
          if (r.kind === 'records') for (const b of r.batches) read += b.records.length;
          await member.commit();
        }
      })();
    };
    const run = await runStream(smallStreamPolls(broker), {
      generate: defaultOptions({ seed: 9, lines: 3_000 }),
      topic: 'raw',
      partitions: 2,
      groupId: 'stream',
      handlers: [join],
    });
    done = true;
    await reading;
    await (other as Consumer<string> | null)?.close();
    expect(read).toBeGreaterThan(0);
    expect(run.partitionsRead).toEqual([0, 1]);
    expect(run.partitionsLeft).toHaveLength(1);
    expect(run.consumed).toBeLessThan(3_000);
    expect(incompleteRun(run)).toBe(
      `consumed ${run.consumed} lines for 3000 produced; partition ${run.partitionsLeft[0]} left this member during the run: another member of the group may have read part of it`,
    );
    await broker.close();
  }, 30_000);

  it('alone in its group it read every partition, and the summary has no such row', async () => {
    const broker = createMemoryBroker();
    const run = await runStream(broker, {
      generate: defaultOptions({ seed: 9, lines: 1_000 }),
      topic: 'raw',
      partitions: 3,
      groupId: 'stream',
    });
    expect(run.partitionsRead).toEqual([0, 1, 2]);
    expect(run.partitionsLeft).toEqual([]);
    expect(run.checksum.equal).toBe(true);
    expect(incompleteRun(run)).toBe(null);
    expect(formatSummary(run)).not.toMatch(/^shared/m);
    await broker.close();
  });
});
