/**
 * The detectors on the stream's consumer side (`loglab stream --detect`, the demo) when a
 * partition of the topic gets nothing: the partition merge lets it go idle only after a poll
 * that found nothing to read (partition-merge.ts), so the stream's consumer loop must say when
 * a poll found nothing. Before, it said nothing, and the other partitions' records, with their
 * alerts, stayed held until the end of the stream (or ten times the idle time).
 */
import { describe, expect, it } from 'vitest';
import { parseAuto } from '../../src/log/auto';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import { runConsumer } from '../../src/stream/consume-loop';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { partitionForKey } from '../../src/stream/partitioner';

const LINE = (s: number) =>
  `203.0.113.7 - - [12/Mar/2024:10:00:${String(s).padStart(2, '0')} +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.0"`;

describe('stream detection with a partition that gets nothing', () => {
  it('releases the records held for it once a poll finds nothing to read', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'raw', partitions: 2 }]);
    // Every line keyed to partition 0; partition 1 stays empty.
    let key = 0;
    while (partitionForKey(`k${key}`, 2) !== 0) key++;
    await broker.produce(
      'raw',
      Array.from({ length: 5 }, (_, i) => ({ key: `k${key}`, value: LINE(i) })),
    );
    const detector = createStreamDetector({ parse: parseAuto, idleMs: 20 });
    const detection = streamDetection(broker, detector, {
      topic: 'raw',
      groupId: 'g',
      log: () => undefined,
    });
    const consumer = await broker.subscribe({
      groupId: 'g',
      topics: ['raw'],
      fromBeginning: true,
      onAssignment: detection.onAssignment,
    });
    const heldAtIdle: number[] = [];
    const ac = new AbortController();
    let idlePolls = 0;
    await runConsumer(consumer, detection.handle, {
      signal: ac.signal,
      maxWaitMs: 30,
      onIdle: async () => {
        await detection.handle([]);
        heldAtIdle.push(detector.held());
        if (++idlePolls === 3) ac.abort();
      },
    });
    await consumer.close();
    // The first idle poll comes within idleMs of the delivery; by the third partition 1 is idle.
    expect(heldAtIdle.at(-1)).toBe(0);
    expect(detector.counts()).toMatchObject({ read: 5, parsed: 5, late: 0 });
  });
});
