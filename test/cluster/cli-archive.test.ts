/**
 * `loglab archive` on the real broker and the real HDFS, as real processes: lines produced with
 * `loglab produce` come back from `loglab lake cat --engine cluster` exactly (the same multiset,
 * each partition's lines in offset order), plain and gzipped; `lake ls` and `lake du` agree with
 * them byte for byte; a restart recovers from the file names on HDFS and repeats nothing; --max,
 * --idle-exit and Ctrl-C end a run with its files rolled; a file goes to HDFS in the same layout.
 *
 * The lake root is fixed (/loglab), so each test writes files of its own topic (files are named
 * by topic) with event times on a day no other test uses, and deletes them afterwards.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { getParser } from '../../src/log/parser';
import { isRecord } from '../../src/log/record';
import { sourcePath } from '../../src/pipeline/lake-source';
import { isRawFile, parseRawFileName, type RawFile, TMP_DIR } from '../../src/storage/lake-layout';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';
import { withKafkaAdmin } from './kafka-admin';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');
const ENV = { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' };
const config = loadConfig();
const HDFS = `HDFS at ${config.hdfs.url}`;
const run = Date.now();
const scratch = mkdtempSync(join(tmpdir(), 'loglab-cli-archive-'));
const topics: string[] = [];
const groups: string[] = [];
const parse = getParser('auto');
/** Three hours of event time on a day of their own. */
const DAY = '2026-11-20';
const GENERATE = ['--start', `${DAY}T21:30:00Z`, '--span', '2h30m'];
let broker: Broker;
let store: Store;

const topicName = (what: string) => {
  const t = `loglab.test.archive-${what}.${run}`;
  topics.push(t);
  return t;
};
const groupName = (what: string) => {
  const g = `loglab.test.archive-${what}.${run}`;
  groups.push(g);
  return g;
};

function loglab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: '',
    encoding: 'utf8',
    env: { ...ENV, ...env },
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function start(args: string[]): ChildProcess & { err: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: ENV });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  child.stdout?.resume();
  return Object.assign(child, { err: () => err });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Paths of the topic's files being written (under `_tmp/`). */
async function tmpFiles(topic: string): Promise<string[]> {
  if ((await store.stat(TMP_DIR)) === null) return [];
  return (await store.list(TMP_DIR))
    .filter((e) => e.name.startsWith(`${topic}+`))
    .map((e) => e.path);
}

/** `lines` generated lines produced to a new topic with `loglab produce`; its file too. */
function produce(topic: string, lines: number, seed: number, span = GENERATE): string {
  const text = loglab(['generate', '--lines', String(lines), '--seed', String(seed), ...span]);
  expect(text.code).toBe(0);
  const file = join(scratch, `${topic}.log`);
  writeFileSync(file, text.stdout);
  // Stamped with the time of sending, so a broker that deletes old messages keeps them.
  const r = loglab([
    'produce',
    file,
    '--engine',
    'cluster',
    '--topic',
    topic,
    '--timestamp',
    'now',
  ]);
  expect(r.stderr).toBe(`produced ${lines} to ${topic}, 0 to weblogs.deadletter\n`);
  return file;
}

/** What each partition of a topic holds, in offset order: the truth to compare with. */
async function partitions(topic: string, count: number): Promise<string[][]> {
  const out: string[][] = [];
  const consumer = await broker.subscribe({
    groupId: groupName(`${topic.slice(-30)}-truth`),
    topics: [topic],
    fromBeginning: true,
  });
  let seen = 0;
  while (seen < count) {
    const r = await consumer.poll({ maxWaitMs: 1000 });
    if (r.kind !== 'records') continue;
    for (const b of r.batches) {
      out[b.partition] ??= [];
      for (const rec of b.records) {
        expect(rec.offset).toBe(out[b.partition].length);
        out[b.partition].push(rec.value);
      }
      seen += b.records.length;
    }
  }
  await consumer.close();
  return out;
}

interface LakeFile {
  readonly path: string;
  readonly dir: string;
  readonly size: number;
  readonly file: RawFile;
}

/** The files of `topic` in the lake (raw and dead letters), by the store's listing. */
async function topicFiles(topic: string, dir = '/loglab', out: LakeFile[] = []) {
  if ((await store.stat(dir)) === null) return out;
  for (const e of await store.list(dir)) {
    if (e.type === 'directory') {
      if (e.name !== '_tmp') await topicFiles(topic, e.path, out);
    } else if (e.name.startsWith(`${topic}+`)) {
      const parsed = parseRawFileName(e.name);
      if (!isRawFile(parsed)) throw new Error(`not a raw file name: ${e.path}`);
      out.push({ path: e.path, dir, size: e.size, file: parsed.file });
    }
  }
  return out;
}

