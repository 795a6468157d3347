/**
 * The archiver killed in this process at a chosen roll (after its renames, before its commit),
 * then restarted: the lake is ahead of the group's offsets, and the restart neither loses nor
 * repeats a line. And the throughput recorder's totals per roll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { progressRecorder } from '../../src/pipeline/archive-progress';
import type { Roll } from '../../src/pipeline/archive-roller';
import { crashArchiver } from '../../src/pipeline/archiver-crash';
import { auditArchive } from '../../src/pipeline/lake-audit';
import { tmpFiles } from '../../src/pipeline/lake-files';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { createLocalStore } from '../../src/storage/local-store';
import { readTopic } from '../../src/stream/inspect';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-crash-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('crashArchiver', () => {
  it('dies after the renames of the chosen roll; a restart recovers from the lake exactly', async () => {
    const broker = createMemoryBroker();
    const store = await createLocalStore({ root: join(scratch, 'a') });
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 3 }]);
    const lines = [
      ...generateLines(defaultOptions({ lines: 3000, seed: 3, spanMs: 2 * 3_600_000 })),
    ];
    await broker.produce(
      'weblogs.raw',
      lines.map((value, i) => ({ key: `k${i % 13}`, value })),
    );
    const produced: string[][] = [[], [], []];
    for (const r of await readTopic(broker, { topic: 'weblogs.raw', groupId: 'truth' })) {
      produced[r.partition].push(r.value);
    }
    const options = { rollBytes: 20_000, maxWaitMs: 5, pollRecords: 200 };
    const crash = await crashArchiver(broker, store, { ...options, crashAtRoll: 4 });
    expect(crash.how).toBe('error thrown before the commit');
    expect(crash.committedRolls).toBe(3);
    for (const path of crash.uncommitted.files) expect((await store.stat(path))?.type).toBe('file');
    // The group is behind the lake on that partition; the other partitions' files are in _tmp.
    const lag = await broker.groupLag('archiver', ['weblogs.raw']);
    const p = lag.partitions.find((x) => x.partition === crash.uncommitted.partition);
    expect(p?.committed ?? 0).toBeLessThan(crash.uncommitted.nextOffset);
    expect((await tmpFiles(store, 'weblogs.raw')).length).toBeGreaterThan(0);

    const restart = await runArchiver(broker, store, { ...options, stopWhenIdle: true });
    expect(restart.recovery.next.get(crash.uncommitted.partition)).toBe(
      crash.uncommitted.nextOffset,
    );
    expect(restart.skipped).toBeGreaterThan(0);
    const audit = await auditArchive(store, 'weblogs.raw', produced);
    expect([audit.stored, audit.lost, audit.repeated, audit.tmpFiles]).toEqual([3000, 0, 0, 0]);
    await broker.close();
  });

  it('says so when the run ends before the roll it was to die at', async () => {
    const broker = createMemoryBroker();
    const store = await createLocalStore({ root: join(scratch, 'b') });
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 1 }]);
    await broker.produce('weblogs.raw', [{ key: null, value: 'one line' }]);
    await expect(
      crashArchiver(broker, store, { crashAtRoll: 5, stopWhenIdle: true, maxWaitMs: 5 }),
    ).rejects.toThrow('the archiver finished after 1 rolls, before roll 5: nothing to kill');
    await broker.close();
  });
});

describe('progressRecorder', () => {
  it('adds up lines, bytes and files per roll against the clock it is given', () => {
    let t = 1000;
    const rec = progressRecorder(() => t);
    const roll = (lines: number[], bytes: number[]): Roll =>
      ({
        partition: 0,
        nextOffset: 0,
        files: lines.map((l, i) => ({ file: { lines: l, bytes: bytes[i] } })),
      }) as never;
    t = 1500;
    rec.onRoll(roll([10, 2], [1000, 150]));
    t = 3000;
    rec.onRoll(roll([5], [400]));
    expect(rec.points()).toEqual([
      { seconds: 0, lines: 0, bytes: 0, files: 0 },
      { seconds: 0.5, lines: 12, bytes: 1150, files: 2 },
      { seconds: 2, lines: 17, bytes: 1550, files: 3 },
    ]);
  });
});
