/**
 * The two steps of the archiver that lab 04 lets a learner replace: reading where each partition
 * resumes (`nextOffsets`) and publishing a roll (`publish`). The defaults keep their order, and
 * the archiver really calls what it is given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { lakeNextOffsets } from '../../src/pipeline/lake-recovery';
import { type PublishRoll, publishRoll } from '../../src/pipeline/lake-writer';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-seams-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newStore = () => createLocalStore({ root: join(scratch, `lake${lakes++}`) });

const LINE = (hour: number, i: number) =>
  `10.0.0.${i % 7} - - [05/Dec/2026:${String(hour).padStart(2, '0')}:00:0${i % 10} +0000] "GET /p${i} HTTP/1.1" 200 10 "-" "t"`;

/** Logs every mutating call of a store, in order. */
function recording(inner: Store, log: string[]): Store {
  return {
    ...inner,
    engine: inner.engine,
    address: inner.address,
    create: (p, o) => {
      log.push(`create ${p}`);
      return inner.create(p, o);
    },
    rename: (a, b) => {
      log.push(`rename ${a} ${b}`);
      return inner.rename(a, b);
    },
    delete: (p, o) => {
      log.push(`delete ${p}`);
      return inner.delete(p, o);
    },
    list: (p) => inner.list(p),
    stat: (p) => inner.stat(p),
    open: (p) => inner.open(p),
    mkdirs: (p) => inner.mkdirs(p),
    append: (p) => inner.append(p),
    close: () => inner.close(),
  };
}

describe('archiver seams', () => {
  it('publishRoll: manifest, renames, manifest deleted, then the commit', async () => {
    const log: string[] = [];
    const store = recording(await newStore(), log);
    const tmp = ['/loglab/raw/_tmp/t+2+5.tmp', '/loglab/raw/_tmp/t+2+6.tmp'];
    for (const p of tmp) {
      const out = await store.create(p);
      out.end('x\n');
      await finished(out);
    }
    log.length = 0;
    const file = (first: number, last: number) => ({
      file: { firstOffset: first, lastOffset: last } as never,
      tmpPath: tmp[first - 5],
      finalPath: `/loglab/raw/date=2026-12-05/hour=0${first}/t+2+${first}+${last}.log`,
    });
    await publishRoll(
      store,
      't',
      { partition: 2, files: [file(5, 7), file(6, 6)], nextOffset: 8 },
      async () => {
        log.push('commit');
      },
    );
    expect(log).toEqual([
      'create /loglab/raw/_tmp/t+2+5.roll',
      'rename /loglab/raw/_tmp/t+2+5.tmp /loglab/raw/date=2026-12-05/hour=05/t+2+5+7.log',
      'rename /loglab/raw/_tmp/t+2+6.tmp /loglab/raw/date=2026-12-05/hour=06/t+2+6+6.log',
      'delete /loglab/raw/_tmp/t+2+5.roll',
      'commit',
    ]);
  });

  it('runArchiver recovers through the nextOffsets it is given and publishes through publish', async () => {
    const broker = createMemoryBroker();
    await broker.createTopics([{ name: 'weblogs.raw', partitions: 1 }]);
    await broker.produce(
      'weblogs.raw',
      Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: LINE(i < 10 ? 3 : 4, i) })),
    );
    const store = await newStore();
    const published: string[] = [];
    const publish: PublishRoll = async (s, topic, roll, commit) => {
      published.push(`${roll.partition}: ${roll.files.map((f) => f.finalPath).join(' ')}`);
      await publishRoll(s, topic, roll, commit);
    };
    // Claims the lake already holds offsets 0..11: the archiver skips them.
    const run = await runArchiver(broker, store, {
      stopWhenIdle: true,
      maxWaitMs: 10,
      nextOffsets: async () => new Map([[0, 12]]),
      publish,
    });
    expect({ lines: run.lines, skipped: run.skipped, rolls: run.rolls }).toEqual({
      lines: 8,
      skipped: 12,
      rolls: 1,
    });
    expect(published).toEqual(['0: /loglab/raw/date=2026-12-05/hour=04/weblogs.raw+0+12+19.log']);
    expect([...(await lakeNextOffsets(store, 'weblogs.raw'))]).toEqual([[0, 20]]);
    expect((await broker.groupLag('archiver', ['weblogs.raw'])).total).toBe(0);
    await broker.close();
  });
});
