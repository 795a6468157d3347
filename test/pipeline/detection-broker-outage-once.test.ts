/**
 * The detection loop's outputs across a broker outage, exactly once: a produce whose answer the
 * outage lost (the broker stored the batch) is not sent again (outbox.ts), and finishing (the
 * last alerts, the last commit) rides out an outage like any other step. Before, a lost answer
 * put the batch on its topic twice, and an outage at the end ended the run with the outage's
 * error (`loglab detect --topic` exit 2) and without its last commit.
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
import type { Alert } from '../../src/realtime/index';
import { createMemoryBroker } from '../../src/stream/memory-broker';
import { ALERTS_TOPIC, DEADLETTER_TOPIC } from '../../src/stream/topics';
import { detect } from '../realtime/collect';
import { type GoingAwayOptions, goingAwayBroker, once } from './going-away-broker';
import { topicValues } from './topic-values';

const options = defaultOptions({ seed: 5, lines: 20_000, incidents: [...INCIDENT_KINDS] });
const GARBAGE = ['not a log line', '1.2.3.4 - - [bad', ''];
// Three lines no parser takes, spread through the day: three dead letters.
const lines = [...generateLines(options)];
for (let i = 0; i < GARBAGE.length; i++) lines.splice(2000 + i * 7000, 0, GARBAGE[i]);
const fileAlerts = detect(createGenerator(options).records()).map((a) => alertMessage(a).value);

/** A detection run over `lines` (3 partitions) through a broker that goes away as told. */
async function run(outage: (finished: () => boolean) => GoingAwayOptions) {
  const memory = createMemoryBroker();
  await memory.createTopics([
    { name: 'raw', partitions: 3 },
    { name: ALERTS_TOPIC, partitions: 1 },
    { name: DEADLETTER_TOPIC, partitions: 1 },
  ]);
  await memory.produce(
    'raw',
    lines.map((value, i) => ({ key: value.slice(0, value.indexOf(' ')) || `g${i}`, value })),
  );
  const alerts: Alert[] = [];
  const detector = createStreamDetector({ parse: parseAuto, onAlert: (a) => alerts.push(a) });
  let finished = false;
  const finish = detector.finish;
  detector.finish = () => {
    finished = true;
    finish();
  };
  const away = goingAwayBroker(
    memory,
    outage(() => finished),
  );
  const log: string[] = [];
  const result = await runDetection(away.broker, detector, {
    topic: 'raw',
    groupId: 'g',
    toEnd: true,
    alertsTopic: ALERTS_TOPIC,
    deadLetterTopic: DEADLETTER_TOPIC,
    log: (line) => log.push(line),
  });
  const out = {
    result,
    log,
    away,
    alerts: await topicValues(memory, ALERTS_TOPIC),
    dead: (await topicValues(memory, DEADLETTER_TOPIC)).map(
      (v) => (JSON.parse(v) as { line: string }).line,
    ),
    lag: (await memory.groupLag('g', ['raw'])).total,
  };
  await memory.close();
  return out;
}

/** True once per topic: the first produce to it whose answer is lost. */
function firstProduceTo(...topics: string[]): (c: { kind: string; topic?: string }) => boolean {
  const left = new Set(topics);
  return (c) => c.kind === 'produce' && c.topic !== undefined && left.delete(c.topic);
}

describe('runDetection outputs across a broker outage', () => {
  it('a produce whose answer was lost is not sent again: each alert and dead letter once', async () => {
    const r = await run(() => ({ after: firstProduceTo(ALERTS_TOPIC, DEADLETTER_TOPIC) }));
    expect([r.result.stoppedBy, r.result.brokerResumes, r.away.outages()]).toEqual(['end', 2, 2]);
    expect(r.alerts).toEqual(fileAlerts);
    expect(r.dead.sort()).toEqual([...GARBAGE].sort());
    expect(r.result.alertsProduced).toBe(fileAlerts.length);
    expect(r.result.deadLettersProduced).toBe(GARBAGE.length);
    // What the two lost answers covered (the first poll's alerts and its three dead letters):
    // found on the topics, not sent again.
    expect(r.result.alreadyStored).toBe(25);
    expect(r.log.filter((l) => / messages whose produce failed are on /.test(l))).toEqual([
      `22 of 22 messages whose produce failed are on ${ALERTS_TOPIC} already: sending the other 0`,
      `3 of 3 messages whose produce failed are on ${DEADLETTER_TOPIC} already: sending the other 0`,
    ]);
    expect(r.lag).toBe(0);
  });

  it('the last alerts: an answer lost at the end is not an exit, and nothing is sent twice', async () => {
    let produces = 0;
    const clean = await run(() => ({
      after: (c) => c.kind === 'produce' && c.topic === ALERTS_TOPIC && ++produces < 0,
    }));
    expect(clean.alerts).toEqual(fileAlerts);
    let n = 0;
    const r = await run(() => ({
      after: (c) => c.kind === 'produce' && c.topic === ALERTS_TOPIC && ++n === produces,
    }));
    expect([r.result.stoppedBy, r.result.brokerResumes]).toEqual(['end', 1]);
    expect(r.alerts).toEqual(fileAlerts);
    expect(r.dead.sort()).toEqual([...GARBAGE].sort());
    expect(r.lag).toBe(0);
  });

  it('the last commit: an outage before it is waited out and the commit made', async () => {
    const r = await run((finished) => ({
      before: once((c) => finished() && c.kind === 'commit'),
    }));
    expect([r.result.stoppedBy, r.result.brokerResumes, r.away.joins()]).toEqual(['end', 1, 2]);
    expect(r.lag).toBe(0);
    expect(r.alerts).toEqual(fileAlerts);
  });
});
