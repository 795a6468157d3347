/**
 * `loglab stream --detect` (and the demo) crashing while the detector's partition merge holds
 * records back: the stream's commits never went past them, so the same group, started again,
 * reads them and alerts exactly as a run that never crashed. Before, each poll was committed as
 * soon as the handlers returned, held records and all: the group resumed past them, and the
 * alerts they carried were lost.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { runStream } from '../../src/pipeline/run-stream';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import { formatAlert } from '../../src/realtime/alert';
import type { Broker, Consumer } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const LINES = 5000;

/** The broker with the stream's polls made small (100 records), so they take turns by partition. */
function smallStreamPolls(broker: Broker): Broker {
  return {
    ...broker,
    async subscribe(opts) {
      const consumer = (await broker.subscribe(opts)) as Consumer<string>;
      if (opts.clientId !== 'loglab-stream') return consumer;
      return { ...consumer, poll: (o = {}) => consumer.poll({ ...o, maxRecords: 100 }) };
    },
  } as Broker;
}

/** Every alert line and the records read, replaying `raw` in `groupId` from its commits on. */
async function replay(broker: Broker, groupId: string) {
  const alerts: string[] = [];
  const detector = createStreamDetector({
    parse: parseAuto,
    onAlert: (alert) => alerts.push(formatAlert(alert)),
  });
  await runDetection(broker, detector, { topic: 'raw', groupId, toEnd: true, log: () => {} });
  return { alerts, read: detector.counts().read, late: detector.counts().late };
}

describe('the stream with detection, crashed while the merge holds records', () => {
  it('commits none of them: the same group started again alerts as a run without the crash', async () => {
    const broker = createMemoryBroker();
    const detector = createStreamDetector({ parse: parseAuto });
    const detection = streamDetection(broker, detector, {
      topic: 'raw',
      groupId: 'stream',
      log: () => {},
    });
    let polls = 0;
    let heldAtCrash = 0;
    const crash = async (batches: readonly unknown[]) => {
      if (batches.length === 0 || ++polls < 2) return;
      // The first poll brought one partition: the merge holds it for the two not read yet.
      heldAtCrash = detector.held();
      // The producer finishes (the crash takes only the consumer side), then the process dies.
      for (;;) {
        const ends = (await broker.describeTopic('raw')).partitions.map((p) => p.end);
        if (ends.reduce((a, b) => a + b, 0) === LINES) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('crashed');
    };
    await expect(
      runStream(smallStreamPolls(broker), {
        generate: defaultOptions({ seed: 3, lines: LINES, incidents: [...INCIDENT_KINDS] }),
        topic: 'raw',
        partitions: 3,
        groupId: 'stream',
        handlers: [detection, crash],
      }),
    ).rejects.toThrow('crashed');
    expect(heldAtCrash).toBeGreaterThan(0);
    expect(detector.takeAlerts()).toEqual([]);

    const whole = await replay(broker, 'never-crashed');
    expect(whole.read).toBe(LINES);
    expect(whole.alerts.length).toBeGreaterThan(0);
    expect(await replay(broker, 'stream')).toEqual(whole);
    await broker.close();
  });
});
