/**
 * `loglab detect --topic … --to-end` in a group another member already reads: the group gives
 * this member some of the partitions, its replay ends at their ends, and the run says which it
 * read of how many, where before its counts passed for the whole topic's.
 */
import { describe, expect, it } from 'vitest';
import { sharedGroupNote } from '../../src/cli/streaming';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import { createMemoryBroker } from '../../src/stream/memory-broker';

describe('detection in a shared group', () => {
  it('reports the partitions this member owned and how many the topic has', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'raw', partitions: 4 }]);
    const lines = [...generateLines(defaultOptions({ seed: 5, lines: 2000 }))];
    await broker.produce(
      'raw',
      lines.map((value) => ({ key: value.slice(0, value.indexOf(' ')), value })),
    );
    // Another member of the group, already there: the group splits the partitions between them.
    const other = await broker.subscribe({ groupId: 'g', topics: ['raw'] });
    const detector = createStreamDetector({ parse: parseAuto });
    const run = await runDetection(broker, detector, {
      topic: 'raw',
      groupId: 'g',
      toEnd: true,
      maxWaitMs: 0,
    });
    expect(run.stoppedBy).toBe('end');
    expect(run.topicPartitions).toBe(4);
    expect(run.partitionsOwned.length).toBe(2);
    expect(detector.counts().read).toBeLessThan(2000);
    expect(sharedGroupNote(run.partitionsOwned, run.topicPartitions)).toBe(
      `; this member read partitions ${run.partitionsOwned.join(', ')} of 4: other members of the group own the rest`,
    );
    await other.close();
    await broker.close();
  });

  it('adds nothing when the member read every partition', () => {
    expect(sharedGroupNote([0, 1, 2], 3)).toBe('');
    expect(sharedGroupNote([2], 3)).toBe(
      '; this member read partition 2 of 3: other members of the group own the rest',
    );
    expect(sharedGroupNote([], 2)).toBe(
      '; this member read none of 2: other members of the group own the rest',
    );
  });
});
