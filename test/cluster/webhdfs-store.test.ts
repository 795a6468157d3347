/**
 * The Store contract on the WebHDFS adapter against a real HDFS: the one `npm run cluster -- up`
 * starts, or LOGLAB_HDFS_URL. When nothing answers there the suite is skipped, and says why.
 */
import { describe, it } from 'vitest';
import { webHdfsDown } from '../../src/storage/webhdfs-probe';
import { createWebHdfsStore, DEFAULT_WEBHDFS_URL } from '../../src/storage/webhdfs-store';
import { storeContract } from '../storage/store-contract';

const url = process.env.LOGLAB_HDFS_URL || DEFAULT_WEBHDFS_URL;

const unreachable = await webHdfsDown(url);
const base = `/loglab-test/store-contract-${Date.now()}`;

if (unreachable === null) {
  storeContract(`WebHDFS at ${url}`, {
    open: async () => createWebHdfsStore({ url }),
    base,
    cleanup: async (store) => {
      await store.delete(base, { recursive: true, missingOk: true });
    },
  });
} else {
  const reason = `no WebHDFS at ${url} (${unreachable}); start one with npm run cluster -- up`;
  console.warn(`webhdfs-store.test.ts skipped: ${reason}`);
  describe('Store contract: WebHDFS', () => {
    it.skip(`skipped: ${reason}`, () => {});
  });
}
