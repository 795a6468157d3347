/**
 * Lab 04's tests on HDFS through WebHDFS (the store `npm run cluster -- up` starts, or
 * LOGLAB_HDFS_URL): the learner's recovery and commit order plugged into the real archiver,
 * killed and restarted, with the lake on HDFS. The broker is the embedded one: what is graded is
 * the store side. The reference solution by default; LOGLAB_LAB_TARGET=exercise grades the
 * learner's file. Skipped, and saying why, when no WebHDFS answers.
 *
 * The topic is named for this run and the lines fall on a day of their own, so the files never
 * meet anyone else's on a shared HDFS; they are deleted at the end of each test.
 */
import { describe, it } from 'vitest';
import { exactlyOnceSuite } from '../../labs/04-exactly-once/crash-suite';
import { loadLab } from '../../labs/target';
import { webHdfsDown } from '../../src/storage/webhdfs-probe';
import { createWebHdfsStore, DEFAULT_WEBHDFS_URL } from '../../src/storage/webhdfs-store';

const url = process.env.LOGLAB_HDFS_URL || DEFAULT_WEBHDFS_URL;

const unreachable = await webHdfsDown(url);
const { impl, file } = await loadLab<typeof import('../../labs/04-exactly-once/solution')>(
  new URL('../../labs/04-exactly-once/lab.test.ts', import.meta.url).href,
);

if (unreachable === null) {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  // A day between 2001 and 2020 that nothing else here writes.
  const day = Math.floor(Math.random() * 7000);
  exactlyOnceSuite(
    {
      title: `labs/04-exactly-once/${file} on WebHDFS at ${url}`,
      store: async () => createWebHdfsStore({ url }),
      topic: `lab04.${suffix}`,
      start: Date.UTC(2001, 0, 1 + day, 10),
    },
    impl,
  );
} else {
  const reason = `no WebHDFS at ${url} (${unreachable}); start one with npm run cluster -- up`;
  console.warn(`lab04-exactly-once.test.ts skipped: ${reason}`);
  describe('lab 04 on WebHDFS', () => {
    it.skip(`skipped: ${reason}`, () => {});
  });
}
