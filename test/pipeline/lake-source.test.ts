/**
 * One numbering per topic name in a lake (lake-source.ts): lines archived from a file and a
 * topic archived from a broker under the same name are refused in either order, before anything
 * is read or written; before the marker the archiver skipped as many of the broker's records as
 * the file had lines, without a word.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoglabError, LoglabError } from '../../src/errors';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { archiveLines } from '../../src/pipeline/archive-lines';
import { readText } from '../../src/pipeline/lake-recovery';
import { claimLakeSource, SOURCES_DIR, sourcePath } from '../../src/pipeline/lake-source';
import { runArchiver } from '../../src/pipeline/run-archiver';
import { isRawFile, parseRawFileName } from '../../src/storage/lake-layout';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-lake-source-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newStore = () => createLocalStore({ root: join(scratch, `lake${lakes++}`) });

const TOPIC = 'weblogs.raw';
const lines = [...generateLines(defaultOptions({ lines: 300, start: Date.UTC(2026, 0, 1) }))];

/** Every raw file name under the lake's raw folder, sorted. */
async function rawFiles(store: Store): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entry = await store.stat(dir);
    if (entry === null) return;
    for (const e of await store.list(dir)) {
      if (e.type === 'directory') await walk(e.path);
      else if (isRawFile(parseRawFileName(e.name))) out.push(e.name);
    }
  };
  await walk('/loglab/raw');
  return out.sort();
}

/** The broker's topic with `lines` (in partition 0 of 1), and the archiver over it until idle. */
async function archiveTopic(store: Store, partitions = 1) {
  const broker = createMemoryBroker();
  await broker.createTopics([{ name: TOPIC, partitions }]);
  await broker.produce(
    TOPIC,
    lines.map((value, i) => ({ key: `k${i}`, value })),
  );
  try {
    return await runArchiver(broker, store, { topic: TOPIC, stopWhenIdle: true, maxWaitMs: 20 });
  } finally {
    await broker.close();
  }
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (isLoglabError(e) ? [e.code, e.message] : e),
  );

