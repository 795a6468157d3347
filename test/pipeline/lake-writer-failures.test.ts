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
import { archiveLines } from '../../src/pipeline/archive-lines';
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
