/**
 * The detection loop when the broker goes away after the member joined (Kafka restarting): it
 * waits until the broker answers, joins again and goes on with the windows it has. The group
 * delivers again what was polled but not committed; none of it reaches the engine twice, so
 * the alerts are exactly those of the file, each on the alerts topic once. Before, the loop
 * ended with the outage (`loglab detect --topic` exited 2 on every broker restart).
 */
import { describe, expect, it } from 'vitest';
import {
  createGenerator,
  defaultOptions,
  generateLines,
  INCIDENT_KINDS,
} from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { alertMessage, createStreamDetector } from '../../src/pipeline/stream-detector';
import { type Alert, formatAlert } from '../../src/realtime/index';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { ALERTS_TOPIC } from '../../src/stream/topics';
import { detect } from '../realtime/collect';
import { flappingBroker, goingAwayBroker } from './going-away-broker';

const options = defaultOptions({ seed: 3, lines: 30_000, incidents: [...INCIDENT_KINDS] });
const lines = [...generateLines(options)];
const fileAlerts = detect(createGenerator(options).records());

describe('runDetection through a broker outage', () => {
  it('waits, joins again, skips what it had, and alerts exactly as on the file', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([
      { name: 'raw', partitions: 3 },
      { name: ALERTS_TOPIC, partitions: 1 },
    ]);
    await memory.produce(
      'raw',
      lines.map((value) => ({ key: value.slice(0, value.indexOf(' ')), value })),
    );
    // Away after the second poll (of 10,000 records), before its commit; the first probe finds
    // it still away.
    const away = goingAwayBroker(memory, 2, 1);
    const alerts: Alert[] = [];
    const log: string[] = [];
    const detector = createStreamDetector({ parse: parseAuto, onAlert: (a) => alerts.push(a) });
    const run = await runDetection(away.broker, detector, {
      topic: 'raw',
      groupId: 'g',
      toEnd: true,
      alertsTopic: ALERTS_TOPIC,
      log: (line) => log.push(line),
    });

    expect([run.stoppedBy, run.brokerResumes, away.joins()]).toEqual(['end', 1, 2]);
    expect(detector.counts().read).toBe(lines.length);
    expect(run.redelivered).toBeGreaterThan(0);
    expect(alerts.map(formatAlert)).toEqual(fileAlerts.map(formatAlert));
    expect((await memory.groupLag('g', ['raw'])).total).toBe(0);
    expect(log).toEqual([
      expect.stringMatching(
        /^no Kafka broker answers at 127\.0\.0\.1:9092 \(ECONNREFUSED\); .*; waiting for it for up to 300\.0 s$/,
      ),
      expect.stringMatching(
        /^the broker at embedded answers again after \d+\.\d s \(2 tries\): joining the group again$/,
      ),
    ]);
    // Every alert on the alerts topic once, in order.
    const reader = await memory.subscribe({
      groupId: 'check',
      topics: [ALERTS_TOPIC],
      fromBeginning: true,
    });
    const got = await reader.poll({ maxWaitMs: 0 });
    await reader.close();
    const produced = got.kind === 'records' ? got.batches.flatMap((b) => b.records) : [];
    expect(produced.map((r) => r.value)).toEqual(fileAlerts.map((a) => alertMessage(a).value));
    await memory.close();
  });

  it('a broker that does not answer at start is still the caller error, at once', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([{ name: 'raw', partitions: 1 }]);
    const away = goingAwayBroker(memory, 1, 1);
    await memory.produce('raw', [{ key: 'k', value: lines[0] }]);
    const first = await away.broker.subscribe({
      groupId: 'x',
      topics: ['raw'],
      fromBeginning: true,
    });
    await first.poll({ maxWaitMs: 0 }).catch(() => undefined);
    await first.close();
    const detector = createStreamDetector({ parse: parseAuto });
    const err = await runDetection(away.broker, detector, { topic: 'raw', groupId: 'g' }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/^no Kafka broker answers at 127\.0\.0\.1:9092/);
    await memory.close();
  });

  it('a second outage after a quiet rejoin gets a wait of its own', async () => {
    const memory = createMemoryBroker();
    await memory.createTopics([{ name: 'raw', partitions: 1 }]);
    await memory.produce('raw', [{ key: 'k', value: lines[0] }]);
    // Two outages, each right after a join and before its first poll: each is waited out through
    // one failed probe and a 1 s pause, the whole budget. Before, the budget ran from the first
    // outage until a poll brought records, so the second outage was given up at once.
    const away = flappingBroker(memory, 2);
    const detector = createStreamDetector({ parse: parseAuto });
    const run = await runDetection(away.broker, detector, {
      topic: 'raw',
      groupId: 'g',
      toEnd: true,
      brokerWaitMs: 1000,
      log: () => undefined,
    });
    expect([run.stoppedBy, run.brokerResumes, away.joins()]).toEqual(['end', 2, 3]);
    await memory.close();
  });
});
