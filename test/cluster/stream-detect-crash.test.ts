/**
 * `loglab stream --detect` on real Kafka, crashed while the detector's partition merge holds
 * records back: its commits never went past them, so the same group, started again, reads them
 * and alerts exactly as a run that never crashed (test/pipeline/stream-detection-crash.test.ts
 * does the same on the embedded broker). Its own topic and groups, deleted afterwards.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { runStream } from '../../src/pipeline/run-stream';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import { formatAlert } from '../../src/realtime/alert';
import type { Broker, Consumer } from '../../src/stream/broker';

const config = loadConfig();
const run = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const TOPIC = `loglab.test.stream-crash.${run}`;
const GROUP = `loglab.test.stream-crash.${run}`;
const WHOLE = `loglab.test.stream-crash-whole.${run}`;
const LINES = 5000;
let broker: Broker;

beforeAll(async () => {
  broker = createBroker('cluster', config);
  try {
    await broker.listTopics();
  } catch (err) {
    throw new Error(`${(err as Error).message} (these tests need the real broker)`);
  }
});

afterAll(async () => {
  await broker?.close();
  const admin = new Kafka({
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.deleteGroups([GROUP, WHOLE]).catch(() => undefined);
  await admin.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
  await admin.disconnect();
});

/**
 * The broker with the stream's first poll made one record, which the merge must hold (the
 * other partitions have delivered nothing yet) whichever partition kafkajs serves first.
 */
function firstPollOfOne(inner: Broker): Broker {
  const wrapped: Broker = Object.create(inner);
  wrapped.subscribe = (async (opts: Parameters<Broker['subscribe']>[0]) => {
    const consumer = (await inner.subscribe(opts)) as Consumer<string>;
    if (opts.clientId !== 'loglab-stream') return consumer;
    const small: Consumer<string> = Object.create(consumer);
    let polls = 0;
    small.poll = (o = {}) => consumer.poll({ ...o, maxRecords: polls++ === 0 ? 1 : 100 });
    return small;
  }) as Broker['subscribe'];
  return wrapped;
}

/** Every alert line and the records read, replaying the topic in `groupId` from its commits on. */
async function replay(groupId: string) {
  const alerts: string[] = [];
  const detector = createStreamDetector({
    parse: parseAuto,
    onAlert: (alert) => alerts.push(formatAlert(alert)),
  });
  await runDetection(broker, detector, { topic: TOPIC, groupId, toEnd: true, log: () => {} });
  return { alerts, read: detector.counts().read, late: detector.counts().late };
}

describe('loglab stream --detect crashed on real Kafka', () => {
  it('commits nothing the merge holds: the same group started again alerts as a run without the crash', async () => {
    const detector = createStreamDetector({ parse: parseAuto });
    const detection = streamDetection(broker, detector, {
      topic: TOPIC,
      groupId: GROUP,
      log: () => {},
    });
    let polls = 0;
    let heldAtCrash = 0;
    const crash = async (batches: readonly unknown[]) => {
      if (batches.length === 0 || ++polls < 2) return;
      heldAtCrash = detector.held();
      // The producer finishes (the crash takes only the consumer side), then the process dies.
      for (;;) {
        const ends = (await broker.describeTopic(TOPIC)).partitions.map((p) => p.end);
        if (ends.reduce((a, b) => a + b, 0) === LINES) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('crashed');
    };
    await expect(
      runStream(firstPollOfOne(broker), {
        generate: defaultOptions({ seed: 3, lines: LINES, incidents: [...INCIDENT_KINDS] }),
        topic: TOPIC,
        partitions: 3,
        groupId: GROUP,
        handlers: [detection, crash],
      }),
    ).rejects.toThrow('crashed');
    expect(heldAtCrash).toBeGreaterThan(0);

    const whole = await replay(WHOLE);
    expect(whole.read).toBe(LINES);
    expect(whole.alerts.length).toBeGreaterThan(0);
    expect(await replay(GROUP)).toEqual(whole);
  });
});
