/**
 * `loglab stream --detect` on real Kafka, crashed while the detector's partition merge holds
 * records back: its commits never went past them, and the same group, started again with
 * `runStream` and no new lines, resumes what the crash left and alerts as a run from the same
 * commits that never crashed (test/pipeline/stream-detection-crash.test.ts does the same on the
 * embedded broker). Its own topic and groups, deleted afterwards.
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
import type { Broker, Consumer, RecordBatch } from '../../src/stream/broker';

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

/** `loglab stream --detect` on the topic in GROUP, its alert lines kept in `alerts`. */
function streamWithDetection(alerts: string[]) {
  const detector = createStreamDetector({ parse: parseAuto });
  const detection = streamDetection(broker, detector, {
    topic: TOPIC,
    groupId: GROUP,
    log: () => {},
    onAlerts: (list) => {
      for (const alert of list) alerts.push(formatAlert(alert));
    },
  });
  return { detector, detection };
}

describe('loglab stream --detect crashed on real Kafka', () => {
  it('commits nothing the merge holds, and the same group started again resumes it and alerts as a run without the crash', async () => {
    const alerts: string[] = [];
    const first = streamWithDetection(alerts);
    let heldAtCrash = 0;
    let offsetsAtCrash: { partition: number; offset: number }[] = [];
    // Runs before the detector: what it holds and may commit is that of the polls before,
    // each committed as it ended (commitIntervalMs 0).
    const crash = async (batches: readonly RecordBatch<string>[]) => {
      const released = first.detector.commitOffsets().some((o) => o.offset > 0);
      if (batches.length === 0 || !released || first.detector.held() === 0) return;
      heldAtCrash = first.detector.held();
      offsetsAtCrash = first.detector
        .commitOffsets()
        .map(({ partition, offset }) => ({ partition, offset }))
        .sort((a, b) => a.partition - b.partition);
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
        handlers: [crash, first.detection],
        commitIntervalMs: 0,
      }),
    ).rejects.toThrow('crashed');
    expect(heldAtCrash).toBeGreaterThan(0);
    const committed = (await broker.groupLag(GROUP, [TOPIC])).partitions
      .filter((p) => p.committed !== null)
      .map((p) => ({ partition: p.partition, offset: p.committed ?? 0 }))
      .sort((a, b) => a.partition - b.partition);
    expect(committed).toEqual(offsetsAtCrash);
    const committedTotal = committed.reduce((sum, p) => sum + p.offset, 0);
    expect(committedTotal).toBeGreaterThan(0);

    // The same group, started again with no new lines: it resumes what the crash left.
    const second = streamWithDetection(alerts);
    const summary = await runStream(broker, {
      generate: defaultOptions({ seed: 4, lines: 0 }),
      topic: TOPIC,
      partitions: 3,
      groupId: GROUP,
      handlers: [second.detection],
    });
    expect(second.detector.counts().read).toBe(LINES - committedTotal);

    // A run that never crashed, from the same commits: its windows too start from there (they
    // live in memory, so the records before the commits are not in them).
    const reference = await broker.subscribe({ groupId: WHOLE, topics: [TOPIC] });
    await reference.commit(
      committed.map(({ partition, offset }) => ({ topic: TOPIC, partition, offset })),
    );
    await reference.close();
    const whole = await replay(WHOLE);
    expect(whole.read).toBe(LINES - committedTotal);
    expect(whole.alerts.length).toBeGreaterThan(0);
    expect(alerts).toEqual(whole.alerts);
    // Counted as resumed, apart from this run's lines (none) and their checksum.
    expect(summary).toMatchObject({
      produced: 0,
      consumed: 0,
      skipped: 0,
      resumed: LINES - committedTotal,
      lag: 0,
    });
    expect(summary.checksum.equal).toBe(true);
  });
});
