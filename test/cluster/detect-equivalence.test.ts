/**
 * Detection on a real Kafka stream equals detection on the file: a generated day with every
 * incident, produced to a six-partition topic keyed by client IP (so records of different
 * partitions arrive out of event-time order), read back by `loglab detect --topic … --engine
 * cluster --to-end` and by the library's runDetection, gives exactly the alerts the embedded
 * engine gives on the same lines in file order; the alerts also land on the alerts topic and
 * the group has nothing left to read.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import {
  createGenerator,
  defaultOptions,
  generateLines,
  INCIDENT_KINDS,
} from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { alertMessage, createStreamDetector, runDetection } from '../../src/pipeline/index';
import { type Alert, createDetectionEngine, formatAlert } from '../../src/realtime/index';
import type { Broker, ConsumedRecord } from '../../src/stream/broker';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOGLAB = join(ROOT, 'bin', 'loglab.mjs');

// The broker `npm run cluster -- up` starts; this file uses its own topics and groups and
// deletes them afterwards.
const config = loadConfig();
const run = Date.now();
const topics: string[] = [];
const groups: string[] = [];
let broker: Broker;

function name(kind: string): string {
  return `loglab.test.detect-${kind}.${run}`;
}

const options = defaultOptions({ seed: 2, incidents: [...INCIDENT_KINDS] });
const lines = [...generateLines(options)];
const fileAlerts: Alert[] = [];
const engine = createDetectionEngine({ sink: (a) => fileAlerts.push(a) });
engine.processAll(createGenerator(options).records());
engine.flush();
const expectedText = fileAlerts.map(formatAlert).join('');

const RAW = name('raw');
const ALERTS_CLI = name('alerts-cli');
const ALERTS_LIB = name('alerts-lib');

beforeAll(async () => {
  broker = createBroker('cluster', config);
  try {
    await broker.listTopics();
  } catch (err) {
    throw new Error(`${(err as Error).message} (these tests need the real broker)`);
  }
  topics.push(RAW, ALERTS_CLI, ALERTS_LIB);
  await broker.createTopics([
    { name: RAW, partitions: 6 },
    { name: ALERTS_CLI, partitions: 1 },
    { name: ALERTS_LIB, partitions: 1 },
  ]);
  // Keyed by client IP as `loglab produce` keys them. No message timestamps: the day is in
  // the past, and the detector reads event time from the line anyway.
  for (let i = 0; i < lines.length; i += 5000) {
    await broker.produce(
      RAW,
      lines.slice(i, i + 5000).map((value) => ({ key: value.slice(0, value.indexOf(' ')), value })),
    );
  }
});

afterAll(async () => {
  await broker?.close();
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

async function readAll(topic: string, count: number): Promise<ConsumedRecord<string>[]> {
  const group = name(`check-${topic.length}-${groups.length}`);
  groups.push(group);
  const consumer = await broker.subscribe({ groupId: group, topics: [topic], fromBeginning: true });
  const out: ConsumedRecord<string>[] = [];
  let idle = 0;
  try {
    while (out.length < count && idle < 20) {
      const r = await consumer.poll({ maxWaitMs: 500 });
      if (r.kind !== 'records') {
        idle++;
        continue;
      }
      for (const b of r.batches) out.push(...b.records);
    }
  } finally {
    await consumer.close();
  }
  return out;
}

/** " (opened: error-spike 1, …)" as the counts line of loglab detect writes it. */
function opened(list: Alert[]): string {
  const kinds = [
    'error-spike',
    'ip-flood',
    'scanner',
    'prefix-flood',
    'slow-scan',
    'slow-page',
    'anomaly',
  ]
    .map(
      (k) =>
        [
          k,
          list.filter((a) => a.kind === k && a.state === 'open' && a.firstSeen === a.windowEnd)
            .length,
        ] as const,
    )
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return kinds.length === 0 ? '' : ` (opened: ${kinds.join(', ')})`;
}

function spawnLoglab(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOGLAB, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('detection on a real Kafka stream', () => {
  it('has records of the six partitions out of event-time order', async () => {
    const described = await broker.describeTopic(RAW);
    expect(described.partitions.map((p) => p.end).reduce((a, b) => a + b, 0)).toBe(lines.length);
    expect(described.partitions.filter((p) => p.end > 0).length).toBe(6);
    expect(fileAlerts.length).toBeGreaterThanOrEqual(6);
  });

  it('loglab detect --topic --engine cluster --to-end prints the alerts of the file', async () => {
    const group = name('cli');
    groups.push(group);
    const r = await spawnLoglab([
      'detect',
      '--topic',
      RAW,
      '--engine',
      'cluster',
      '--to-end',
      '--group',
      group,
      '--alerts-topic',
      ALERTS_CLI,
    ]);
    expect(r.stderr.split('\n').at(-2)).toBe(
      `read ${lines.length}, parsed ${lines.length}, rejected 0, late 0, alerts ${fileAlerts.length}` +
        `${opened(fileAlerts)} from ${RAW} (group ${group})`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expectedText);
    expect((await broker.groupLag(group, [RAW])).total).toBe(0);
    const onTopic = await readAll(ALERTS_CLI, fileAlerts.length);
    expect(onTopic.map((m) => ({ key: m.key, value: m.value }))).toEqual(
      fileAlerts.map((a) => {
        const m = alertMessage(a);
        return { key: m.key, value: m.value };
      }),
    );
  });

  it('runDetection gives the same alerts, with nothing late and nothing left to read', async () => {
    const group = name('lib');
    groups.push(group);
    const alerts: Alert[] = [];
    const detector = createStreamDetector({ parse: parseAuto, onAlert: (a) => alerts.push(a) });
    const result = await runDetection(broker, detector, {
      topic: RAW,
      groupId: group,
      toEnd: true,
      alertsTopic: ALERTS_LIB,
    });
    expect(result.stoppedBy).toBe('end');
    expect(alerts.map(formatAlert).join('')).toBe(expectedText);
    expect(detector.counts()).toMatchObject({ read: lines.length, rejected: 0, late: 0 });
    expect(result.alertsProduced).toBe(fileAlerts.length);
    expect((await broker.groupLag(group, [RAW])).total).toBe(0);
  });
});