function hourDir(line: string): string | null {
  const r = parse(line);
  if (!isRecord(r)) return null;
  const iso = new Date(r.time).toISOString();
  return `/loglab/raw/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/**
 * Every file of the topic read back with `loglab lake cat --engine cluster`: each holds exactly
 * the lines of its partition in its offset range whose hour is its directory, in offset order,
 * and together they hold every offset of every partition once. Returns the files.
 */
async function expectExactLake(topic: string, truth: string[][]): Promise<LakeFile[]> {
  const files = await topicFiles(topic);
  expect(await tmpFiles(topic)).toEqual([]);
  const seen: number[][] = truth.map(() => []);
  const all: string[] = [];
  for (const f of files) {
    const cat = loglab(['lake', 'cat', '--engine', 'cluster', f.path]);
    expect(cat.stderr).toBe('');
    expect(cat.code).toBe(0);
    const lines = cat.stdout.slice(0, -1).split('\n');
    const src = truth[f.file.partition];
    const offsets: number[] = [];
    for (let o = f.file.firstOffset; o <= f.file.lastOffset; o++) {
      if (hourDir(src[o]) === f.dir) offsets.push(o);
    }
    expect(lines, f.path).toEqual(offsets.map((o) => src[o]));
    seen[f.file.partition].push(...offsets);
    all.push(...lines);
  }
  for (let p = 0; p < truth.length; p++) {
    expect(seen[p].sort((a, b) => a - b)).toEqual(truth[p].map((_, i) => i));
  }
  expect(all.sort()).toEqual(truth.flat().sort());
  return files;
}

/** `lake du` rows of the topic's Kafka partitions: `BYTES FILES topic+p`. */
function duRows(topic: string): string[] {
  const du = loglab(['lake', 'du', '--engine', 'cluster']);
  expect(du.code).toBe(0);
  return du.stdout
    .split('\n')
    .filter((l) => l.includes(` ${topic}+`))
    .map((l) => l.trim().split(/ +/).join(' '));
}

/** What `lake du` must say of each partition: stored bytes and files, summed from the files. */
function expectedDu(topic: string, files: readonly LakeFile[], partitionCount: number): string[] {
  const rows: string[] = [];
  for (let p = 0; p < partitionCount; p++) {
    const mine = files.filter((f) => f.file.partition === p);
    if (mine.length === 0) continue;
    rows.push(`${mine.reduce((n, f) => n + f.size, 0)} ${mine.length} ${topic}+${p}`);
  }
  return rows;
}

/** `lake ls` of every hour directory the topic uses: its rows for the topic's files. */
function expectExactLs(topic: string, files: readonly LakeFile[]): void {
  for (const dir of new Set(files.map((f) => f.dir))) {
    const ls = loglab(['lake', 'ls', '--engine', 'cluster', dir]);
    expect(ls.code).toBe(0);
    const rows = ls.stdout
      .split('\n')
      .filter((l) => l.includes(` ${topic}+`))
      .map((l) => l.trim().split(/ +/).join(' '))
      .sort();
    const want = files
      .filter((f) => f.dir === dir)
      .map((f) => `file ${f.size} ${f.path.slice(dir.length + 1)}`)
      .sort();
    expect(rows).toEqual(want);
  }
}

beforeAll(async () => {
  broker = createBroker('cluster', config);
  store = await createStore('cluster', config);
  try {
    await broker.listTopics();
    await store.stat('/');
  } catch (err) {
    throw new Error(`${(err as Error).message} (these tests need the real Kafka and HDFS)`);
  }
});

afterAll(async () => {
  for (const topic of topics) {
    await store.delete(sourcePath(topic), { missingOk: true });
    for (const f of await topicFiles(topic)) await store.delete(f.path, { missingOk: true });
    for (const path of await tmpFiles(topic)) await store.delete(path, { missingOk: true });
  }
  // The hour directories of our day, when nothing else is left in them.
  for (const dir of [`/loglab/raw/date=${DAY}`, '/loglab/raw/date=2026-11-21']) {
    if ((await store.stat(dir)) === null) continue;
    for (const h of await store.list(dir)) await store.delete(h.path).catch(() => undefined);
    await store.delete(dir).catch(() => undefined);
  }
  await store?.close();
  await broker?.close();
  await withKafkaAdmin(async (admin) => {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics }).catch(() => undefined);
  });
  rmSync(scratch, { recursive: true, force: true });
});

describe('loglab archive on Kafka and HDFS', () => {
  it('archives a topic into HDFS exactly: --max, then --idle-exit; cat, ls and du agree', async () => {
    const topic = topicName('plain');
    const group = groupName('plain');
    produce(topic, 20_000, 41);
    const truth = await partitions(topic, 20_000);
    const base = ['archive', '--engine', 'cluster', '--topic', topic, '--group', group];

    const first = loglab([...base, '--max', '6000']);
    expect(first.code).toBe(0);
    const afterFirst = await topicFiles(topic);
    expect(first.stderr).toBe(
      `archived 6000 lines into ${afterFirst.length} files from ${topic} (group ${group}) to ${HDFS}; 0 records skipped as already in the lake; at start 0 rolls finished, 0 unfinished files discarded; no gaps; reached --max 6000\n`,
    );

    const rest = loglab([...base, '--idle-exit', '2s', '--roll-size', '300000']);
    expect(rest.code).toBe(0);
    const files = await expectExactLake(topic, truth);
    expect(rest.stderr).toBe(
      `archived 14000 lines into ${files.length - afterFirst.length} files from ${topic} (group ${group}) to ${HDFS}; 0 records skipped as already in the lake; at start 0 rolls finished, 0 unfinished files discarded; no gaps; nothing new for 2 s\n`,
    );
    // Three event hours, and --roll-size cut some files: more than one file per hour partition.
    expect(new Set(files.map((f) => f.dir)).size).toBe(3);
    expect(files.length).toBeGreaterThan(3 * truth.length);
    expect(files.every((f) => f.path.endsWith('.log'))).toBe(true);
    expectExactLs(topic, files);
    const du = duRows(topic);
    expect(du).toEqual(expectedDu(topic, files, truth.length));
    // Stored bytes are the lines' bytes: each line and its newline.
    const bytes = truth.flat().reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(du.reduce((n, row) => n + Number(row.split(' ')[0]), 0)).toBe(bytes);

    // A new group starts at the beginning of the topic: the lake, not the group, says where
    // to resume, so every record is skipped and nothing is written twice.
    const again = loglab([...base.slice(0, -1), groupName('plain-again'), '--idle-exit', '2s']);
    expect(again.stderr).toMatch(
      /^archived 0 lines into 0 files .*; 20000 records skipped as already in the lake; .*; no gaps; nothing new for 2 s\n$/,
    );
    expect(await topicFiles(topic)).toEqual(files);
  });

  it('--compress gzip: .log.gz files on HDFS, cat gives the same lines back, du counts stored bytes', async () => {
    const topic = topicName('gzip');
    const group = groupName('gzip');
    produce(topic, 8000, 43);
    const truth = await partitions(topic, 8000);
    const r = loglab([
      'archive',
      '--engine',
      'cluster',
      '--topic',
      topic,
      '--group',
      group,
      '--compress',
      'gzip',
      '--idle-exit',
      '2s',
    ]);
    expect(r.code).toBe(0);
    const files = await expectExactLake(topic, truth);
    expect(r.stderr).toBe(
      `archived 8000 lines into ${files.length} files from ${topic} (group ${group}) to ${HDFS}; 0 records skipped as already in the lake; at start 0 rolls finished, 0 unfinished files discarded; no gaps; nothing new for 2 s\n`,
    );
    expect(files.every((f) => f.path.endsWith('.log.gz'))).toBe(true);
    expectExactLs(topic, files);
    const du = duRows(topic);
    expect(du).toEqual(expectedDu(topic, files, truth.length));
    const stored = du.reduce((n, row) => n + Number(row.split(' ')[0]), 0);
    const text = truth.flat().reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(stored).toBeLessThan(text / 3);

    // Recovery reads the offsets of .gz names on HDFS: a new group repeats nothing.
    const again = loglab([
      'archive',
      '--engine',
      'cluster',
      '--topic',
      topic,
      '--group',
      groupName('gzip-again'),
      '--idle-exit',
      '2s',
    ]);
    expect(again.stderr).toMatch(/^archived 0 lines into 0 files .*; 8000 records skipped /);
    expect(await topicFiles(topic)).toEqual(files);
  });

  it('Ctrl-C rolls the open files and exits 0; the next run goes on from there', async () => {
    const topic = topicName('interrupt');
    const group = groupName('interrupt');
    // One event hour, big files and a long interval: nothing rolls before the signal.
    produce(topic, 3000, 47, ['--start', `${DAY}T21:10:00Z`, '--span', '30m']);
    const truth = await partitions(topic, 3000);
    const base = ['archive', '--engine', 'cluster', '--topic', topic, '--group', group];
    const child = start(base);
    await until('the archiver has joined its group', () => memberReady(group));
    // Fetching 3000 records takes milliseconds once the member holds its partitions.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await topicFiles(topic)).toEqual([]);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    const summary = child.err().match(/^archived (\d+) lines into (\d+) files /);
    const rolled = await topicFiles(topic);
    expect(Number(summary?.[1])).toBeGreaterThan(0);
    expect(Number(summary?.[2])).toBe(rolled.length);
    expect(child.err()).toMatch(
      /; 0 records skipped as already in the lake; at start 0 rolls finished, 0 unfinished files discarded; no gaps; stopped by Ctrl-C\n$/,
    );
    // What was rolled was committed: the next run reads the rest and skips nothing.
    const rest = loglab([...base, '--idle-exit', '2s']);
    expect(rest.stderr).toMatch(
      new RegExp(`^archived ${3000 - Number(summary?.[1])} lines .*; 0 records skipped `),
    );
    await expectExactLake(topic, truth);
  });

  it('puts a file into HDFS in the same layout: loglab archive FILE --engine cluster', async () => {
    const topic = topicName('file');
    const text = loglab(['generate', '--lines', '3000', '--seed', '53', ...GENERATE]).stdout;
    const file = join(scratch, 'file.log');
    writeFileSync(file, text);
    const r = loglab([
      'archive',
      file,
      '--engine',
      'cluster',
      '--topic',
      topic,
      '--compress',
      'gzip',
    ]);
    const files = await expectExactLake(topic, [text.slice(0, -1).split('\n')]);
    expect(r.stderr).toBe(
      `archived 3000 lines into ${files.length} files (offsets 0..2999) in ${HDFS}\n`,
    );
    expect(r.code).toBe(0);
    expect(files.every((f) => f.file.partition === 0 && f.path.endsWith('.log.gz'))).toBe(true);
  });

  it('a topic whose name files were archived under is refused in one line: nothing read, nothing written', async () => {
    const topic = topicName('mixed');
    const group = groupName('mixed');
    const file = produce(topic, 500, 61);
    const put = loglab(['archive', file, '--engine', 'cluster', '--topic', topic]);
    expect(put.code, put.stderr).toBe(0);
    const before = (await topicFiles(topic)).map((f) => f.path).sort();
    expect(before.length).toBeGreaterThan(0);
    const r = loglab([
      ...['archive', '--engine', 'cluster', '--topic', topic, '--group', group],
      ...['--idle-exit', '2s'],
    ]);
    expect(r.stderr).toBe(
      `loglab archive: the lake holds "${topic}" archived from files (/loglab/_sources/${topic}.json), numbered by line and not by Kafka's offsets: archive the topic into another lake (--lake), or archive files under another --topic\n`,
    );
    expect(r.code).toBe(2);
    expect((await topicFiles(topic)).map((f) => f.path).sort()).toEqual(before);
    // Before the marker the archiver took the file's 500 offsets for records it had stored and
    // skipped all 500 of the topic's; now it has not even joined: nothing is committed.
    expect(
      (await broker.groupLag(group, [topic])).partitions.every((p) => p.committed === null),
    ).toBe(true);
  });

  it('a topic deleted and made again under its name is refused in one line: nothing skipped, nothing written', async () => {
    const topic = topicName('remade');
    const group = groupName('remade');
    produce(topic, 600, 62);
    const first = loglab([
      ...['archive', '--engine', 'cluster', '--topic', topic, '--group', group],
      ...['--idle-exit', '2s'],
    ]);
    expect(first.code, first.stderr).toBe(0);
    const before = (await topicFiles(topic)).map((f) => f.path).sort();
    await broker.deleteTopics([topic]);
    const deadline = Date.now() + 60_000;
    while ((await broker.listTopics()).includes(topic) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // The same name again, fewer lines: its offsets start at 0 again, below the lake's.
    produce(topic, 100, 63);
    const r = loglab([
      ...['archive', '--engine', 'cluster', '--topic', topic, '--group', group],
      ...['--idle-exit', '2s'],
    ]);
    expect(r.stderr).toMatch(
      new RegExp(
        `^loglab archive: the lake holds "${topic.replaceAll('.', '\\.')}" partition \\d up to offset \\d+, but the topic's partition ends at offset \\d+: the topic was deleted and made again under this name, or the lake is another cluster's; archive it into another lake \\(--lake\\), or under another topic name\n$`,
      ),
    );
    expect(r.code).toBe(2);
    expect((await topicFiles(topic)).map((f) => f.path).sort()).toEqual(before);
    // Before, it skipped all 100 lines as "already in the lake" and committed past them.
    expect(
      (await broker.groupLag(group, [topic])).partitions.every((p) => p.committed === null),
    ).toBe(true);
  });
});

/** The group has a member with partitions (the archiver has joined and is reading). */
async function memberReady(group: string): Promise<boolean> {
  const { groups: described } = await withKafkaAdmin((admin) => admin.describeGroups([group]));
  return described[0]?.state === 'Stable' && described[0].members.length === 1;
}
