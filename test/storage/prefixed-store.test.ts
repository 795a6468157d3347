import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalStore } from '../../src/storage/local-store';
import { createPrefixedStore } from '../../src/storage/prefixed-store';
import { storeContract, writeAll } from './store-contract';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-prefixed-store-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

storeContract('local directory under a prefix', {
  open: async () =>
    createPrefixedStore(await createLocalStore({ root: join(scratch, 'contract') }), '/runs/r1'),
  base: '/loglab-test',
});

describe('prefixed store', () => {
  it('writes under the prefix and lists paths as seen from it', async () => {
    const root = join(scratch, 'layout');
    const store = createPrefixedStore(await createLocalStore({ root }), '/runs/r2/');
    await writeAll(await store.create('/loglab/raw/f.log'), 'a\n');
    expect(readFileSync(join(root, 'runs', 'r2', 'loglab', 'raw', 'f.log'), 'utf8')).toBe('a\n');
    expect(existsSync(join(root, 'loglab'))).toBe(false);
    expect((await store.list('/loglab/raw')).map((e) => e.path)).toEqual(['/loglab/raw/f.log']);
    expect((await store.stat('/'))?.path).toBe('/');
    expect(store.address).toBe(`${root}/runs/r2`);
  });

  it('refuses a relative path instead of writing beside the prefix', async () => {
    const store = createPrefixedStore(
      await createLocalStore({ root: join(scratch, 'rel') }),
      '/runs/r3',
    );
    await expect(store.create('x.log')).rejects.toThrow('lake path "x.log" must start with /');
  });

  it('refuses / or a bad path as the prefix', async () => {
    const base = await createLocalStore({ root: join(scratch, 'bad') });
    expect(() => createPrefixedStore(base, '/')).toThrow(
      'a lake root must be an absolute path below /, got "/"',
    );
    expect(() => createPrefixedStore(base, 'demo')).toThrow('got "demo"');
  });
});
