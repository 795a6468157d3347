/**
 * A file another writer removes while the local store checks a path for symbolic links: between
 * the store's lstat (the file is there) and its realpath (it is gone). Archivers sharing a group
 * sweep each other's `_tmp/` files, so this happens; the path is still inside the lake, and
 * must not be refused as a link out of it.
 */
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import type * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

/** The file to remove just before the store's next realpath of it, or null. */
const hook = vi.hoisted(() => ({ removeBeforeRealpath: null as string | null }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fsp>();
  return {
    ...real,
    realpath: async (path: string) => {
      if (hook.removeBeforeRealpath !== null && path === hook.removeBeforeRealpath) {
        unlinkSync(path);
        hook.removeBeforeRealpath = null;
      }
      return real.realpath(path);
    },
  };
});

const { createLocalStore } = await import('../../src/storage/local-store');

const dir = mkdtempSync(join(tmpdir(), 'loglab-store-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local store when a file vanishes during its link check', () => {
  it('treats a file removed between lstat and realpath as missing, not as a link out', async () => {
    const root = join(dir, 'lake');
    const store = await createLocalStore({ root });
    await store.mkdirs('/loglab/raw/_tmp');
    const file = join(root, 'loglab', 'raw', '_tmp', 'weblogs.raw+2+15.tmp');
    writeFileSync(file, 'x\n');
    hook.removeBeforeRealpath = file;
    expect(await store.stat('/loglab/raw/_tmp/weblogs.raw+2+15.tmp')).toBeNull();
    expect(hook.removeBeforeRealpath).toBeNull();
  });

  it('still refuses a link that points nowhere', async () => {
    const root = join(dir, 'lake2');
    const store = await createLocalStore({ root });
    symlinkSync(join(dir, 'nowhere'), join(root, 'gone'));
    await expect(store.stat('/gone/x.log')).rejects.toThrow(
      'lake path /gone/x.log leads out of the lake through a symbolic link',
    );
  });
});
