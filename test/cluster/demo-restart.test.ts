/**
 * `loglab demo --cluster` with the Kafka broker restarted while the demo's stream runs: its
 * producer and the detection's consumer wait for the broker (--broker-wait, 5 minutes), the
 * archiver waits and recovers from the lake, and the run ends as a run without the restart
 * would: exit 0, the same count at every hop, equal checksums, and each line once on the topic
 * (the producer sends a refused batch again on the same idempotent producer). The services must
 * be up (--no-start); the broker is left up, also when the test fails. About a minute, most of it
 * the restart and Hadoop's job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { kafkaAnswers } from '../../src/stream/kafka-broker';
import { killHard, type LoglabChild, startLoglab } from './fault-run-harness';
import { withKafkaAdmin } from './kafka-admin';
import { clusterService, restartService } from './restart';

const config = loadConfig();
const started = Date.now();
const topic = `loglab.test.demo-restart.${started}`;
const lake = `/tmp/loglab-test-demo-restart-${started}`;
const out = mkdtempSync(join(tmpdir(), 'loglab-demo-restart-'));
const LINES = 400_000;
/** The broker goes once this many lines are on the topic: the stream is under way. */
const STOP_AT = 100_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let demo: LoglabChild | null = null;

afterAll(async () => {
  // A demo the test gave up on would go on waiting for the broker, then write after the cleanup.
  killHard(demo);
  await clusterService('up', 'kafka');
  await withKafkaAdmin(async (admin) => {
    await admin
      .deleteGroups([`loglab-demo.${topic}`, `loglab-demo-archiver.${topic}`])
      .catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  }).catch(() => undefined);
  await createStore('cluster', config)
    .then(async (store) => {
      await store.delete(lake, { recursive: true, missingOk: true }).catch(() => undefined);
      await store.close();
    })
    .catch(() => undefined);
  rmSync(out, { recursive: true, force: true });
}, 180_000);

describe('loglab demo --cluster across a broker restart', () => {
  it('waits for the broker, exits 0 with every line at every hop, each once on the topic', async () => {
    const args = ['demo', '--cluster', '--no-start', '--lines', String(LINES), '--topic', topic];
    const run = startLoglab('demo', [...args, '--lake', lake, '--out', out]);
    demo = run;
    const { child } = run;

    const broker = createBroker('cluster', config);
    try {
      const stored = () =>
        broker
          .describeTopic(topic)
          .then((d) => d.partitions.reduce((n, p) => n + p.end, 0))
          .catch(() => 0);
      // Before STOP_AT, the demo empties its topic of an earlier run: counted once it made it again.
      while ((await stored()) < STOP_AT && child.exitCode === null) await sleep(100);
      expect(child.exitCode, `the demo ended before the restart: ${run.stderr()}`).toBe(null);
      const away = await restartService('kafka', async () => {
        expect(await kafkaAnswers(config.kafka.brokers, 1000)).toBe(false);
        // The stream stage (the producer and the detection's consumer) is under way with the
        // broker gone: its line is printed once both are done.
        expect(run.stdout()).not.toContain('generate + produce');
        await sleep(2000);
      });
      console.info(`demo-restart: the broker was away for ${away.toFixed(1)} s`);

      // Both streams on failure: the hop counts (stdout) say where lines went missing.
      expect((await run.exited).code, `${run.stderr()}\n${run.stdout()}`).toBe(0);
      const stdout = run.stdout();
      const stderr = run.stderr();
      console.info(`demo-restart: the demo said\n${stderr}`);
      expect(stderr).not.toMatch(/^ {4}at /m);
      const count = LINES.toLocaleString('en-US');
      expect(stdout).toContain(
        `lines at every hop: generated ${count}, produced ${count}, consumed ${count}, stored in the lake ${count}, read by MapReduce ${count}`,
      );
      // What waited said so: a line when the broker went, one when it answered again.
      expect(stderr).toMatch(/^loglab demo: .*; waiting for it for up to 300\.0 s$/m);
      expect(stderr).toMatch(/^loglab demo: the broker at \S+ answers again after \d+\.\d s/m);
      // The demo has no --engine: its lines name its own way out (broker-hint.ts).
      expect(stderr).not.toContain('--engine embedded');
      expect(await stored()).toBe(LINES);
      // Stamped with the time of sending, though the lines are from 2024 (demo-run.ts says
      // why): every partition's first message at or after the test's start is its first one.
      const since = await withKafkaAdmin((a) => a.fetchTopicOffsetsByTimestamp(topic, started));
      expect(since.map((p) => p.offset)).toEqual(['0', '0', '0', '0', '0', '0']);
    } finally {
      await broker.close();
    }
  }, 480_000);
});
