/**
 * The broker stopped and started again mid-stream (`npm run cluster -- down/up --services
 * kafka`): nothing that was acknowledged is lost.
 *
 * 1. A producer that retries a refused batch and a consumer that re-subscribes after a failure,
 *    both streaming through the restart: every line is consumed, lines are stored twice only
 *    from batches the broker refused (at least once), and the group ends with lag 0.
 * 2. `loglab produce` when the broker goes away: after its bounded retries it exits 2 with one
 *    line that says what had been acknowledged, and exactly those lines are in the topic.
 * 3. `loglab consume` across a restart: it stops with one line (or carries on), and run again
 *    with the same group it goes on from the committed offsets: every line printed at least once,
 *    committed ones never again.
 *
 * Stopping the broker stops it for everyone: these tests run one after the other
 * (fileParallelism: false) and leave the broker up, also when they fail.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, loadConfig } from '../../src/config';
import { isLoglabError } from '../../src/errors';
import { defaultOptions, generateLines } from '../../src/generate/index';
import type { Broker, Consumer, ProduceMessage } from '../../src/stream/broker';
import { kafkaAnswers } from '../../src/stream/kafka-broker';
import { clusterService } from './restart';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const config = loadConfig();
const run = Date.now();
const topics: string[] = [];
const groups: string[] = [];
let admin: Broker;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cluster = (command: 'up' | 'down') => clusterService(command, 'kafka');

/**
 * Distinct generated lines stamped within the last hour (so that a broker with Kafka's default
 * retention by time keeps them too). A log may hold the same line twice (two requests in one second); here each line
 * must be told apart from a duplicate written by a retry.
 */
function recentLines(count: number, seed: number): string[] {
  const options = defaultOptions({
    lines: count,
    seed,
    start: Date.now() - 3_600_000,
    spanMs: 1_800_000,
  });
  return [...new Set(generateLines(options))];
}

/** Stops the broker once `ready` says so, checks it is really gone, starts it again. */
async function restartWhen(ready: () => boolean): Promise<void> {
  while (!ready()) await sleep(50);
  await cluster('down');
  expect(await kafkaAnswers(config.kafka.brokers, 1000)).toBe(false);
  await sleep(2000);
  await cluster('up');
}

beforeAll(async () => {
  // Idempotent: starts the broker only if it is not running.
  await cluster('up');
  admin = createBroker('cluster', config);
}, 180_000);

afterAll(async () => {
  // Whatever happened above, the broker is up for whoever comes next.
  await cluster('up');
  await admin?.close();
  const k = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
  await k.connect();
  await k.deleteGroups(groups).catch(() => undefined);
  await k.deleteTopics({ topics }).catch(() => undefined);
  await k.disconnect();
}, 180_000);

