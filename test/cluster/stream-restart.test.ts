/**
 * The broker stopped and started again mid-stream (`npm run cluster -- down/up --services
 * kafka`): nothing that was acknowledged is lost, nothing is stored twice but what a refused
 * batch sent again, and an outage longer than the client waits ends in one line and exit 2.
 *
 * What each client does with a broker that goes away (the expectations below, per client):
 * - Through the Broker port without `producerOutage` (test 1), kafkajs gives up on a batch
 *   after its bounded retries (4, about 3 s of backoff), so the short restart here (the broker
 *   away for about 6 s) refuses a batch; librdkafka (LOGLAB_KAFKA_CLIENT=rdkafka) keeps a
 *   message for its delivery timeout (`deliveryTimeoutMs`, librdkafka's message.timeout.ms) and
 *   reconnects by itself: the restart is ridden out, every line stored exactly once.
 * - `loglab produce` waits up to --broker-wait (5 minutes) on either client: kafkajs through the
 *   outage wait (a line when the broker goes, one when it answers again, then the refused chunk
 *   sent again on the same idempotent producer), librdkafka with that delivery timeout.
 *
 * 1. A producer that retries a refused batch and a consumer that re-subscribes after a failure,
 *    both streaming through the restart: every line is consumed, lines are stored twice only
 *    from batches the broker refused (at least once; none on rdkafka), and the group ends with
 *    lag 0.
 * 2. `loglab produce` across the short restart: it exits 0 and every line of the file is in the
 *    topic exactly once, on either client (on kafkajs, the chunk refused during the restart was
 *    sent again and the broker dropped the copy of what it had written).
 * 3. `loglab stream --engine cluster` across the short restart: its producer (on kafkajs a
 *    thread with a client of its own) and its consumer both wait; exit 0, equal checksums, every
 *    line on the topic once.
 * 4. `loglab produce --broker-wait 5s` with the broker kept away: exit 2 with its line (after
 *    the line that it waits, on kafkajs) on both clients, within the wait plus a margin (it does
 *    not hang); read back, the acknowledged lines are there once each, nothing twice.
 * 5. `loglab consume` across a restart: it stops with one line (or carries on), and run again
 *    with the same group it goes on from the committed offsets: every line printed at least once,
 *    committed ones never again.
 * 6. `loglab stream --engine cluster` started the moment a restarted broker answers, while its
 *    partitions still elect their leaders: it waits the election out (kafkajs's admin gave up on
 *    "not the leader" at once, and the topic it had just created was said not to exist): exit 0,
 *    equal checksums.
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
import { clusterService, restartService } from './restart';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const config = loadConfig();
const run = Date.now();
const topics: string[] = [];
const groups: string[] = [];
let admin: Broker;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cluster = (command: 'up' | 'down') => clusterService(command, 'kafka');

const RDKAFKA = config.kafka.client === 'rdkafka';
/** `loglab produce --broker-wait` in test 3. */
const BROKER_WAIT_MS = 5000;
/**
 * How long after the broker went away `loglab produce --broker-wait 5s` gives up, at most:
 * kafkajs's retries (about 3 s) and then the wait; librdkafka's delivery timeout is the wait.
 * Plus a margin for a loaded machine: the test is that it ends with its line, not that it hangs.
 */
const GIVE_UP_MS = (RDKAFKA ? 0 : 3_000) + BROKER_WAIT_MS + 20_000;

/**
 * The two lines of an outage waited out by `loglab produce`: kafkajs's wait, which sends the
 * refused chunk again, or librdkafka's, which delivers what it kept.
 */
const WAITING =
  /^loglab produce: .+; waiting for it for up to \d+\.\d s( \(librdkafka keeps the batch\))?$|^loglab produce: the broker at 127\.0\.0\.1:9092 answers again after \d+\.\d s( \(\d+ tries\): sending again|: delivered)$/;

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

/**
 * Stops the broker once `ready` says so (calling `onStop` as it begins to), checks it is really
 * gone, starts it again. Resolves with the milliseconds from the stop to the broker being up.
 */
async function restartWhen(ready: () => boolean, onStop: () => void = () => {}): Promise<number> {
  while (!ready()) await sleep(50);
  onStop();
  const seconds = await restartService('kafka', async () => {
    expect(await kafkaAnswers(config.kafka.brokers, 1000)).toBe(false);
    await sleep(2000);
  });
  return seconds * 1000;
}

/** Messages stored in a topic (0 while the broker does not answer). */
const storedIn = (topic: string) =>
  admin
    .describeTopic(topic)
    .then((d) => d.partitions.reduce((n, p) => n + p.end, 0))
    .catch(() => 0);

