/**
 * Lines that do not parse, sent through `loglab produce` to the real broker, land in
 * weblogs.deadletter with the parser's reason and the line exactly as read; the others in the
 * target topic. weblogs.deadletter is shared, so the test reads only what lies after the end
 * offset it saw before producing, and only letters that carry this run's token.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { parseAuto } from '../../src/log/auto';
import type { Broker, ConsumedRecord } from '../../src/stream/broker';
import { DEADLETTER_TOPIC, ensureStandardTopics, parseDeadLetter } from '../../src/stream/topics';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const ENV = { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' };
const config = loadConfig();
const run = Date.now();
const token = `deadletter-test-${run}`;
const topic = `loglab.test.cli-deadletter.${run}`;
const group = `loglab.test.cli-deadletter.${run}`;
let broker: Broker;

function loglab(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: '',
    encoding: 'utf8',
    env: ENV,
    timeout: 120_000,
  });
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every record of a topic from `from` on, read by a new group until two quiet polls. */
async function readFrom(name: string, from: Map<number, number>, groupId: string) {
  const consumer = await broker.subscribe({ groupId, topics: [name], fromBeginning: true });
  const out: ConsumedRecord[] = [];
  let quiet = 0;
  try {
    while (quiet < 2) {
      const r = await consumer.poll({ maxWaitMs: 1500 });
      if (r.kind !== 'records') {
        quiet++;
        continue;
      }
      quiet = 0;
      for (const b of r.batches) {
        for (const x of b.records) if (x.offset >= (from.get(x.partition) ?? 0)) out.push(x);
      }
      await consumer.commit();
    }
  } finally {
    await consumer.close();
  }
  return out;
}

beforeAll(async () => {
  broker = createBroker('cluster', config);
  try {
    await ensureStandardTopics(broker);
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
  await admin.deleteGroups([group, `${group}.raw`]).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('weblogs.deadletter on the real broker', () => {
  it('holds each line that failed to parse, as read, with the reason the parser gave', async () => {
    const start = new Date(Date.now() - 30 * 60_000).toISOString().slice(0, 19);
    const good = loglab([
      'generate',
      '--lines',
      '300',
      '--seed',
      '3',
      '--start',
      `${start}Z`,
      '--span',
      '10m',
    ])
      .stdout.trimEnd()
      .split('\n');
    // Each bad line carries the token, so that other writers of the shared topic do not count.
    const bad: [string, string][] = [
      [`${token} is not an access log line`, 'bad-timestamp'],
      [`10.0.0.1 - - [12/Mar/2024:10:00:00 +0000] "GET /${token} HTTP/1.1" 2000 12`, 'bad-status'],
      [
        `10.0.0.1 - - [32/Mar/2024:10:00:00 +0000] "GET /${token} HTTP/1.1" 200 12`,
        'bad-timestamp',
      ],
      [
        `10.0.0.1 - - [12/Mar/2024:10:00:00 +0000] "GET /${token} HTTP/1.1" 200 twelve`,
        'bad-bytes',
      ],
      [`{"ip": "10.0.0.2", "path": "/${token}", "status": `, 'bad-json'],
      [`{"ip": "10.0.0.2", "path": "/${token}"}`, 'missing-field'],
      [
        `10.0.0.3 - - [12/Mar/2024:10:00:00 +0000] "GET /caf\u00e9/${token} HTTP/1.1" 200 -x`,
        'bad-bytes',
      ],
    ];
    // The reasons written above are the parser's own.
    expect(bad.map(([line]) => (parseAuto(line) as { reason?: string }).reason)).toEqual(
      bad.map(([, reason]) => reason),
    );
    const lines: string[] = [];
    for (let i = 0; i < good.length; i++) {
      lines.push(good[i]);
      if (i % 40 === 7 && (i - 7) / 40 < bad.length) lines.push(bad[(i - 7) / 40][0]);
    }
    expect(lines.length).toBe(good.length + bad.length);
    const file = join(mkdtempSync(join(tmpdir(), 'loglab-deadletter-')), 'mixed.log');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const before = new Map<number, number>();
    for (const p of (await broker.describeTopic(DEADLETTER_TOPIC)).partitions) {
      before.set(p.partition, p.end);
    }
    const produced = loglab([
      'produce',
      file,
      '--topic',
      topic,
      '--engine',
      'cluster',
      '--batch',
      '50',
    ]);
    expect([produced.code, produced.stderr]).toEqual([
      0,
      `produced ${good.length} to ${topic}, ${bad.length} to weblogs.deadletter\n`,
    ]);

    const letters = (await readFrom(DEADLETTER_TOPIC, before, group))
      .map((r) => ({ key: r.key, letter: parseDeadLetter(r.value) }))
      .filter((x) => x.letter.line.includes(token));
    // In the order they were read: weblogs.deadletter has one partition.
    expect(letters.map((x) => [x.letter.line, x.letter.reason])).toEqual(bad);
    for (const { key, letter } of letters) {
      expect(key).toBe(null);
      expect(letter.message).toBe((parseAuto(letter.line) as { message: string }).message);
    }

    const raw = await readFrom(topic, new Map(), `${group}.raw`);
    expect(raw.map((r) => r.value).sort()).toEqual([...good].sort());
  });
});