describe('a broker restart mid-stream', () => {
  it('loses nothing acknowledged: producer retries refused batches, the consumer resumes from its commits', async () => {
    const topic = `loglab.test.stream-restart.${run}`;
    const groupId = topic;
    topics.push(topic);
    groups.push(groupId);
    await admin.createTopics([{ name: topic, partitions: 6 }]);
    const lines = recentLines(30_000, 21);
    expect(lines.length).toBeGreaterThan(29_900);
    const BATCH = 500;

    // Producer: one batch at a time, a refused batch is sent again until acknowledged.
    const producing = createBroker('cluster', config);
    let acked = 0;
    let refusals = 0;
    const refusedLines = new Set<string>();
    const produce = (async () => {
      for (let i = 0; i < lines.length; i += BATCH) {
        const batch: ProduceMessage[] = lines
          .slice(i, i + BATCH)
          .map((l) => ({ key: l.slice(0, l.indexOf(' ')), value: l, timestamp: Date.now() }));
        for (;;) {
          try {
            await producing.produce(topic, batch);
            break;
          } catch (err) {
            if (!isLoglabError(err) || !err.retriable) throw err;
            refusals++;
            for (const m of batch) refusedLines.add(m.value as string);
            await sleep(500);
          }
        }
        acked += batch.length;
        // Spread the stream over ~10 s, so that the restart falls in the middle of it.
        await sleep(150);
      }
    })();

    // Consumer: commits after each poll; after a failure it joins again with the same group.
    const consuming = createBroker('cluster', config);
    const seen = new Map<string, number>();
    let consumerFailures = 0;
    let producerDone = false;
    const consume = (async () => {
      const deadline = Date.now() + 240_000;
      let consumer: Consumer | null = null;
      while (Date.now() < deadline) {
        try {
          consumer ??= await consuming.subscribe({ groupId, topics: [topic], fromBeginning: true });
          const r = await consumer.poll({ maxWaitMs: 500 });
          if (r.kind === 'records') {
            for (const b of r.batches)
              for (const x of b.records) seen.set(x.value, (seen.get(x.value) ?? 0) + 1);
            await consumer.commit();
          } else if (producerDone && seen.size === lines.length) {
            break;
          }
        } catch (err) {
          if (!isLoglabError(err)) throw err;
          consumerFailures++;
          await consumer?.close().catch(() => undefined);
          consumer = null;
          await sleep(1000);
        }
      }
      await consumer?.close();
    })();

    await restartWhen(() => acked >= 3000);
    await produce;
    producerDone = true;
    await consume;
    await producing.close();
    await consuming.close();

    // The restart did happen while the stream ran: the broker refused something.
    expect(refusals + consumerFailures).toBeGreaterThan(0);
    expect(acked).toBe(lines.length);
    // Every line was consumed…
    const missing = lines.filter((l) => !seen.has(l));
    expect(missing).toEqual([]);
    expect(seen.size).toBe(lines.length);
    expect((await admin.groupLag(groupId, [topic])).total).toBe(0);
    // …and the topic holds each line once, except lines of refused batches, which a retry may
    // have written twice (at least once, never lost).
    const stored = (await admin.describeTopic(topic)).partitions.reduce((n, p) => n + p.end, 0);
    expect(stored).toBeGreaterThanOrEqual(lines.length);
    expect(stored - lines.length).toBeLessThanOrEqual(refusedLines.size);
  }, 300_000);

  it('loglab produce exits 2 with one line when the broker goes away, and what it acknowledged is all there', async () => {
    const topic = `loglab.test.stream-restart-cli.${run}`;
    topics.push(topic);
    groups.push(topic);
    const lines = recentLines(40_000, 22);
    expect(lines.length).toBeGreaterThan(39_900);
    const file = join(mkdtempSync(join(tmpdir(), 'loglab-restart-')), 'lines.log');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const child = spawn(
      process.execPath,
      [BIN, 'produce', file, '--topic', topic, '--engine', 'cluster', '--rate', '4000'],
      { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    let stored = 0;
    const restart = restartWhen(() => stored >= 4000);
    while (stored < 4000) {
      await sleep(200);
      stored = await admin
        .describeTopic(topic)
        .then((d) => d.partitions.reduce((n, p) => n + p.end, 0))
        .catch(() => 0);
    }
    expect(await code).toBe(2);
    await restart;

    const m =
      /^loglab produce: (.+); acknowledged before that: produced (\d+) to (\S+), 0 to weblogs\.deadletter\n$/.exec(
        stderr,
      );
    expect(m?.[3]).toBe(topic);
    const acknowledged = Number(m?.[2]);
    expect(acknowledged).toBeGreaterThanOrEqual(4000);
    expect(acknowledged).toBeLessThan(lines.length);

    // Read the whole topic back with a new group. Right after the restart the broker is still
    // loading its group coordinator; the adapter's join waits for it.
    const consumer = await admin.subscribe({
      groupId: topic,
      topics: [topic],
      fromBeginning: true,
    });
    const seen = new Map<string, number>();
    let quiet = 0;
    while (quiet < 3) {
      const r = await consumer.poll({ maxWaitMs: 1000 });
      if (r.kind !== 'records') {
        quiet++;
        continue;
      }
      quiet = 0;
      for (const b of r.batches)
        for (const x of b.records) seen.set(x.value, (seen.get(x.value) ?? 0) + 1);
      await consumer.commit();
    }
    await consumer.close();
    // The acknowledged lines are the file's first ones (one batch in flight at a time), each
    // stored once; beyond them at most the batch that was in flight when the broker went away.
    const missing = lines.slice(0, acknowledged).filter((l) => seen.get(l) !== 1);
    expect(missing).toEqual([]);
    const inFile = new Set(lines);
    expect([...seen.keys()].filter((l) => !inFile.has(l))).toEqual([]);
    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    expect(seen.size - acknowledged).toBeLessThanOrEqual(200);
  }, 300_000);
  it('loglab consume across a restart: one line and exit 2 (or it carries on); the same group goes on from its commits', async () => {
    const topic = `loglab.test.stream-restart-consume.${run}`;
    const groupId = topic;
    topics.push(topic);
    groups.push(groupId);
    await admin.createTopics([{ name: topic, partitions: 6 }]);
    const lines = recentLines(20_000, 23);
    for (let i = 0; i < lines.length; i += 2000) {
      await admin.produce(
        topic,
        lines.slice(i, i + 2000).map((l) => ({ key: l.slice(0, l.indexOf(' ')), value: l })),
      );
    }
    const consume = (max?: number) => {
      const args = ['consume', '--topic', topic, '--group', groupId, '--from-beginning'];
      const child = spawn(
        process.execPath,
        [BIN, ...args, ...(max ? ['--max', String(max)] : [])],
        {
          cwd: ROOT,
          env: { ...process.env, FORCE_COLOR: '0' },
        },
      );
      const out = { stdout: '', stderr: '' };
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out.stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        out.stderr += d;
      });
      const code = new Promise<number | null>((resolve) => child.on('close', resolve));
      return { child, out, code };
    };

    // A first run commits exactly 6,000 lines.
    const zeroth = consume(6000);
    expect(await zeroth.code).toBe(0);
    const early = zeroth.out.stdout.trimEnd().split('\n');
    expect(early.length).toBe(6000);

    // The next one stops being read: the pipe fills, and it waits with a batch printed but not
    // committed while the broker goes down and comes back.
    const first = consume();
    await new Promise<void>((resolve) =>
      first.child.stdout.once('data', () => {
        first.child.stdout.pause();
        resolve();
      }),
    );
    await restartWhen(() => true);
    first.child.stdout.resume();
    const ended = await Promise.race([first.code, sleep(30_000).then(() => 'running' as const)]);
    if (ended === 'running') {
      // It carried on through the restart (librdkafka reconnects by itself): once it has printed
      // every line the first run left (14,000, some maybe twice), Ctrl-C ends it cleanly.
      const rest = lines.length - early.length;
      while (new Set(first.out.stdout.split('\n').slice(0, -1)).size < rest) await sleep(200);
      first.child.kill('SIGTERM');
      expect(await first.code).toBe(0);
    } else {
      expect(ended).toBe(2);
      expect(first.out.stderr).toMatch(/^loglab consume: [^\n]+\n$/);
    }
    const printed = first.out.stdout === '' ? [] : first.out.stdout.trimEnd().split('\n');

    // The same group goes on from what the first one committed.
    let left = -1;
    for (let attempt = 0; left < 0; attempt++) {
      try {
        left = (await admin.groupLag(groupId, [topic])).total;
      } catch (err) {
        if (!isLoglabError(err) || !err.retriable || attempt >= 30) throw err;
        await sleep(1000);
      }
    }
    let again: string[] = [];
    if (left > 0) {
      const second = consume(left);
      expect(await second.code).toBe(0);
      expect(second.out.stderr).toBe(`consumed ${left} from ${topic} (group ${groupId})\n`);
      again = second.out.stdout.trimEnd().split('\n');
    }
    // Every line printed at least once; committed lines never again; a line printed twice was
    // printed but not committed.
    const all = new Set([...early, ...printed, ...again]);
    expect(lines.filter((l) => !all.has(l))).toEqual([]);
    expect(all.size).toBe(lines.length);
    const later = new Set([...printed, ...again]);
    expect(early.filter((l) => later.has(l))).toEqual([]);
    // Nothing was committed before it was printed, and at most one poll's worth after.
    const committedByFirst = lines.length - left - early.length;
    expect(printed.length).toBeGreaterThanOrEqual(committedByFirst);
    expect(printed.length - committedByFirst).toBeLessThanOrEqual(10_000);
    expect((await admin.groupLag(groupId, [topic])).total).toBe(0);
  }, 300_000);
});
