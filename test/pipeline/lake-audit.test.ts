/**
 * Reading one topic's files back from a lake: the audit against what was produced (lost and
 * repeated lines per partition), the sums per hour partition, and removal of only that topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditArchive,
  hourPartitionRows,
  linesByPartition,
  resumeRows,
} from '../../src/pipeline/lake-audit';
import { deleteTopicFiles, fileLines, tmpFiles, topicFiles } from '../../src/pipeline/lake-files';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-audit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newStore = () => createLocalStore({ root: join(scratch, `lake${lakes++}`) });

async function put(store: Store, path: string, text: string | Buffer): Promise<void> {
  const out = await store.create(path, { overwrite: true });
  out.end(text);
  await finished(out);
}

const H10 = '/loglab/raw/date=2026-12-05/hour=10';
const H11 = '/loglab/raw/date=2026-12-05/hour=11';
const letter = (line: string) => JSON.stringify({ reason: 'bad-timestamp', message: 'm', line });

/** Partition 0: a, b (hour 10), c (hour 11), junk (dead letter); partition 1: d, gzipped. */
async function lake(): Promise<Store> {
  const store = await newStore();
  await put(store, `${H10}/t+0+0+1.log`, 'a\nb\n');
  await put(store, `${H11}/t+0+2+2.log`, 'c\n');
  await put(store, `/loglab/deadletter/t+0+3+3.log`, `${letter('junk')}\n`);
  await put(store, `${H10}/t+1+0+0.log.gz`, gzipSync('d\n'));
  await put(store, `${H10}/u+0+0+0.log`, 'other topic\n');
  await put(store, '/loglab/raw/_tmp/t+0+4.tmp', 'half a line');
  return store;
}

describe('lake files and audit', () => {
  it('lists a topic’s files with their hour, and reads their lines back as produced', async () => {
    const store = await lake();
    const files = await topicFiles(store, 't');
    expect(files.map((f) => [f.path, f.partition, f.firstOffset, f.lastOffset, f.hour])).toEqual([
      [`${H10}/t+0+0+1.log`, 0, 0, 1, 'date=2026-12-05/hour=10'],
      [`${H11}/t+0+2+2.log`, 0, 2, 2, 'date=2026-12-05/hour=11'],
      ['/loglab/deadletter/t+0+3+3.log', 0, 3, 3, null],
      [`${H10}/t+1+0+0.log.gz`, 1, 0, 0, 'date=2026-12-05/hour=10'],
    ]);
    expect(await fileLines(store, files[2])).toEqual(['junk']);
    expect(await fileLines(store, files[3])).toEqual(['d']);
    expect((await tmpFiles(store, 't')).map((e) => e.name)).toEqual(['t+0+4.tmp']);
  });

  it('audits exactly: nothing lost or repeated, then a lost and a repeated line', async () => {
    const store = await lake();
    const produced = [['a', 'b', 'c', 'junk'], ['d']];
    expect(await auditArchive(store, 't', produced)).toEqual({
      produced: 5,
      stored: 5,
      lost: 0,
      repeated: 0,
      tmpFiles: 1,
      partitions: [
        { partition: 0, produced: 4, stored: 4, lost: 0, repeated: 0 },
        { partition: 1, produced: 1, stored: 1, lost: 0, repeated: 0 },
      ],
    });
    await store.delete(`${H11}/t+0+2+2.log`);
    await put(store, `${H11}/t+1+1+1.log`, 'd\n');
    const after = await auditArchive(store, 't', produced);
    expect(after.partitions).toEqual([
      { partition: 0, produced: 4, stored: 3, lost: 1, repeated: 0 },
      { partition: 1, produced: 1, stored: 2, lost: 0, repeated: 1 },
    ]);
    expect([after.lost, after.repeated]).toEqual([1, 1]);
  });

  it('sums files, bytes and lines per hour partition, dead letters last', async () => {
    const store = await lake();
    const rows = await hourPartitionRows(store, 't');
    expect(rows.map((r) => [r.hour, r.files, r.lines])).toEqual([
      ['date=2026-12-05/hour=10', 2, 3],
      ['date=2026-12-05/hour=11', 1, 1],
      ['deadletter', 1, 1],
    ]);
    expect(rows[1].bytes).toBe(2);
  });

  it('deletes one topic’s files and the hour directories it alone used', async () => {
    const store = await lake();
    expect(await deleteTopicFiles(store, 't')).toBe(5);
    expect(await topicFiles(store, 't')).toEqual([]);
    expect(await tmpFiles(store, 't')).toEqual([]);
    expect(await store.stat(H11)).toBe(null);
    expect((await store.list(H10)).map((e) => e.name)).toEqual(['u+0+0+0.log']);
  });
});

describe('rows for the notebook', () => {
  it('linesByPartition orders each partition by offset', () => {
    expect(
      linesByPartition([
        { partition: 1, offset: 1, value: 'd' },
        { partition: 0, offset: 1, value: 'b' },
        { partition: 1, offset: 0, value: 'c' },
        { partition: 0, offset: 0, value: 'a' },
      ]),
    ).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('resumeRows sets the group’s committed offset beside the lake’s next offset', () => {
    expect(
      resumeRows(
        [
          { partition: 1, committed: 234 },
          { partition: 0, committed: null },
        ],
        new Map([[1, 307]]),
      ),
    ).toEqual([
      { partition: 0, committed: null, lake: 0, ahead: 0 },
      { partition: 1, committed: 234, lake: 307, ahead: 73 },
    ]);
  });
});
