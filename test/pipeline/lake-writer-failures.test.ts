/**
 * The lake writer does not wait for every write to reach the store, so a write that fails (a
 * full disk, a refused write) surfaces later: it must still reject the run with the store's
 * error, never crash the process with an unhandled 'error' event, hang, or drop lines silently.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate';
import { getParser } from '../../src/log/parser';
import { archiveLines } from '../../src/pipeline/archive-lines';
import { ArchiveRoller } from '../../src/pipeline/archive-roller';
import { LakeWriter } from '../../src/pipeline/lake-writer';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';

/** A local store whose files under _tmp/ refuse their `failAt`-th write. */
async function storeFailingAt(failAt: number): Promise<Store> {
  const local = await createLocalStore({ root: mkdtempSync(join(tmpdir(), 'loglab-writer-')) });
  return {
    ...local,
    async create(path, options) {
      const real = await local.create(path, options);
      if (!path.includes('/_tmp/')) return real;
      real.end(); // the file exists, so a roll before the failure can rename it
      let writes = 0;
      return new Writable({
        write(_chunk, _enc, cb) {
          writes++;
          if (writes >= failAt) cb(new Error('ENOSPC: no space left on device, write'));
          else setTimeout(cb, 1);
        },
      });
    },
  };
}

/** Lines within one hour, so each drain writes the same files again. */
function chunks(count: number, size: number): string[][] {
  const lines = [
    ...generateLines(defaultOptions({ seed: 3, lines: count * size, spanMs: 1_800_000 })),
  ];
  return Array.from({ length: count }, (_, i) => lines.slice(i * size, (i + 1) * size));
}

describe('lake writer failures', () => {
  for (const failAt of [1, 2, 5]) {
    it(`rejects the run with the store's error when write ${failAt} fails`, async () => {
      const store = await storeFailingAt(failAt);
      await expect(archiveLines(store, chunks(8, 500))).rejects.toThrow(
        'ENOSPC: no space left on device, write',
      );
    });
  }
});

describe('lake writer rolls partitions at once', () => {
  it('lets every partition finish its roll before throwing the first failure', async () => {
    const local = await createLocalStore({ root: mkdtempSync(join(tmpdir(), 'loglab-writer-')) });
    const renamed: string[] = [];
    const store: Store = {
      ...local,
      async rename(from, to) {
        if (from.includes('+0+')) throw new Error('rename refused');
        await new Promise((resolve) => setTimeout(resolve, 100));
        await local.rename(from, to);
        // A roll's claim is renamed into `_tmp/` first (roll-claim.ts): only files in place count.
        if (!to.includes('/_tmp/')) renamed.push(to);
      },
    };
    const roller = new ArchiveRoller(
      { topic: 'weblogs.raw', rollBytes: 1 << 20, rollIntervalMs: 60_000, allowedLatenessMs: 0 },
      getParser('auto'),
    );
    const writer = new LakeWriter(store, roller, 'weblogs.raw');
    const [a, b] = chunks(1, 2)[0];
    writer.add(0, 0, a, 0);
    writer.add(1, 0, b, 0);
    await expect(writer.rollAll()).rejects.toThrow('rename refused');
    // Partition 1's roll was not left running behind the failure.
    expect(renamed).toHaveLength(1);
    expect(renamed[0]).toMatch(/\/weblogs\.raw\+1\+0\+0\.log$/);
  });
});
