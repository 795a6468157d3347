/**
 * On the embedded broker the stream's producer waits for its consumer (STREAM_AHEAD_RECORDS):
 * before, it ran ahead as far as the broker's retention let it, and a consumer slower than the
 * generator lost what the retention dropped before it was read (the checksums then differed).
 * Here the consumer is made slow on purpose, with `loglab stream`'s retention.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions } from '../../src/generate/index';
import {
  runStream,
  STREAM_AHEAD_RECORDS,
  STREAM_RETENTION_BYTES,
  streamRetentionBytes,
} from '../../src/pipeline/run-stream';
import type { RecordBatch } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const LINES = 400_000;

/** Spins for about `us` microseconds per record: a consumer slower than the generator. */
function slowly(batches: readonly RecordBatch<string>[], us: number): void {
  let records = 0;
  for (const b of batches) records += b.records.length;
  const until = performance.now() + (records * us) / 1000;
  while (performance.now() < until) {
    // busy: the producer shares this thread, as in `loglab stream`
  }
}

describe('the stream on the embedded broker', () => {
  it("holds the producer back so that a slow consumer reads every line before the broker's retention drops it", async () => {
    const broker = createMemoryBroker({ retentionBytes: STREAM_RETENTION_BYTES });
    let unreadMost = 0;
    const summary = await runStream(broker, {
      generate: defaultOptions({ seed: 7, lines: LINES }),
      topic: 'raw',
      handlers: [
        async (batches) => {
          // After each poll: the most records a partition holds beyond what was read.
          const ends = (await broker.describeTopic('raw')).partitions;
          for (const b of batches) {
            const read = b.records[b.records.length - 1].offset + 1;
            const end = ends.find((p) => p.partition === b.partition)?.end ?? read;
            unreadMost = Math.max(unreadMost, end - read);
          }
          slowly(batches, 2);
          // …and waits on something (a write, a timer), giving the producer the thread meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 2));
        },
      ],
    });
    // 400,000 lines of about 265 bytes: far more than 6 partitions of 16 MiB keep.
    expect(summary.produced).toBe(LINES);
    expect(summary.consumed).toBe(LINES);
    expect(summary.checksum.equal).toBe(true);
    expect(summary.lag).toBe(0);
    // Ahead by the limit and at most a batch (1,000) and a chunk of generated lines more.
    expect(unreadMost).toBeGreaterThan(0);
    expect(unreadMost).toBeLessThanOrEqual(STREAM_AHEAD_RECORDS + 4_096);
    await broker.close();
  }, 60_000);

  it('keeps room for a larger batch: all of it may land on one partition before the producer looks again', async () => {
    // The line producer gathers lines across generated chunks up to a batch: with --batch
    // 40000 on one partition, up to 60,000 records go unread, more than 16 MiB keeps.
    const batchSize = 40_000;
    const broker = createMemoryBroker({ retentionBytes: streamRetentionBytes(batchSize) });
    const summary = await runStream(broker, {
      generate: defaultOptions({ seed: 8, lines: LINES }),
      topic: 'raw',
      partitions: 1,
      batchSize,
      handlers: [
        async (batches) => {
          slowly(batches, 2);
          await new Promise((resolve) => setTimeout(resolve, 2));
        },
      ],
    });
    expect([summary.produced, summary.consumed, summary.checksum.equal]).toEqual([
      LINES,
      LINES,
      true,
    ]);
    await broker.close();
  }, 60_000);
});
