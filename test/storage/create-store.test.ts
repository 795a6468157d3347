/** `createStore` in config.ts: which Store adapter each engine gets, built without any I/O on HDFS. */
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore, DEFAULT_LAKE_DIR, loadConfig } from '../../src/config';

describe('createStore', () => {
  it('embedded: a local store rooted at the lake directory, made when missing', async () => {
    const lakeDir = join(mkdtempSync(join(tmpdir(), 'loglab-create-store-')), 'a', 'lake');
    const store = await createStore('embedded', loadConfig({}), { lakeDir });
    expect(existsSync(lakeDir)).toBe(true);
    expect([store.engine, store.address]).toEqual(['embedded', realpathSync(lakeDir)]);
    await store.close();
  });

  it('embedded: out/lake when no directory is given', () => {
    expect(DEFAULT_LAKE_DIR).toBe('out/lake');
  });

  it('cluster: WebHDFS at LOGLAB_HDFS_URL, without connecting', async () => {
    const config = loadConfig({ LOGLAB_HDFS_URL: 'http://127.0.0.1:1', LOGLAB_HDFS_USER: 'ana' });
    const store = await createStore('cluster', config);
    expect([store.engine, store.address]).toEqual(['cluster', 'http://127.0.0.1:1/webhdfs/v1']);
    await store.close();
  });
});