/** `loglab <args>` started: the child, what it wrote so far, and its exit code once it ended. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out.stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out.stderr += d;
  });
  const code = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out, code };
}

/** `loglab produce <file> --topic <topic> --rate <rate> [more]` on the cluster. */
function produceCli(file: string, topic: string, rate: number, more: string[] = []) {
  const args = ['produce', file, '--topic', topic, '--engine', 'cluster', '--rate', String(rate)];
  return startCli([...args, ...more]);
}

/** Writes `lines` to a new file; its path. */
function lineFile(lines: readonly string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'loglab-restart-')), 'lines.log');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * The whole topic read back with a new group (named after the topic): how often each value is
 * stored. Right after a restart the broker is still loading its group coordinator; the adapter's
 * join waits for it.
 */
async function readBack(topic: string): Promise<Map<string, number>> {
  groups.push(topic);
  const consumer = await admin.subscribe({ groupId: topic, topics: [topic], fromBeginning: true });
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
  return seen;
}

/**
 * The line `loglab produce` ends with when it gives up: why, and what it acknowledged; the lines
 * before it must be the outage wait's.
 */
function refusalIn(stderr: string, topic: string): { why: string; acknowledged: number } {
  const lines = stderr.trimEnd().split('\n');
  const last = lines.pop() ?? '';
  expect(
    lines.filter((l) => !WAITING.test(l)),
    stderr,
  ).toEqual([]);
  const m =
    /^loglab produce: (.+); acknowledged before that: produced (\d+) to (\S+), 0 to weblogs\.deadletter$/.exec(
      last,
    );
  expect(m?.[3], stderr).toBe(topic);
  return { why: m?.[1] ?? '', acknowledged: Number(m?.[2]) };
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
  it('loses nothing acknowledged: producer retries refused batches (kafkajs) or rides the restart out (rdkafka), the consumer resumes from its commits', async () => {
    const topic = `loglab.test.stream-restart.${run}`;
    const groupId = topic;
    topics.push(topic);
    groups.push(groupId);
    await admin.createTopics([{ name: topic, partitions: 6 }]);
    const lines = recentLines(30_000, 21);
    expect(lines.length).toBeGreaterThan(29_900);
    const BATCH = 500;

    // Producer: one batch at a time, a refused batch is sent again until acknowledged. On
    // rdkafka a delivery timeout well past the restart (the default 10 s is about twice the
    // restart on a quiet machine; test 2 runs with it): what is checked here is the ride-out.
    const producing = createBroker('cluster', config, { rdkafka: { deliveryTimeoutMs: 60_000 } });
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
          await consumer?.close().catch(() => undefined);
          consumer = null;
          await sleep(1000);
        }
      }
      await consumer?.close();
    })();

    let ackedWhenStopped = -1;
    await restartWhen(
      () => acked >= 3000,
      () => {
        ackedWhenStopped = acked;
      },
    );
    await produce;
    producerDone = true;
    await consume;
    await producing.close();
    await consuming.close();

    // The broker began to stop while the stream ran…
    expect(ackedWhenStopped).toBeGreaterThanOrEqual(3000);
    expect(ackedWhenStopped).toBeLessThan(lines.length);
    // …kafkajs refused a batch (its retries, about 3 s, end before the broker is back);
    // librdkafka held the batch and delivered it once the broker was back.
    if (RDKAFKA) expect(refusals).toBe(0);
    else expect(refusals).toBeGreaterThan(0);
    expect(acked).toBe(lines.length);
    // Every line was consumed…
    const missing = lines.filter((l) => !seen.has(l));
    expect(missing).toEqual([]);
    expect(seen.size).toBe(lines.length);
    expect((await admin.groupLag(groupId, [topic])).total).toBe(0);
    // …and the topic holds each line once, except lines of refused batches, which a retry may
    // have written twice (at least once, never lost); none were refused on rdkafka.
    const stored = await storedIn(topic);
    if (RDKAFKA) expect(stored).toBe(lines.length);
    expect(stored).toBeGreaterThanOrEqual(lines.length);
    expect(stored - lines.length).toBeLessThanOrEqual(refusedLines.size);
  }, 300_000);

  it('loglab produce across a short restart rides it out on either client: exit 0, every line of the file there exactly once', async () => {
    const topic = `loglab.test.stream-restart-cli.${run}`;
    topics.push(topic);
    const lines = recentLines(40_000, 22);
    expect(lines.length).toBeGreaterThan(39_900);
    const produce = produceCli(lineFile(lines), topic, 4000);
    let stored = 0;
    let exitedWhenStopped: boolean | null = null;
    const restart = restartWhen(
      () => stored >= 4000 || produce.child.exitCode !== null,
      () => {
        exitedWhenStopped = produce.child.exitCode !== null;
      },
    );
    while (stored < 4000 && produce.child.exitCode === null) {
      await sleep(200);
      stored = await storedIn(topic);
    }
    const code = await produce.code;
    const away = await restart;
    console.info(`the broker was away for ${away} ms; loglab produce said:\n${produce.out.stderr}`);
    // The broker began to stop while `loglab produce` ran (40,000 lines at 4,000 a second)…
    expect(exitedWhenStopped).toBe(false);
    // …which waited for it (kafkajs: its retries, then the outage wait when the restart outlasted
    // them; librdkafka within its delivery timeout) and went on: one pair of lines, or none when
    // the client's own retries were enough (kafkajs) or nothing waited when all went (librdkafka).
    expect(code, produce.out.stderr).toBe(0);
    const said = produce.out.stderr.trimEnd().split('\n');
    expect(said.pop()).toBe(`produced ${lines.length} to ${topic}, 0 to weblogs.deadletter`);
    expect(said.filter((l) => !WAITING.test(l))).toEqual([]);
    expect([0, 2], produce.out.stderr).toContain(said.length);
    if (said.length === 2) {
      expect(said[0]).toMatch(/waiting for it/);
      expect(said[1]).toMatch(/answers again/);
    }
    // Every line of the file once, nothing else: the chunk refused during the restart was sent
    // again by the same idempotent producer, and the broker dropped what it had already written.
    const seen = await readBack(topic);
    const inFile = new Set(lines);
    expect([...seen.keys()].filter((l) => !inFile.has(l))).toEqual([]);
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    expect(seen.size).toBe(lines.length);
    expect(await storedIn(topic)).toBe(lines.length);
  }, 300_000);

  it('loglab stream --engine cluster across a short restart: its producer and its consumer wait, exit 0, every line once', async () => {
    const topic = `loglab.test.stream-restart-stream.${run}`;
    const groupId = topic;
    topics.push(topic);
    groups.push(groupId);
    const LINES = 45_000;
    const { child, out, code } = startCli([
      'stream',
      '--engine',
      'cluster',
      '--topic',
      topic,
      '--group',
      groupId,
      '--lines',
      String(LINES),
      '--rate',
      '3000',
      '--json',
    ]);
    let stored = 0;
    const away = restartWhen(() => stored >= 6000 || child.exitCode !== null);
    while (stored < 6000 && child.exitCode === null) {
      await sleep(200);
      stored = await storedIn(topic);
    }
    expect(child.exitCode, out.stderr).toBe(null);
    console.info(`the broker was away for ${await away} ms`);
    expect(await code, out.stderr).toBe(0);
    expect(out.stderr).not.toMatch(/^ {4}at /m);
    // The producer (on kafkajs, a thread of its own) waited, or rode it out within its retries.
    if (!RDKAFKA && /waiting for it/.test(out.stderr)) {
      expect(out.stderr).toMatch(
        /^loglab stream: the broker at 127\.0\.0\.1:9092 answers again after \d+\.\d s \(\d+ tries\): sending again$/m,
      );
    }
    const summary = JSON.parse(out.stdout);
    expect(summary).toMatchObject({ produced: LINES, consumed: LINES, lag: 0 });
    expect(summary.checksum.equal).toBe(true);
    // Each line once on the topic: nothing the restart made the producer send again is there twice.
    expect(await storedIn(topic)).toBe(LINES);
  }, 300_000);

  it('loglab produce --broker-wait 5s with the broker kept away: exit 2 with its line on either client, in bounded time; what it acknowledged is there once', async () => {
    const topic = `loglab.test.stream-restart-away.${run}`;
    topics.push(topic);
    const lines = recentLines(20_000, 24);
    expect(lines.length).toBeGreaterThan(19_900);
    const produce = produceCli(lineFile(lines), topic, 2000, [
      '--broker-wait',
      `${BROKER_WAIT_MS / 1000}s`,
    ]);
    let stored = 0;
    while (stored < 2000 && produce.child.exitCode === null) {
      await sleep(200);
      stored = await storedIn(topic);
    }
    expect(produce.child.exitCode, produce.out.stderr).toBe(null);
    let ended: number | null | 'running' = 'running';
    // Away until `loglab produce` gives up, or past the time it should have.
    await restartService('kafka', async () => {
      const stopped = Date.now();
      expect(await kafkaAnswers(config.kafka.brokers, 1000)).toBe(false);
      ended = await Promise.race([
        produce.code.then((c) => {
          console.info(`loglab produce ended ${Date.now() - stopped} ms after the broker stopped`);
          return c;
        }),
        sleep(GIVE_UP_MS).then(() => 'running' as const),
      ]);
      if (ended === 'running') produce.child.kill('SIGKILL');
    });
    expect(ended, `still running ${GIVE_UP_MS / 1000} s after the broker went away`).toBe(2);
    const { why, acknowledged } = refusalIn(produce.out.stderr, topic);
    // Refused connections, or, when the client's retries ran out during the broker's controlled
    // shutdown (the port still open, its partitions giving up their leader), the shutdown's own
    // answer; on kafkajs after the wait, which says how long it waited.
    expect(why).toMatch(
      /^(no Kafka broker answers at 127\.0\.0\.1:9092 \(|the Kafka broker at 127\.0\.0\.1:9092 failed: There is no leader for this topic-partition as we are in the middle of a leadership election)/,
    );
    if (!RDKAFKA) {
      expect(why).toMatch(/; gave up after \d+\.\d s of waiting$/);
      expect(produce.out.stderr).toMatch(/waiting for it for up to 5\.0 s\n/);
    }
    expect(acknowledged).toBeGreaterThanOrEqual(2000);
    expect(acknowledged).toBeLessThan(lines.length);

    // The acknowledged lines are the file's first ones, each once; beyond them at most the batch
    // that was in flight (100 lines at 2,000 a second); nothing twice.
    const seen = await readBack(topic);
    expect(lines.slice(0, acknowledged).filter((l) => seen.get(l) !== 1)).toEqual([]);
    const inFile = new Set(lines);
    expect([...seen.keys()].filter((l) => !inFile.has(l))).toEqual([]);
    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    expect(seen.size - acknowledged).toBeLessThanOrEqual(100);
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
      return startCli([...args, ...(max ? ['--max', String(max)] : [])]);
    };

    // A first run commits exactly 6,000 lines.
    const zeroth = consume(6000);
    expect(await zeroth.code).toBe(0);
    const early = zeroth.out.stdout.trimEnd().split('\n');
    expect(early.length).toBe(6000);

    // The next one stops being read: the pipe fills, and it waits with a batch printed but not
    // committed while the broker goes down and comes back.
    const first = consume();
    // Bounded: a consume that ended, or never printed, fails here with what it said.
    await Promise.race([
      new Promise<void>((resolve) =>
        first.child.stdout.once('data', () => {
          first.child.stdout.pause();
          resolve();
        }),
      ),
      first.code.then((c) => {
        throw new Error(`loglab consume ended (${c}) before printing: ${first.out.stderr}`);
      }),
      sleep(60_000).then(() => {
        throw new Error(`loglab consume printed nothing in 60 s: ${first.out.stderr}`);
      }),
    ]);
    await restartWhen(() => true);
    first.child.stdout.resume();
    const ended = await Promise.race([first.code, sleep(30_000).then(() => 'running' as const)]);
    if (ended === 'running') {
      // It carried on through the restart (librdkafka reconnects by itself): once it has printed
      // every line the first run left (14,000, some maybe twice), Ctrl-C ends it cleanly.
      const rest = lines.length - early.length;
      const deadline = Date.now() + 120_000;
      while (new Set(first.out.stdout.split('\n').slice(0, -1)).size < rest) {
        if (Date.now() > deadline || first.child.exitCode !== null) {
          throw new Error(
            `loglab consume printed ${new Set(first.out.stdout.split('\n').slice(0, -1)).size} of the ${rest} lines left (exit ${first.child.exitCode}): ${first.out.stderr}`,
          );
        }
        await sleep(200);
      }
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

  it('loglab stream --engine cluster started the moment a restarted broker answers waits out the leader election: exit 0, every line once', async () => {
    const topic = `loglab.test.stream-restart-election.${run}`;
    topics.push(topic);
    groups.push(topic);
    await cluster('down');
    expect(await kafkaAnswers(config.kafka.brokers, 1000)).toBe(false);
    let up: Error | null = null;
    const starting = clusterService('up', 'kafka').catch((err: Error) => {
      up = err;
    });
    const since = Date.now();
    while (!(await kafkaAnswers(config.kafka.brokers, 500))) {
      if (up !== null || Date.now() - since > 170_000) throw up ?? new Error('no broker');
      await sleep(50);
    }
    const LINES = 3000;
    const { out, code } = startCli([
      ...['stream', '--engine', 'cluster', '--topic', topic, '--group', topic],
      ...['--lines', String(LINES), '--json'],
    ]);
    const exit = await code;
    await starting;
    expect(up).toBe(null);
    expect(exit, out.stderr).toBe(0);
    expect(out.stderr).not.toMatch(/^ {4}at /m);
    const summary = JSON.parse(out.stdout);
    expect(summary).toMatchObject({ produced: LINES, consumed: LINES, lag: 0 });
    expect(summary.checksum.equal).toBe(true);
    expect(await storedIn(topic)).toBe(LINES);
  }, 300_000);
});
