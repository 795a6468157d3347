import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalStore } from '../../src/storage/local-store';
import { readAll, storeContract, writeAll } from './store-contract';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-local-store-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

storeContract('local directory', {
  open: () => createLocalStore({ root: join(scratch, 'contract') }),
  base: '/loglab-test',
});

describe('local store: the root is a wall', () => {
  // lake/ is the store's root; outside/ sits next to it.
  const lake = join(scratch, 'walled', 'lake');
  const outside = join(scratch, 'walled', 'outside');
  mkdirSync(join(lake, 'loglab'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret'), 'secret\n');
  symlinkSync(outside, join(lake, 'loglab', 'out')); // a directory link out
  symlinkSync(join(outside, 'secret'), join(lake, 'loglab', 'secret-link')); // a file link out
  symlinkSync(join(outside, 'gone'), join(lake, 'loglab', 'dangling')); // points nowhere
  mkdirSync(join(lake, 'loglab', 'real'));
  symlinkSync(join(lake, 'loglab', 'real'), join(lake, 'loglab', 'in')); // stays inside

  it('maps lake path / to the root directory', async () => {
    const store = await createLocalStore({ root: lake });
    await writeAll(await store.create('/loglab/real/f.log'), 'ok\n');
    expect(readFileSync(join(lake, 'loglab', 'real', 'f.log'), 'utf8')).toBe('ok\n');
    expect((await store.list('/')).map((e) => e.name)).toEqual(['loglab']);
  });

  it('refuses every operation through a symbolic link that points out of the root', async () => {
    const store = await createLocalStore({ root: lake });
    const attempts: [string, () => Promise<unknown>][] = [
      ['list', () => store.list('/loglab/out')],
      ['stat', () => store.stat('/loglab/out/secret')],
      ['open', () => store.open('/loglab/out/secret')],
      ['open file link', () => store.open('/loglab/secret-link')],
      ['create', () => store.create('/loglab/out/new', { overwrite: true })],
      ['create over file link', () => store.create('/loglab/secret-link', { overwrite: true })],
      ['create through dangling', () => store.create('/loglab/dangling', { overwrite: true })],
      ['create under dangling', () => store.create('/loglab/dangling/x/y')],
      ['append', () => store.append('/loglab/secret-link')],
      ['mkdirs', () => store.mkdirs('/loglab/out/d')],
      ['rename into', () => store.rename('/loglab/real', '/loglab/out/moved')],
      ['rename out of', () => store.rename('/loglab/out/secret', '/loglab/real/stolen')],
      ['delete', () => store.delete('/loglab/out/secret')],
      ['delete tree', () => store.delete('/loglab/out', { recursive: true })],
    ];
    for (const [what, attempt] of attempts) {
      await expect(attempt(), what).rejects.toMatchObject({ code: 'BAD_INPUT' });
    }
    await expect(store.open('/loglab/out/secret')).rejects.toThrow(
      'lake path /loglab/out/secret leads out of the lake through a symbolic link',
    );
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('secret\n');
    expect(readFileSync(join(lake, 'loglab', 'real', 'f.log'), 'utf8')).toBe('ok\n');
  });

  it('follows a link that stays inside the root', async () => {
    const store = await createLocalStore({ root: lake });
    expect((await readAll(await store.open('/loglab/in/f.log'))).toString()).toBe('ok\n');
  });

  it('hides names a lake path cannot spell and links from listings', async () => {
    const store = await createLocalStore({ root: lake });
    writeFileSync(join(lake, 'loglab', 'real', 'with space'), '');
    writeFileSync(join(lake, 'loglab', 'real', 'caf\u00e9'), '');
    expect((await store.list('/loglab/real')).map((e) => e.name)).toEqual(['f.log']);
    expect((await store.list('/loglab')).map((e) => e.name)).toEqual(['real']);
  });

  it('makes its root when it is missing', async () => {
    const root = join(scratch, 'fresh', 'a', 'b');
    const store = await createLocalStore({ root });
    expect(store.address).toBe(root);
    expect(await store.list('/')).toEqual([]);
  });
});

describe('local store: deletes that race', () => {
  it('two deletes of one file at once with missingOk: one deleted, the other missing', async () => {
    const store = await createLocalStore({ root: join(scratch, 'race') });
    for (let i = 0; i < 20; i++) {
      await writeAll(await store.create(`/loglab/f${i}`), 'f\n');
      const both = await Promise.all([
        store.delete(`/loglab/f${i}`, { missingOk: true }),
        store.delete(`/loglab/f${i}`, { missingOk: true }),
      ]);
      expect(both.sort()).toEqual(['deleted', 'missing']);
    }
  });
});
