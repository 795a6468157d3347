/**
 * A restarted `loglab stream --detect` whose resumed partitions come one after another: the
 * first poll brings one partition, the next finds nothing, and the others come only after the
 * merge's idle time. Each resumed partition has records to read from the group's commits on,
 * so it holds the others back until it delivers, as in a `loglab detect` replay from the same
 * commits (which marks them behind from the group's lag at its start). Before, the stream's
 * merge took them for caught up: once quiet past the idle time, after a poll that found
 * nothing, they went idle, the first partition was released on its own, and the others' records
 * came in behind the watermark: late, and the alerts differed from the replay's.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { runStream } from '../../src/pipeline/run-stream';
import type { Broker, PollResult, RecordBatch } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { replay, streamWithDetection, withStreamPoll } from './stream-harness';

const LINES = 3000;
const IDLE_MS = 50;

/**
 * The broker with the stream's first poll giving one partition only; the next poll waits past
 * the idle time and finds nothing; the one after gives the rest of the first poll.
 */
function onePartitionFirst(broker: Broker): Broker {
  return withStreamPoll(broker, (consumer) => {
    let polls = 0;
    let rest: RecordBatch<string>[] = [];
    const poll = async (o = {}): Promise<PollResult<string>> => {
      polls++;
      if (polls === 2) {
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
        return { kind: 'idle' };
      }
      if (polls === 3) {
        return {
          kind: 'records',
          batches: rest,
          count: rest.reduce((n, b) => n + b.records.length, 0),
        };
      }
      const result = await consumer.poll(o);
      if (polls > 1 || result.kind !== 'records') return result;
      const [first, ...others] = result.batches;
      rest = others;
      return { kind: 'records', batches: [first], count: first.records.length };
    };
    return poll;
  });
}

describe('a restarted stream whose resumed partitions deliver one after another', () => {
  it('holds the first back until the others deliver, and alerts as a replay from the same commits', async () => {
    const broker = createMemoryBroker();
    await runStream(broker, {
      generate: defaultOptions({ seed: 3, lines: LINES, incidents: [...INCIDENT_KINDS] }),
      topic: 'raw',
      partitions: 3,
      groupId: 'producing',
    });
    // A crashed run of group `stream` whose merge held every record: its commits are the starts.
    for (const groupId of ['stream', 'never-crashed']) {
      const member = await broker.subscribe({ groupId, topics: ['raw'] });
      await member.commit([0, 1, 2].map((partition) => ({ topic: 'raw', partition, offset: 0 })));
      await member.close();
    }

    const alerts: string[] = [];
    const { detector, detection } = streamWithDetection(broker, alerts, IDLE_MS);
    const summary = await runStream(onePartitionFirst(broker), {
      generate: defaultOptions({ seed: 4, lines: 0 }),
      resume: true,
      topic: 'raw',
      partitions: 3,
      groupId: 'stream',
      handlers: [detection],
    });
    expect(summary.resumed).toBe(LINES);

    const replayed = await replay(broker, 'never-crashed');
    expect(replayed.counts).toMatchObject({ read: LINES, late: 0 });
    expect(replayed.alerts.length).toBeGreaterThan(0);
    expect(detector.counts()).toMatchObject({ read: LINES, late: 0 });
    expect(alerts).toEqual(replayed.alerts);
    await broker.close();
  });
});
