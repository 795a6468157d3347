/**
 * `loglab generate | loglab produce -` and `loglab consume` against the real broker, as real
 * processes: the lines round-trip exactly, a second consume of the same group resumes after
 * the committed offsets, `loglab topics` reports the offsets and the lag, and a termination
 * signal (the Ctrl-C path) flushes, commits and exits 0.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { parseAuto } from '../../src/log/auto';
import type { Broker, ConsumedRecord } from '../../src/stream/broker';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const ENV = { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' };
const config = loadConfig();
const run = Date.now();
const topics: string[] = [];
const groups: string[] = [];
let broker: Broker;

const topicName = (what: string) => {
  const t = `loglab.test.cli-${what}.${run}`;
  topics.push(t);
  return t;
};
const groupName = (what: string) => {
  const g = `loglab.test.cli-${what}.${run}`;
  groups.push(g);
  return g;
};

/**
 * Generator flags with times of the last half hour, so that the test holds on a broker with
 * Kafka's default retention by time too (the producer stamps each message with the line's time).
 */
function recentFlags(lines: number, seed: number): string[] {
  const start = new Date(Date.now() - 30 * 60_000).toISOString().slice(0, 19);
  return [
    'generate',
    '--lines',
    String(lines),
    '--seed',
    String(seed),
    '--start',
    `${start}Z`,
    '--span',
    '20m',
  ];
}

function loglab(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: '',
    encoding: 'utf8',
    env: ENV,
    maxBuffer: 1 << 28,
    // A consume that waits for messages that never come is a failure, not a hang.
    timeout: 120_000,
  });
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function start(args: string[]): ChildProcess & { out: () => string; err: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: ENV });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  return Object.assign(child, { out: () => out, err: () => err });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

async function stored(topic: string): Promise<number> {
  try {
    const d = await broker.describeTopic(topic);
    return d.partitions.reduce((n, p) => n + p.end - p.start, 0);
  } catch {
    return 0; // produce has not created it yet
  }
}

/** Every record of a topic, read from the beginning by a new group until two quiet polls. */
async function readAll(topic: string): Promise<ConsumedRecord[]> {
  const consumer = await broker.subscribe({
    groupId: groupName(`${topic.slice(-20)}-reader`),
    topics: [topic],
    fromBeginning: true,
  });
  const out: ConsumedRecord[] = [];
  let quiet = 0;
  while (quiet < 2) {
    const r = await consumer.poll({ maxWaitMs: 1500 });
    if (r.kind !== 'records') quiet++;
    else for (const b of r.batches) out.push(...b.records);
  }
  await consumer.close();
  return out;
}

/** Lines of the same IP (the key), in order, per IP. */
function byClient(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of lines) {
    const ip = l.slice(0, l.indexOf(' '));
    const list = out.get(ip);
    if (list) list.push(l);
    else out.set(ip, [l]);
  }
  return out;
}

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
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

