import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestText, recoverLake } from '../../src/pipeline/lake-recovery';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-recovery-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function put(store: Store, path: string, text: string): Promise<void> {
  const out = await store.create(path, { overwrite: true });
  out.end(text);
  await finished(out);
}

const HOUR = '/loglab/raw/date=2026-12-05/hour=22';
const TMP = '/loglab/raw/_tmp';

describe('lake recovery', () => {
  it('resumes each partition after its largest lastOffset, raw or dead letter', async () => {
    const store = await createLocalStore({ root: join(scratch, 'a') });
    await put(store, `${HOUR}/weblogs.raw+0+0+99.log`, 'x\n');
    await put(store, `${HOUR}/weblogs.raw+0+100+149.log`, 'x\n');
    await put(store, '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+1+7+7.log', 'x\n');
    await put(store, '/loglab/deadletter/weblogs.raw+1+8+8.log', 'x\n');
    await put(store, `${HOUR}/other.topic+0+0+5000.log`, 'x\n'); // another topic
    await put(store, `${HOUR}/weblogs.raw+0+0+900.log.crc`, 'x\n'); // not a raw file name
    const r = await recoverLake(store, 'weblogs.raw');
    expect([...r.next].sort()).toEqual([
      [0, 150],
      [1, 9],
    ]);
    expect(r).toMatchObject({ rolledForward: 0, discarded: 0 });
  });

  it('finishes a decided roll, discards a half-written one, leaves other topics alone', async () => {
    const store = await createLocalStore({ root: join(scratch, 'b') });
    // A decided roll of two files; one was renamed before the crash.
    await put(store, `${HOUR}/weblogs.raw+0+10+12.log`, 'a\nc\n');
    await put(store, `${TMP}/weblogs.raw+0+11.tmp`, 'b\n');
    const next = '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+0+11+11.log';
    await put(
      store,
      `${TMP}/weblogs.raw+0+10.roll`,
      manifestText({
        renames: [
          [`${TMP}/weblogs.raw+0+10.tmp`, `${HOUR}/weblogs.raw+0+10+12.log`],
          [`${TMP}/weblogs.raw+0+11.tmp`, next],
        ],
      }),
    );
    // A roll whose manifest was cut short: never decided.
    await put(store, `${TMP}/weblogs.raw+1+0.tmp`, 'd\n');
    await put(store, `${TMP}/weblogs.raw+1+1.tmp`, 'e\n');
    await put(store, `${TMP}/weblogs.raw+1+0.roll`, '{"renames":[["/loglab/raw/_tmp/weblogs');
    await put(store, `${TMP}/other.topic+0+0.tmp`, 'f\n');
    const r = await recoverLake(store, 'weblogs.raw');
    expect(r).toMatchObject({ rolledForward: 1, discarded: 2 });
    expect([...r.next]).toEqual([[0, 13]]);
    expect((await store.list(TMP)).map((e) => e.name)).toEqual(['other.topic+0+0.tmp']);
    expect((await store.stat(next))?.size).toBe(2);
  });
});
