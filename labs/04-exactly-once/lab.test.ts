/**
 * Grades labs/04-exactly-once on the local lake: the tests run against exercise.ts
 * (`npm run lab -- 04`) or solution.ts (`npm test`); every title names the file it graded.
 * The same tests run on HDFS in test/cluster/lab04-exactly-once.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createLocalStore } from '../../src/storage/local-store';
import { loadLab } from '../target';
import { exactlyOnceSuite } from './crash-suite';

const { impl, file } = await loadLab<typeof import('./solution')>(import.meta.url);

const scratch = mkdtempSync(join(tmpdir(), 'loglab-lab04-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

exactlyOnceSuite(
  {
    title: `labs/04-exactly-once/${file} on a local lake`,
    store: () => createLocalStore({ root: scratch }),
    topic: 'weblogs.raw',
    start: Date.UTC(2026, 0, 1, 10),
  },
  impl,
);
