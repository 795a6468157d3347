/**
 * The producing side of `loglab stream` (pipeline/stream-producer.ts), on the embedded broker:
 * every generated line acknowledged once, counted, and checksummed as the consumer side will
 * checksum it; a stop ends it early with what was taken still produced.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { produceStream, type StreamProducerJob } from '../../src/pipeline/stream-producer';
import { createChecksum } from '../../src/stream/checksum';
import { clientKey } from '../../src/stream/line-messages';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { partitionForKey } from '../../src/stream/partitioner';

const TOPIC = 'weblogs.raw';

function job(lines: number): StreamProducerJob {
  return {
    generate: defaultOptions({ lines, seed: 11 }),
    topic: TOPIC,
    partitions: 3,
    batchSize: 500,
  };
}

describe('produceStream', () => {
  it('produces every generated line once, with the checksum of the lines as generated', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: TOPIC, partitions: 3 }]);
    const acked: number[] = [];
    const run = produceStream(broker, job(12_345), (c) => acked.push(c.produced));
    const result = await run.done;
    const expected = createChecksum();
    for (const line of generateLines(job(12_345).generate)) {
      expected.add(partitionForKey(clientKey(line) as string, 3), line);
    }
    expect(result).toEqual({ digest: expected.digest(), stoppedEarly: false });
    expect(run.counts()).toEqual({ read: 12_345, produced: 12_345, deadLettered: 0 });
    const described = await broker.describeTopic(TOPIC);
    expect(described.partitions.reduce((n, p) => n + p.end, 0)).toBe(12_345);
    // Told after every acknowledged batch of 500, and once more at the end.
    expect(acked.length).toBe(Math.ceil(12_345 / 500) + 1);
    expect(acked[acked.length - 1]).toBe(12_345);
    await broker.close();
  });

  it('stops taking lines when stopped; what it took is still produced and counted', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: TOPIC, partitions: 3 }]);
    const run = produceStream(broker, job(2_000_000), (c) => {
      if (c.produced >= 1000) run.stop();
    });
    const result = await run.done;
    expect(result.stoppedEarly).toBe(true);
    const { read, produced } = run.counts();
    expect(produced).toBe(read);
    expect(produced).toBeGreaterThanOrEqual(1000);
    // The lines of the chunk in hand at most (256 KiB, under 2,000 lines), not the 2,000,000.
    expect(produced).toBeLessThan(3000);
    expect(result.digest.startsWith(`${produced}:`)).toBe(true);
    await broker.close();
  });
});
