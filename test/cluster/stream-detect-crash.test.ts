/**
 * `loglab stream --detect` on real Kafka, crashed while the detector's partition merge holds
 * records back: its commits never went past them, and the same group, started again with
 * `runStream` and no new lines, resumes what the crash left and alerts as a run from the same
 * commits that never crashed (test/pipeline/stream-detection-crash.test.ts does the same on the
 * embedded broker). The crashed run's own alert lines are kept apart from the restart's: they
 * are about records its commits cover, which neither the restart nor the replay reads. Each case
 * has its own topic and groups, deleted afterwards.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { defaultOptions, INCIDENT_KINDS } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { runStream } from '../../src/pipeline/run-stream';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { createStreamDetector, type StreamDetector } from '../../src/pipeline/stream-detector';
import { formatAlert } from '../../src/realtime/alert';
import type { Broker, Consumer, RecordBatch } from '../../src/stream/broker';

const config = loadConfig();
const run = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const TOPIC = `loglab.test.stream-crash.${run}`;
const GROUP = `loglab.test.stream-crash.${run}`;
const WHOLE = `loglab.test.stream-crash-whole.${run}`;
const LINES = 5000;
let broker: Broker;
/** Each case's topic and groups, deleted afterwards. */
const created: { topic: string; groups: string[] }[] = [];

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
  await admin.deleteGroups(created.flatMap((c) => c.groups)).catch(() => undefined);
  await admin.deleteTopics({ topics: created.map((c) => c.topic) }).catch(() => undefined);
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

/** Every alert line and the records read, replaying `topic` in `groupId` from its commits on. */
async function replay(topic: string, groupId: string) {
  const alerts: string[] = [];
  const detector = createStreamDetector({
    parse: parseAuto,
    onAlert: (alert) => alerts.push(formatAlert(alert)),
  });
  await runDetection(broker, detector, { topic, groupId, toEnd: true, log: () => {} });
  return { alerts, read: detector.counts().read, late: detector.counts().late };
}

/** `loglab stream --detect` on `topic` in `groupId`, its alert lines kept in `alerts`. */
function streamWithDetection(topic: string, groupId: string, alerts: string[]) {
  const detector = createStreamDetector({ parse: parseAuto });
  const detection = streamDetection(broker, detector, {
    topic,
    groupId,
    log: () => {},
    onAlerts: (list) => {
      for (const alert of list) alerts.push(formatAlert(alert));
    },
  });
  return { detector, detection };
}

/** When the first run crashes: its detector and the alert lines it has sent so far. */
type CrashPoint = (detector: StreamDetector, sent: readonly string[]) => boolean;

const CRASH_POINTS: [string, CrashPoint][] = [
  ['once the merge released records', (d) => d.commitOffsets().some((o) => o.offset > 0)],
  // Its alert lines are about records its commits cover: the restart, whose windows start
  // empty at the commits, neither sends them again nor should (a CI run counted them in).
  ['once it sent alert lines', (_, sent) => sent.length > 0],
];

describe('loglab stream --detect crashed on real Kafka', () => {
  it.each(CRASH_POINTS.map(([name, point], i) => [name, point, i] as const))(
    'crashed %s: commits nothing the merge holds, and the same group started again resumes it and alerts as a run from the same commits',
    async (_, crashPoint, i) => {
      const topic = `${TOPIC}.${i}`;
      const group = `${GROUP}.${i}`;
      const whole = `${WHOLE}.${i}`;
      created.push({ topic, groups: [group, whole] });
      const sent: string[] = [];
      const first = streamWithDetection(topic, group, sent);
      let heldAtCrash = 0;
      let sentAtCrash = -1;
      let offsetsAtCrash: { partition: number; offset: number }[] = [];
      // Runs before the detector: what it holds and may commit is that of the polls before,
      // each committed as it ended (commitIntervalMs 0).
      const crash = async (batches: readonly RecordBatch<string>[]) => {
        if (batches.length === 0 || first.detector.held() === 0) return;
        if (!crashPoint(first.detector, sent)) return;
        heldAtCrash = first.detector.held();
        sentAtCrash = sent.length;
        offsetsAtCrash = first.detector
          .commitOffsets()
          .map(({ partition, offset }) => ({ partition, offset }))
          .sort((a, b) => a.partition - b.partition);
        // The producer finishes (the crash takes only the consumer side), then the process dies.
        for (;;) {
          const ends = (await broker.describeTopic(topic)).partitions.map((p) => p.end);
          if (ends.reduce((a, b) => a + b, 0) === LINES) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('crashed');
      };
      await expect(
        runStream(firstPollOfOne(broker), {
          generate: defaultOptions({ seed: 3, lines: LINES, incidents: [...INCIDENT_KINDS] }),
          topic,
          partitions: 3,
          groupId: group,
          handlers: [crash, first.detection],
          commitIntervalMs: 0,
        }),
      ).rejects.toThrow('crashed');
      expect(heldAtCrash).toBeGreaterThan(0);
      expect(sent.length).toBe(sentAtCrash);
      const committed = (await broker.groupLag(group, [topic])).partitions
        .filter((p) => p.committed !== null)
        .map((p) => ({ partition: p.partition, offset: p.committed ?? 0 }))
        .sort((a, b) => a.partition - b.partition);
      expect(committed).toEqual(offsetsAtCrash);
      const committedTotal = committed.reduce((sum, p) => sum + p.offset, 0);
      expect(committedTotal).toBeGreaterThan(0);

      // The same group, started again with no new lines: it resumes what the crash left.
      const alerts: string[] = [];
      const second = streamWithDetection(topic, group, alerts);
      const summary = await runStream(broker, {
        generate: defaultOptions({ seed: 4, lines: 0 }),
        resume: true,
        topic,
        partitions: 3,
        groupId: group,
        handlers: [second.detection],
      });
      expect(second.detector.counts().read).toBe(LINES - committedTotal);

      // A run that never crashed, from the same commits: its windows too start from there (they
      // live in memory, so the records before the commits are not in them).
      const reference = await broker.subscribe({ groupId: whole, topics: [topic] });
      await reference.commit(
        committed.map(({ partition, offset }) => ({ topic, partition, offset })),
      );
      await reference.close();
      const replayed = await replay(topic, whole);
      expect(replayed.read).toBe(LINES - committedTotal);
      expect(replayed.alerts.length).toBeGreaterThan(0);
      expect(alerts).toEqual(replayed.alerts);
      // Counted as resumed, apart from this run's lines (none) and their checksum.
      expect(summary).toMatchObject({
        produced: 0,
        consumed: 0,
        skipped: 0,
        resumed: LINES - committedTotal,
        lag: 0,
      });
      expect(summary.checksum.equal).toBe(true);
    },
  );
});
