/**
 * `loglab detect` in a group whose second member joins mid-stream: the partition the first
 * member loses leaves its detector's merge. Before, it stayed in, still marked behind (its last
 * batch ended below the high watermark), and held every record of the partition the member
 * kept, with their alerts, until a million were held. What the merge held of the lost
 * partition is dropped, never committed: the new owner reads it (at least once).
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import type { Broker, Consumer, TopicPartitionOffset } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const lines = [
  ...generateLines(defaultOptions({ seed: 3, lines: 4000, incidents: [...INCIDENT_KINDS] })),
];

/** The broker with polls of at most `size` records. */
function smallPolls(broker: Broker, size: number): Broker {
  return {
    ...broker,
    async subscribe(opts) {
      const consumer = (await broker.subscribe(opts)) as Consumer<string>;
      return { ...consumer, poll: (o = {}) => consumer.poll({ ...o, maxRecords: size }) };
    },
  } as Broker;
}

describe('loglab detect when a rebalance moves a partition away', () => {
  it('drops the lost partition from the merge: nothing held back after the revoke, nothing of it committed past what was released', async () => {
    const inner = createMemoryBroker();
    await inner.createTopics([{ name: 'raw', partitions: 2 }]);
    await inner.produce(
      'raw',
      lines.map((value) => ({ key: value.slice(0, value.indexOf(' ')), value })),
    );
    const ends = (await inner.describeTopic('raw')).partitions.map((p) => p.end);
    const detector = createStreamDetector({ parse: parseAuto });
    let polls = 0;
    let other: Consumer<string> | null = null;
    let atRevoke: TopicPartitionOffset[] = [];
    let heldAtRevoke = 0;
    const heldAfter: number[] = [];
    await runDetection(smallPolls(inner, 100), detector, {
      topic: 'raw',
      groupId: 'g',
      fromBeginning: true,
      stopWhenIdle: true,
      maxWaitMs: 0,
      commitIntervalMs: 0,
      async onPoll() {
        polls++;
        if (other !== null) heldAfter.push(detector.held());
        if (polls !== 4) return;
        // Two polls of each partition so far (the member's polls take turns), each ending
        // below its high watermark: both are behind, and the merge holds the newer one back.
        atRevoke = detector.commitOffsets();
        heldAtRevoke = detector.held();
        // A second member sorts after this one ("loglab-detect-…"): it takes partition 1.
        other = (await inner.subscribe({
          groupId: 'g',
          topics: ['raw'],
          clientId: 'other',
        })) as Consumer<string>;
      },
    });
    expect(atRevoke.map((o) => o.partition)).toEqual([0, 1]);
    expect(heldAtRevoke).toBeGreaterThan(0);
    expect(heldAfter.length).toBeGreaterThan(5);
    expect(heldAfter.filter((held) => held > 0)).toEqual([]);
    // Partition 1 was committed exactly up to the oldest record held of it when it was lost:
    // its new owner starts there. Partition 0 was read and committed to its end.
    const lag = await inner.groupLag('g', ['raw']);
    expect(lag.partitions.map((p) => p.committed)).toEqual([ends[0], atRevoke[1].offset]);
    // What the detector read counts each record once: partition 0 whole, partition 1 up to
    // where the new owner starts.
    expect(detector.counts().read).toBe(ends[0] + atRevoke[1].offset);
    expect(detector.counts().late).toBe(0);
    await (other as Consumer<string> | null)?.close();
    await inner.close();
  });
});
