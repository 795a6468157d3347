/**
 * What a restarted `loglab stream --detect` resumes is what the crashed run of its group read
 * from its own start on and did not commit: no more (the older messages that run skipped), no
 * less (a partition it never got a record of before it crashed). So the crashed run commits, on
 * each partition it owns, at least where its own messages start. Before, a partition it never
 * got a record of was not committed at all, and the restart skipped all of it while a replay
 * from the same commits read it: the alerts differed.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { runStream } from '../../src/pipeline/run-stream';
import type { StreamDetector } from '../../src/pipeline/stream-detector';
import type { Broker, PollResult, RecordBatch } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { replay, streamWithDetection, withStreamPoll } from './stream-harness';

const OLDER = 2000;
const LINES = 3000;
const IDLE_MS = 50;
/** The partition the crashed run never gets a record of. */
const SILENT = 2;

/**
 * The broker with the crashed run's polls small, none of partition SILENT, and every other one
 * finding nothing after the merge's idle time, so that SILENT goes idle and the others' records
 * are released without it.
 */
function withoutSilent(broker: Broker): Broker {
  return withStreamPoll(broker, (consumer) => {
    let polls = 0;
    const poll = async (o = {}): Promise<PollResult<string>> => {
      if (++polls % 2 === 0) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2));
        return { kind: 'idle' };
      }
      const result = await consumer.poll({ ...o, maxRecords: 100 });
      if (result.kind !== 'records') return result;
      const batches = result.batches.filter((b) => b.partition !== SILENT);
      if (batches.length === 0) return { kind: 'idle' };
      return {
        kind: 'records',
        batches,
        count: batches.reduce((n, b) => n + b.records.length, 0),
      };
    };
    return poll;
  });
}

async function ends(broker: Broker): Promise<number[]> {
  return (await broker.describeTopic('raw')).partitions.map((p) => p.end);
}

describe('a stream crashed on a used topic before one partition delivered', () => {
  it('commits its start on every partition, and the restart resumes from there and alerts as a replay from the same commits', async () => {
    const broker = createMemoryBroker();
    await runStream(broker, {
      generate: defaultOptions({ seed: 2, lines: OLDER }),
      topic: 'raw',
      partitions: 3,
      groupId: 'earlier',
    });
    const starts = await ends(broker);

    const first = streamWithDetection(broker, [], IDLE_MS);
    const crash = (detector: StreamDetector) => async (batches: readonly RecordBatch<string>[]) => {
      const released = detector.counts().read > detector.held();
      if (batches.length === 0 || !released || detector.held() === 0) return;
      // The producer finishes (the crash takes only the consumer side), then the process dies.
      while ((await ends(broker)).reduce((a, b) => a + b, 0) < OLDER + LINES) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('crashed');
    };
    await expect(
      runStream(withoutSilent(broker), {
        generate: defaultOptions({ seed: 3, lines: LINES, incidents: [...INCIDENT_KINDS] }),
        topic: 'raw',
        partitions: 3,
        groupId: 'stream',
        handlers: [crash(first.detector), first.detection],
        commitIntervalMs: 0,
      }),
    ).rejects.toThrow('crashed');
    const committed = (await broker.groupLag('stream', ['raw'])).partitions
      .map((p) => ({ partition: p.partition, offset: p.committed }))
      .sort((a, b) => a.partition - b.partition);
    const held = new Map(first.detector.commitOffsets().map((o) => [o.partition, o.offset]));
    expect(held.has(SILENT)).toBe(false);
    // Where the detector holds records back, else where this run's messages start.
    expect(committed).toEqual(
      starts.map((start, partition) => ({
        partition,
        offset: Math.max(held.get(partition) ?? start, start),
      })),
    );
    const toResume =
      (await ends(broker)).reduce((a, b) => a + b, 0) -
      committed.reduce((n, c) => n + (c.offset ?? 0), 0);
    // The silent partition's messages of this run are all to resume.
    expect(toResume).toBeGreaterThanOrEqual((await ends(broker))[SILENT] - starts[SILENT]);

    const alerts: string[] = [];
    const second = streamWithDetection(broker, alerts);
    const summary = await runStream(broker, {
      generate: defaultOptions({ seed: 4, lines: 0 }),
      resume: true,
      topic: 'raw',
      partitions: 3,
      groupId: 'stream',
      handlers: [second.detection],
    });
    expect(summary).toMatchObject({ consumed: 0, skipped: 0, resumed: toResume, lag: 0 });
    expect(second.detector.counts().read).toBe(toResume);

    const reference = await broker.subscribe({ groupId: 'never-crashed', topics: ['raw'] });
    await reference.commit(
      committed.map(({ partition, offset }) => ({ topic: 'raw', partition, offset: offset ?? 0 })),
    );
    await reference.close();
    const replayed = await replay(broker, 'never-crashed');
    expect(replayed.counts.read).toBe(toResume);
    expect(replayed.alerts.length).toBeGreaterThan(0);
    expect(alerts).toEqual(replayed.alerts);
    await broker.close();
  });
});
