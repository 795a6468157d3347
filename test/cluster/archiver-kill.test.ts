/**
 * The archiver as a process of its own (src/pipeline/archiver-process.ts) on real Kafka and
 * HDFS, SIGKILLed right after renaming a roll and before committing it, while other partitions
 * have files half-written under `_tmp/`; a restart in the same group stores every line once.
 * This is notebook 04's crash on the cluster engine. Skipped, and saying why, when Kafka or
 * WebHDFS does not answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { killArchiverProcess } from '../../src/pipeline/archiver-crash';
import { auditArchive, linesByPartition } from '../../src/pipeline/lake-audit';
import { deleteTopicFiles, tmpFiles } from '../../src/pipeline/lake-files';
import { lakeNextOffsets } from '../../src/pipeline/lake-recovery';
import { runArchiver } from '../../src/pipeline/run-archiver';
import type { Store } from '../../src/storage/store';
import { webHdfsDown } from '../../src/storage/webhdfs-probe';
import { readTopic } from '../../src/stream/inspect';
import { kafkaAnswers } from '../../src/stream/kafka-broker';
import { lineMessages } from '../../src/stream/line-messages';

const config = loadConfig({ ...process.env, LOGLAB_ENGINE: 'cluster' });

const missing = !(await kafkaAnswers(config.kafka.brokers))
  ? `no Kafka at ${config.kafka.brokers.join(',')}`
  : (await webHdfsDown(config.hdfs.url, config.hdfs.user)) !== null
    ? `no WebHDFS at ${config.hdfs.url}`
    : null;

const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const TOPIC = `weblogs.kill.${run}`;
const GROUP = `archiver.kill.${run}`;

if (missing === null) {
  const broker = createBroker('cluster', config);
  let store: Store | undefined;
  afterAll(async () => {
    if (store !== undefined) {
      await deleteTopicFiles(store, TOPIC);
      await store.close();
    }
    await broker.deleteGroups([GROUP, `truth.${run}`]);
    await broker.deleteTopics([TOPIC]);
    await broker.close();
  });

  describe('the archiver process SIGKILLed on real Kafka and HDFS', () => {
    it('killed between a rename and its commit, restarted: every line once, _tmp empty', async () => {
      store = await createStore('cluster', config);
      await broker.createTopics([{ name: TOPIC, partitions: 3 }]);
      const lines = [
        ...generateLines(
          defaultOptions({ lines: 4000, seed: 5, spanMs: 7_200_000, start: Date.UTC(2003, 4, 6) }),
        ),
      ];
      await broker.produce(TOPIC, lineMessages(lines).messages);
      const crash = await killArchiverProcess({
        topic: TOPIC,
        groupId: GROUP,
        rollBytes: 30_000,
        crashAtRoll: 5,
        pollRecords: 200,
        fetchBytesPerPartition: 16_384,
      });
      // Killed at roll 5, or the first after it with another partition's file under _tmp/.
      expect(crash.how).toBe('SIGKILL');
      expect(crash.committedRolls).toBeGreaterThanOrEqual(4);
      for (const f of crash.uncommitted.files) expect((await store.stat(f))?.type).toBe('file');
      // The lake is ahead of the group on the killed roll's partition.
      expect((await lakeNextOffsets(store, TOPIC)).get(crash.uncommitted.partition)).toBe(
        crash.uncommitted.nextOffset,
      );
      const lag = await broker.groupLag(GROUP, [TOPIC]);
      const killed = lag.partitions.find((p) => p.partition === crash.uncommitted.partition);
      expect(killed?.committed ?? 0).toBeLessThan(crash.uncommitted.nextOffset);
      expect((await tmpFiles(store, TOPIC)).length).toBeGreaterThan(0);

      const restart = await runArchiver(broker, store, {
        topic: TOPIC,
        groupId: GROUP,
        rollBytes: 30_000,
        stopWhenIdle: true,
      });
      // The restart commits the lake's next offset of the killed roll's partition as soon as it
      // has recovered it. Where the client starts reading that partition depends on whether it
      // had asked Kafka for the group's offset before that commit (then it reads the lines the
      // lake holds again and skips each) or after it (then it starts past them): both store
      // every line once. (CI once saw 0 on the librdkafka client; the lines written and the
      // audit below hold either way, and fail if the restart stopped before reading them.)
      const uncommitted = crash.uncommitted.nextOffset - (killed?.committed ?? 0);
      expect([0, uncommitted]).toContain(restart.skipped);
      // What the lake held once the restart had recovered it (a claim cut by the kill is
      // finished by the recovery, so this is counted after it, not before the restart).
      let inLake = 0;
      for (const next of restart.recovery.next.values()) inLake += next;
      expect(restart.lines).toBe(4000 - inLake);
      const produced = linesByPartition(
        await readTopic(broker, { topic: TOPIC, groupId: `truth.${run}` }),
      );
      const audit = await auditArchive(store, TOPIC, produced);
      expect([audit.produced, audit.stored, audit.lost, audit.repeated, audit.tmpFiles]).toEqual([
        4000, 4000, 0, 0, 0,
      ]);
    });
  });
} else {
  const reason = `${missing}; start them with npm run cluster -- up`;
  console.warn(`archiver-kill.test.ts skipped: ${reason}`);
  describe('the archiver process SIGKILLed on real Kafka and HDFS', () => {
    it.skip(`skipped: ${reason}`, () => {});
  });
}
