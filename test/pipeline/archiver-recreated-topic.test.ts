/**
 * A topic deleted and made again under its name starts its offsets at 0: the lake's offsets of
 * the old topic are past the new one's end. The archiver used to skip every record below them as
 * "already in the lake"; now it refuses, before writing or committing anything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { lakeNextOffsets } from '../../src/pipeline/lake-recovery';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { createLocalStore } from '../../src/storage/local-store';
import type { Broker } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-recreated-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TOPIC = 'weblogs.raw';
const lines = [...generateLines(defaultOptions({ lines: 400, start: Date.UTC(2026, 0, 1) }))];

async function fill(broker: Broker, values: readonly string[]): Promise<void> {
  await broker.createTopics([{ name: TOPIC, partitions: 2 }]);
  await broker.produce(
    TOPIC,
    values.map((value, i) => ({ key: `k${i % 7}`, value })),
  );
}

const archive = (broker: Broker, store: Awaited<ReturnType<typeof createLocalStore>>) =>
  runArchiver(broker, store, { topic: TOPIC, stopWhenIdle: true, maxWaitMs: 20, log: () => {} });

describe('a topic made again under the name the lake holds', () => {
  it('is refused in one line, the lake and the group left as they were', async () => {
    const broker = createMemoryBroker();
    const store = await createLocalStore({ root: join(scratch, 'lake') });
    try {
      await fill(broker, lines);
      expect((await archive(broker, store)).lines).toBe(400);
      const before = await lakeNextOffsets(store, TOPIC);
      const ends = (await broker.describeTopic(TOPIC)).partitions.map((p) => p.end);
      expect([...before.values()].sort()).toEqual([...ends].sort());

      await broker.deleteTopics([TOPIC]);
      await fill(broker, lines.slice(0, 100));
      const failure = await archive(broker, store).then(
        () => null,
        (e: unknown) => (isLoglabError(e) ? [e.code, e.message] : e),
      );
      const [p0] = [...before.keys()].sort();
      const end = (await broker.describeTopic(TOPIC)).partitions[p0].end;
      expect(failure).toEqual([
        'BAD_INPUT',
        `the lake holds "weblogs.raw" partition ${p0} up to offset ${(before.get(p0) as number) - 1}, but the topic's partition ends at offset ${end}: the topic was deleted and made again under this name, or the lake is another cluster's; archive it into another lake (--lake), or under another topic name`,
      ]);
      expect(await lakeNextOffsets(store, TOPIC)).toEqual(before);
      const lag = await broker.groupLag('archiver', [TOPIC]);
      expect(lag.partitions.map((p) => p.committed)).toEqual([null, null]);
    } finally {
      await broker.close();
      await store.close();
    }
  });

  it('a topic that only grew since is archived on from the lake, nothing skipped', async () => {
    const broker = createMemoryBroker();
    const store = await createLocalStore({ root: join(scratch, 'lake2') });
    try {
      await fill(broker, lines.slice(0, 250));
      expect((await archive(broker, store)).lines).toBe(250);
      await broker.produce(
        TOPIC,
        lines.slice(250).map((value, i) => ({ key: `k${(250 + i) % 7}`, value })),
      );
      const run = await archive(broker, store);
      expect([run.lines, run.skipped]).toEqual([150, 0]);
    } finally {
      await broker.close();
      await store.close();
    }
  });

  it("blames a nextOffsets of the caller's own (lab 04's) that answers past the topic's end", async () => {
    const broker = createMemoryBroker();
    const store = await createLocalStore({ root: join(scratch, 'lake3') });
    try {
      await fill(broker, lines.slice(0, 50));
      expect((await archive(broker, store)).lines).toBe(50);
      // One past the lake's next offset: a learner's off-by-one.
      const nextOffsets = async (s: typeof store, topic: string) =>
        new Map([...(await lakeNextOffsets(s, topic))].map(([p, n]) => [p, n + 1]));
      const failure = await runArchiver(broker, store, {
        topic: TOPIC,
        stopWhenIdle: true,
        maxWaitMs: 20,
        log: () => {},
        nextOffsets,
      }).then(
        () => null,
        (e: unknown) => (isLoglabError(e) ? [e.code, e.message] : e),
      );
      const [p0, end] = [...(await lakeNextOffsets(store, TOPIC))].sort((a, b) => a[0] - b[0])[0];
      expect(failure).toEqual([
        'BAD_INPUT',
        `nextOffsets says partition ${p0} of "weblogs.raw" goes on at offset ${end + 1}, past the topic's end at ${end}: it should be one past the largest lastOffset in the lake's file names`,
      ]);
    } finally {
      await broker.close();
      await store.close();
    }
  });
});