describe('loglab produce and consume on the real broker', () => {
  it('round-trips generate | produce - exactly, and a second consume resumes after the commit', async () => {
    const topic = topicName('roundtrip');
    const group = groupName('roundtrip');
    const flags = recentFlags(20_000, 11);
    const generator = spawn(process.execPath, [BIN, ...flags], { cwd: ROOT, env: ENV });
    const producer = start(['produce', '-', '--topic', topic, '--engine', 'cluster']);
    generator.stdout.pipe(producer.stdin as NodeJS.WritableStream);
    expect(await exited(generator)).toBe(0);
    expect(await exited(producer)).toBe(0);
    expect(producer.err()).toBe(`produced 20000 to ${topic}, 0 to weblogs.deadletter\n`);
    const sent = loglab(flags).stdout.trimEnd().split('\n');
    expect(sent.length).toBe(20_000);

    const first = loglab([
      'consume',
      '--topic',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--max',
      '12000',
    ]);
    expect([first.code, first.stderr]).toEqual([
      0,
      `consumed 12000 from ${topic} (group ${group})\n`,
    ]);
    // Exactly what was printed is committed: the group still has the rest to read.
    expect((await broker.groupLag(group, [topic])).total).toBe(8000);

    // --from-beginning again: the first run may have stopped before it read some partitions at
    // all, and a partition without a committed offset otherwise starts at its end (Kafka's rule).
    const second = loglab([
      'consume',
      '--topic',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--max',
      '8000',
    ]);
    expect([second.code, second.stderr]).toEqual([
      0,
      `consumed 8000 from ${topic} (group ${group})\n`,
    ]);
    const got = [...first.stdout.trimEnd().split('\n'), ...second.stdout.trimEnd().split('\n')];
    expect(got.length).toBe(20_000);
    // The same lines, each once…
    expect([...got].sort()).toEqual([...sent].sort());
    // …and each client's lines in the order they were produced: one key, one partition.
    const want = byClient(sent);
    const have = byClient(got);
    expect(have.size).toBe(want.size);
    for (const [ip, lines] of want) expect(have.get(ip)).toEqual(lines);
    expect((await broker.groupLag(group, [topic])).total).toBe(0);

    const overview = JSON.parse(loglab(['topics', '--json', '--engine', 'cluster']).stdout);
    const t = overview.topics.find((x: { name: string }) => x.name === topic);
    expect([t.partitions.length, t.messages]).toEqual([6, 20_000]);
    const g = overview.groups.find((x: { groupId: string }) => x.groupId === group);
    expect([g.topic, g.committed, g.end, g.lag]).toEqual([topic, 20_000, 20_000, 0]);
    const table = loglab(['topics', '--engine', 'cluster']).stdout;
    expect(table).toMatch(
      new RegExp(
        `^${group.replace(/\./g, '\\.')} +${topic.replace(/\./g, '\\.')} +20,000 +20,000 +0$`,
        'm',
      ),
    );
  });

  it('stamps messages with the line time, or with the time of sending under --timestamp now', async () => {
    const event = topicName('event-time');
    const now = topicName('send-time');
    const text = loglab(recentFlags(500, 13)).stdout;
    // An old day: the broker keeps it only because --timestamp now stamps it with today.
    const old = loglab(['generate', '--lines', '500', '--seed', '13']).stdout;
    const before = Date.now();
    for (const [topic, input, flag] of [
      [event, text, 'event'],
      [now, old, 'now'],
    ]) {
      const r = spawnSync(
        process.execPath,
        [BIN, 'produce', '-', '--topic', topic, '--timestamp', flag],
        { cwd: ROOT, env: ENV, input, encoding: 'utf8', timeout: 120_000 },
      );
      expect([r.status, r.stderr]).toEqual([
        0,
        `produced 500 to ${topic}, 0 to weblogs.deadletter\n`,
      ]);
    }
    const after = Date.now();
    const byEvent = await readAll(event);
    expect(byEvent.length).toBe(500);
    for (const r of byEvent) {
      expect(r.timestamp).toBe((parseAuto(r.value) as { time: number }).time);
    }
    const bySending = await readAll(now);
    expect(bySending.map((r) => r.value).sort()).toEqual(old.trimEnd().split('\n').sort());
    for (const r of bySending) {
      expect(r.timestamp).toBeGreaterThanOrEqual(before);
      expect(r.timestamp).toBeLessThanOrEqual(after);
    }
  });

  it('on a termination signal produce sends what it read and consume commits what it printed, both exit 0', async () => {
    const topic = topicName('signal');
    const group = groupName('signal');
    const lines = loglab(recentFlags(3500, 12)).stdout;
    // stdin stays open: the producer is waiting for more when the signal comes, with the last
    // 500 lines taken but not sent (batches of 1,000): the signal must flush them.
    const producer = start(['produce', '-', '--topic', topic]);
    producer.stdin?.write(lines);
    await until('the broker has 3,000 lines', async () => (await stored(topic)) === 3000);
    // SIGTERM takes the Ctrl-C path (a background job may be started with SIGINT ignored).
    producer.kill('SIGTERM');
    expect(await exited(producer)).toBe(0);
    expect(producer.err()).toBe(
      `produced 3500 to ${topic}, 0 to weblogs.deadletter; stopped after line 3500 of the input\n`,
    );
    expect(await stored(topic)).toBe(3500);

    const consumer = start(['consume', '--topic', topic, '--group', group, '--from-beginning']);
    await until('consume printed 3,500 lines', () => consumer.out().split('\n').length === 3501);
    consumer.kill('SIGTERM');
    expect(await exited(consumer)).toBe(0);
    expect(consumer.err()).toBe(`consumed 3500 from ${topic} (group ${group})\n`);
    expect(consumer.out().split('\n').sort()).toEqual(lines.split('\n').sort());
    expect((await broker.groupLag(group, [topic])).total).toBe(0);
  });

  it('on a signal while a printed batch is held back, consume finishes printing it, commits exactly what it printed and exits 0', async () => {
    const topic = topicName('held');
    const group = groupName('held');
    const lines = loglab(recentFlags(30_000, 13)).stdout;
    const producer = start(['produce', '-', '--topic', topic]);
    producer.stdin?.end(lines);
    expect(await exited(producer)).toBe(0);

    const consumer = start(['consume', '--topic', topic, '--group', group, '--from-beginning']);
    // As soon as the first output arrives, stop reading it: the pipe fills and the consumer is
    // stuck in the middle of printing its first batch (10,000 lines, about 2.5 MB) when the
    // signal comes. It must finish that batch, commit it and stop, not die mid-batch or go on.
    // The pause is taken in the first chunk's own event: a poll of the output every 100 ms let
    // a busy machine read all 30,000 lines before it paused.
    consumer.stdout?.once('data', () => consumer.stdout?.pause());
    await until('consume printed something', () => consumer.out().length > 0);
    await new Promise((r) => setTimeout(r, 500));
    consumer.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    consumer.stdout?.resume();
    expect(await exited(consumer)).toBe(0);
    const printed = consumer.out().split('\n').length - 1;
    expect(consumer.err()).toBe(`consumed ${printed} from ${topic} (group ${group})\n`);
    expect(printed).toBeGreaterThan(0);
    expect(printed).toBeLessThan(30_000);
    expect((await broker.groupLag(group, [topic])).total).toBe(30_000 - printed);
  });
});
