/**
 * `loglab stream --detect` when a second member joins its group mid-stream and takes a
 * partition: the partition leaves the detector's merge at the revoke. Before, it stayed in,
 * behind (its last batch ended below the high watermark), and held back every record of the
 * partitions the stream kept, with their alerts, until a million were held. What the merge
 * held of it is dropped and was never committed: the new owner starts at the oldest of it.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runStream } from '../../src/pipeline/run-stream';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import type { Consumer, TopicPartitionOffset } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { smallStreamPolls } from './stream-harness';

describe('the stream with detection when a rebalance moves a partition away', () => {
  it('holds nothing back for it after the revoke, and commits none of what it held of it', async () => {
    const broker = createMemoryBroker();
    const detector = createStreamDetector({ parse: parseAuto });
    const detection = streamDetection(broker, detector, {
      topic: 'raw',
      groupId: 'stream',
      log: () => {},
    });
    const stop = new AbortController();
    let polls = 0;
    let other: Consumer<string> | null = null;
    let committedBefore: TopicPartitionOffset[] = [];
    let heldAtRevoke = 0;
    const heldAfter: number[] = [];
    const watch = async (batches: readonly unknown[]) => {
      if (batches.length === 0) return;
      polls++;
      if (other !== null) heldAfter.push(detector.held());
      // What the commit after this poll covers: the handlers are done with it.
      if (polls === 2) committedBefore = detector.commitOffsets();
      if (polls === 3) {
        // Each partition's batches so far ended below its high watermark: the merge holds the
        // one that is ahead back for the other.
        heldAtRevoke = detector.held();
        // A member sorting after "loglab-stream-…" joins: round-robin gives it partition 1, and
        // partition 0 is left alone in the merge.
        other = (await broker.subscribe({
          groupId: 'stream',
          topics: ['raw'],
          clientId: 'other',
        })) as Consumer<string>;
      }
      if (polls === 20) stop.abort();
    };
    await runStream(smallStreamPolls(broker), {
      generate: defaultOptions({ seed: 3, lines: 20_000, incidents: [...INCIDENT_KINDS] }),
      topic: 'raw',
      partitions: 2,
      groupId: 'stream',
      handlers: [detection, watch],
      stopConsuming: stop.signal,
      // A commit after every poll: the last one before the revoke is exact.
      commitIntervalMs: 0,
    });
    expect(committedBefore.map((o) => o.partition).sort()).toEqual([0, 1]);
    expect(heldAtRevoke).toBeGreaterThan(0);
    expect(heldAfter).toHaveLength(17);
    expect(heldAfter.filter((held) => held > 0)).toEqual([]);
    // The new owner of partition 1 starts where the stream's last commit before the revoke
    // left it: at the oldest record held of it then, not after the last one polled (100).
    const lag = await broker.groupLag('stream', ['raw']);
    const p1 = committedBefore.find((o) => o.partition === 1)?.offset;
    expect(p1).toBeLessThan(100);
    expect(lag.partitions[1].committed).toBe(p1);
    expect(detector.counts().late).toBe(0);
    await (other as Consumer<string> | null)?.close();
    await broker.close();
  });
});
