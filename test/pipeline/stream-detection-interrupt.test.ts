/**
 * Ctrl-C during a broker outage in `loglab stream --detect`: the alerts' flush waits for the
 * broker (stream-detection.ts), and the stream's stop signal must end that wait at once, with
 * the outage's error. Before, the wait went on for its five minutes after Ctrl-C.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { ALERTS_TOPIC } from '../../src/stream/topics';
import { brokerDown } from './going-away-broker';

describe('stream detection interrupted during a broker outage', () => {
  it('ends the wait for the broker at once when the stream is stopped', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([
      { name: 'raw', partitions: 1 },
      { name: ALERTS_TOPIC, partitions: 1 },
    ]);
    const broker: Broker = Object.create(memory);
    let down = false;
    broker.produce = async (topic, messages) => {
      if (down) throw brokerDown();
      return memory.produce(topic, messages);
    };
    broker.describeTopic = async (topic) => {
      if (down) throw brokerDown();
      return memory.describeTopic(topic);
    };
    const stop = new AbortController();
    const detector = createStreamDetector({ parse: parseAuto });
    const detection = streamDetection(broker, detector, {
      topic: 'raw',
      groupId: 'g',
      signal: stop.signal,
      log: () => undefined,
    });
    const lines = [
      ...generateLines(defaultOptions({ seed: 3, lines: 3000, incidents: [...INCIDENT_KINDS] })),
    ];
    const records = lines.map((value, offset) => ({
      topic: 'raw',
      partition: 0,
      offset,
      key: null,
      value,
      timestamp: 0,
    }));
    // A first, empty poll while the broker answers; then it goes away and Ctrl-C comes.
    await detection.handle([]);
    down = true;
    stop.abort();
    // Without the signal the flush waits for the broker (up to 5 minutes): the test times out.
    await expect(
      detection.handle([{ topic: 'raw', partition: 0, records, highWatermark: lines.length }]),
    ).rejects.toThrow(/^no Kafka broker answers/);
    expect(detector.counts().alerts).toBeGreaterThan(0);
  });
});