describe('one source per topic in a lake', () => {
  it('a topic archived from the broker after files under its name: refused, nothing read or written', async () => {
    const store = await newStore();
    const done = await archiveLines(store, [lines.slice(0, 100)], { topic: TOPIC });
    expect(done.lines).toBe(100);
    const before = await rawFiles(store);
    expect(before.length).toBeGreaterThan(0);
    expect(await failure(archiveTopic(store))).toEqual([
      'BAD_INPUT',
      `the lake holds "weblogs.raw" archived from files (/loglab/_sources/weblogs.raw.json), numbered by line and not by Kafka's offsets: archive the topic into another lake (--lake), or archive files under another --topic`,
    ]);
    expect(await rawFiles(store)).toEqual(before);
    expect(JSON.parse(await readText(await store.open(sourcePath(TOPIC))))).toEqual({
      topic: TOPIC,
      source: 'file',
    });
    await store.close();
  });

  it('files archived under the name of a topic the lake holds from the broker: refused, nothing written', async () => {
    const store = await newStore();
    const run = await archiveTopic(store);
    expect(run.lines).toBe(lines.length);
    const before = await rawFiles(store);
    expect(await failure(archiveLines(store, [lines.slice(0, 10)], { topic: TOPIC }))).toEqual([
      'BAD_INPUT',
      `the lake holds "weblogs.raw" archived from Kafka (/loglab/_sources/weblogs.raw.json); a file's lines would take offsets the topic's archiver then skips: archive the file under another --topic, or into another lake (--lake)`,
    ]);
    expect(await rawFiles(store)).toEqual(before);
    // Under a name of their own, beside the topic: both kept whole.
    const files = await archiveLines(store, [lines.slice(0, 10)], { topic: 'from-files' });
    expect([files.firstOffset, files.lines]).toEqual([0, 10]);
    expect(await archiveTopic(store).then((r) => [r.lines, r.skipped])).toEqual([0, lines.length]);
    await store.close();
  });

  it('the same kind again goes on: a second file after the first, the archiver after itself', async () => {
    const store = await newStore();
    await archiveLines(store, [lines.slice(0, 10)], { topic: 'f' });
    const second = await archiveLines(store, [lines.slice(10, 30)], { topic: 'f' });
    expect([second.firstOffset, second.lines]).toEqual([10, 20]);
    await claimLakeSource(store, TOPIC, 'kafka');
    await claimLakeSource(store, TOPIC, 'kafka');
    expect((await store.list(SOURCES_DIR)).map((e) => e.name)).toEqual([
      '_drafts',
      'f.json',
      'weblogs.raw.json',
    ]);
    expect(await store.list(`${SOURCES_DIR}/_drafts`)).toEqual([]);
    await store.close();
  });

  it('two writers of either kind starting together on a fresh lake: one kind wins, the other is refused', async () => {
    for (let round = 0; round < 5; round++) {
      const store = await newStore();
      const claims = await Promise.allSettled([
        claimLakeSource(store, TOPIC, 'kafka'),
        claimLakeSource(store, TOPIC, 'file'),
        claimLakeSource(store, TOPIC, 'kafka'),
      ]);
      const marker = JSON.parse(await readText(await store.open(sourcePath(TOPIC)))).source;
      const kinds = ['kafka', 'file', 'kafka'];
      expect(claims.map((c) => c.status)).toEqual(
        kinds.map((k) => (k === marker ? 'fulfilled' : 'rejected')),
      );
      expect(await store.list(`${SOURCES_DIR}/_drafts`)).toEqual([]);
      await store.close();
    }
  });

  it('a marker that is not one: one line naming it', async () => {
    const store = await newStore();
    const out = await store.create(sourcePath(TOPIC));
    out.end('{"source":"ftp"}\n');
    await finished(out);
    expect(await failure(claimLakeSource(store, TOPIC, 'file'))).toEqual([
      'BAD_INPUT',
      "/loglab/_sources/weblogs.raw.json in the lake is not a topic's source marker",
    ]);
    await store.close();
  });

  it('a name that is no topic name: refused before any write, no marker', async () => {
    const store = await newStore();
    expect(await failure(claimLakeSource(store, 'a/b', 'file'))).toEqual([
      'BAD_INPUT',
      'topic "a/b" is not a Kafka topic name',
    ]);
    expect(await store.stat(SOURCES_DIR)).toBe(null);
    await store.close();
  });

  it('a topic name too long to name the lake files: refused before any write, 200 taken', async () => {
    const store = await newStore();
    const long = 't'.repeat(201);
    expect(await failure(archiveLines(store, [lines.slice(0, 10)], { topic: long }))).toEqual([
      'BAD_INPUT',
      'topic names of more than 200 characters cannot name files in the lake (this one has 201; a file name holds 255 with the partition and offsets): use a topic name of at most 200',
    ]);
    expect(await store.stat(SOURCES_DIR)).toBe(null);
    // The longest taken: its files, their _tmp/ names and its marker all fit.
    const run = await archiveLines(store, [lines], { topic: 't'.repeat(200) });
    expect(run.lines).toBe(300);
    await store.close();
  });

  it('a marker path taken by something that is not a file: one error, not a loop of drafts', async () => {
    const root = join(scratch, `lake${lakes++}`);
    const store = await createLocalStore({ root });
    mkdirSync(join(root, 'loglab', '_sources'), { recursive: true });
    expect(spawnSync('mkfifo', [join(root, 'loglab', '_sources', 'weblogs.raw.json')]).status).toBe(
      0,
    );
    expect(await failure(claimLakeSource(store, TOPIC, 'kafka'))).toEqual([
      'ALREADY_EXISTS',
      '/loglab/_sources/weblogs.raw.json: already exists in the lake',
    ]);
    expect(await store.list(`${SOURCES_DIR}/_drafts`)).toEqual([]);
    await store.close();
  });

  it('a marker deleted between the lost rename and its read: one error, no claim without a marker', async () => {
    const store = await newStore();
    const marker = sourcePath(TOPIC);
    let asked = 0;
    // None at first; the rename loses (as to another writer), the marker is there when asked
    // why, then gone when read.
    const racing: Store = Object.create(store, {
      rename: {
        value: async () => {
          throw new LoglabError('ALREADY_EXISTS', `${marker}: already exists in the lake`);
        },
      },
      stat: {
        value: async (path: string) => {
          if (path !== marker) return store.stat(path);
          if (++asked !== 2) return null;
          return { path, name: 'weblogs.raw.json', type: 'file', size: 40, mtime: Date.now() };
        },
      },
    });
    expect(await failure(claimLakeSource(racing, TOPIC, 'kafka'))).toEqual([
      'IO',
      '/loglab/_sources/weblogs.raw.json in the lake was deleted while this run read it: run again to claim "weblogs.raw"',
    ]);
    expect(await store.stat(marker)).toBe(null);
    await store.close();
  });

  it('drafts of writers killed half-way are swept by the next writer that places a marker', async () => {
    const root = join(scratch, `lake${lakes++}`);
    const store = await createLocalStore({ root });
    const drafts = join(root, 'loglab', '_sources', '_drafts');
    mkdirSync(drafts, { recursive: true });
    writeFileSync(join(drafts, 'old.draft'), '{"topic":"x","sou');
    writeFileSync(join(drafts, 'fresh.draft'), '{"topic":"y","source":"file"}\n');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(drafts, 'old.draft'), hourAgo, hourAgo);
    await claimLakeSource(store, TOPIC, 'file');
    expect((await store.list(`${SOURCES_DIR}/_drafts`)).map((e) => e.name)).toEqual([
      'fresh.draft',
    ]);
    await store.close();
  });

  it("a lake from before markers: files in partitions other than 0 are taken for Kafka's", async () => {
    const store = await newStore();
    await archiveTopic(store, 3);
    await store.delete(sourcePath(TOPIC));
    expect(await failure(archiveLines(store, [lines.slice(0, 10)], { topic: TOPIC }))).toEqual([
      'BAD_INPUT',
      `the lake holds "weblogs.raw" archived from Kafka (/loglab/_sources/weblogs.raw.json); a file's lines would take offsets the topic's archiver then skips: archive the file under another --topic, or into another lake (--lake)`,
    ]);
    // Partition 0 alone cannot tell: the writer asking is taken at its word.
    const other = await newStore();
    await archiveTopic(other);
    await other.delete(sourcePath(TOPIC));
    expect((await archiveLines(other, [lines.slice(0, 10)], { topic: TOPIC })).lines).toBe(10);
    await store.close();
    await other.close();
  });

  it('claims nothing when there is nothing to archive: empty input, a topic that does not exist', async () => {
    const store = await newStore();
    const done = await archiveLines(store, [[], []], { topic: TOPIC });
    expect([done.firstOffset, done.lines, done.files]).toEqual([0, 0, 0]);
    const broker = createMemoryBroker();
    const err = await runArchiver(broker, store, { topic: 'missing', stopWhenIdle: true }).catch(
      (e: unknown) => e,
    );
    expect(isLoglabError(err) && err.code).toBe('NOT_FOUND');
    await broker.close();
    expect(await store.stat(SOURCES_DIR)).toBe(null);
    // A marker naming another topic is not this topic's.
    const out = await store.create(sourcePath(TOPIC));
    out.end('{"topic":"other","source":"file"}\n');
    await finished(out);
    expect(await failure(claimLakeSource(store, TOPIC, 'file'))).toEqual([
      'BAD_INPUT',
      "/loglab/_sources/weblogs.raw.json in the lake is not a topic's source marker",
    ]);
    await store.close();
  });
});
