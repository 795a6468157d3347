/**
 * What the archiver's cluster tests share: names of their own on the shared Kafka and HDFS,
 * lines produced with their offsets known, the archiver process (fixtures/archiver-process.ts)
 * started and killed, and the lake read back through WebHDFS and compared, line for line, with
 * what Kafka holds.
 *
 * Each test gets a topic and a group of its own, and event times in hours nobody else uses
 * (a random day in the 2030s-2040s), so its hour directories are its own; the shared `_tmp/`
 * and dead-letter directories are told apart by the topic in each file name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { createBroker, createStore, loadConfig } from '../../src/config';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { getParser } from '../../src/log/parser';
import { isRecord } from '../../src/log/record';
import { sourcePath } from '../../src/pipeline/lake-source';
import {
  DEADLETTER_ROOT,
  isRawFile,
  parseRawFileName,
  TMP_DIR,
} from '../../src/storage/lake-layout';
import { lakeUsage } from '../../src/storage/lake-usage';
import type { Store } from '../../src/storage/store';
import type { Broker, ProduceMessage } from '../../src/stream/broker';
import { clientKey } from '../../src/stream/line-messages';
import { partitionForKey } from '../../src/stream/partitioner';
import { withKafkaAdmin } from './kafka-admin';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE = join(ROOT, 'test', 'cluster', 'fixtures', 'archiver-process.ts');
export const config = loadConfig();
const HOUR = 3_600_000;
const parse = getParser('auto');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A topic (and group) name of its own for one test. */
export function testTopic(kind: string): string {
  return `loglab.test.archive-${kind}.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
}

/** Midnight UTC of a random day of 2030–2049: hour directories no other run writes into. */
export function ownDay(): number {
  return Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 7300) * 86_400_000;
}

/** `count` generated lines over `hours` hours from `start`; every `garbageEvery`-th one not a log line. */
export function testLines(count: number, start: number, hours: number, garbageEvery = 0): string[] {
  const lines = [
    ...generateLines(defaultOptions({ lines: count, seed: 7, start, spanMs: hours * HOUR })),
  ];
  if (garbageEvery > 0) {
    for (let i = garbageEvery - 1; i < lines.length; i += garbageEvery)
      lines[i] = `garbage-line-${i}`;
  }
  return lines;
}

/**
 * Produces `lines` keyed by client IP (a not-a-log line by its index), in batches, and returns
 * what each partition holds in offset order: each message's partition from the key (Kafka's
 * partitioner), its offset from the batch's acknowledged base offset for that partition. Checked
 * against the partitions' end offsets; only this test writes to the topic.
 */
export async function produceLines(
  broker: Broker,
  topic: string,
  lines: readonly string[],
  partitions: number,
): Promise<string[][]> {
  await broker.createTopics([{ name: topic, partitions }]);
  const truth: string[][] = Array.from({ length: partitions }, () => []);
  const BATCH = 5000;
  for (let i = 0; i < lines.length; i += BATCH) {
    const batch: ProduceMessage[] = [];
    const byPartition: string[][] = Array.from({ length: partitions }, () => []);
    for (let j = i; j < Math.min(i + BATCH, lines.length); j++) {
      const key = clientKey(lines[j]) ?? `line-${j}`;
      batch.push({ key, value: lines[j] });
      byPartition[partitionForKey(key, partitions)].push(lines[j]);
    }
    const ack = await broker.produce(topic, batch);
    for (const a of ack.partitions) {
      expect(a.baseOffset).toBe(truth[a.partition].length);
      truth[a.partition].push(...byPartition[a.partition]);
    }
  }
  const ends = (await broker.describeTopic(topic)).partitions.map((p) => p.end);
  expect(ends).toEqual(truth.map((t) => t.length));
  return truth;
}

export interface ArchiverProcess {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line that `match` accepts; null if the process ends first. */
  waitFor(match: (line: string) => boolean): Promise<string | null>;
  readonly stdout: string[];
  stderr(): string;
  /** Exit code (null when killed) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the archiver process; `extra` adds flags (--pause-at, --roll-size, …). */
export function startArchiver(
  topic: string,
  extra: readonly string[] = [],
  group = topic,
): ArchiverProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', FIXTURE, '--topic', topic, '--group', group, ...extra],
    { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: { match: (l: string) => boolean; resolve: (l: string | null) => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      stdout.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].match(line)) waiters.splice(i, 1)[0].resolve(line);
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve(null);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout,
    stderr: () => stderr,
    exited,
    waitFor(match) {
      const hit = stdout.find(match);
      if (hit !== undefined) return Promise.resolve(hit);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(null);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/**
 * Waits until Kafka has dropped every member of `group` (a killed member goes once its session
 * times out), so that the next member to join is alone in its first generation: a member that
 * joins beside a killed one may be handed part of the partitions only, the rest going to the
 * killed member until its session times out, and an archiver that stops when idle could end
 * before that. Fails after `timeoutMs` with the group's state and members.
 */
export async function groupEmptied(group: string, timeoutMs = 30_000): Promise<void> {
  await withKafkaAdmin(async (admin) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [described] = (await admin.describeGroups([group])).groups;
      if (described === undefined || ['Empty', 'Dead'].includes(described.state)) return;
      if (Date.now() > until) {
        throw new Error(
          `group ${group} still ${described.state} with ${described.members.length} members after ${timeoutMs} ms`,
        );
      }
      await sleep(250);
    }
  });
}

/** The JSON summary the archiver process prints when it ends by itself. */
export function summaryOf(p: ArchiverProcess): { lines: number; resumes: number; files: number } {
  const last = p.stdout.filter((l) => l.startsWith('{')).pop();
  if (last === undefined) throw new Error(`no summary; stderr: ${p.stderr()}`);
  return JSON.parse(last);
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface LakeFile {
  readonly path: string;
  readonly dir: string;
  readonly partition: number;
  readonly first: number;
  readonly last: number;
  readonly lines: string[];
}

/** The lake paths this test's files are visible under: its days' directories, the dead letters. */
export function ownDirs(days: readonly number[]): string[] {
  return [
    ...days.map((d) => `/loglab/raw/date=${new Date(d).toISOString().slice(0, 10)}`),
    DEADLETTER_ROOT,
  ];
}

/**
 * The names of `topic`'s files that a reader of the lake sees under `dirs`, through the
 * project's listing (storage/lake-usage.ts, what `loglab lake du` counts: `_tmp` and other
 * hidden names skipped).
 */
export async function visibleFiles(store: Store, topic: string, dirs: readonly string[]) {
  const out: { path: string; size: number }[] = [];
  for (const dir of dirs) {
    if ((await store.stat(dir)) === null) continue;
    const walk = async (path: string): Promise<void> => {
      for (const e of await store.list(path)) {
        if (e.type === 'directory') await walk(e.path);
        else if (e.name.startsWith(`${topic}+`)) out.push({ path: e.path, size: e.size });
      }
    };
    await walk(dir);
  }
  return out;
}

/** Every file of `topic` in the lake, read through the store. */
export async function readLake(
  store: Store,
  topic: string,
  dirs: readonly string[],
): Promise<LakeFile[]> {
  const files: LakeFile[] = [];
  for (const f of await visibleFiles(store, topic, dirs)) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    const parsed = parseRawFileName(name);
    expect(isRawFile(parsed), f.path).toBe(true);
    if (!isRawFile(parsed)) continue;
    const body = await text(await store.open(f.path));
    expect(body.endsWith('\n'), f.path).toBe(true);
    files.push({
      path: f.path,
      dir: f.path.slice(0, f.path.lastIndexOf('/')),
      partition: parsed.file.partition,
      first: parsed.file.firstOffset,
      last: parsed.file.lastOffset,
      lines: body.slice(0, -1).split('\n'),
    });
  }
  return files;
}

function hourDir(line: string): string | null {
  const r = parse(line);
  if (!isRecord(r)) return null;
  const iso = new Date(r.time).toISOString();
  return `/loglab/raw/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/**
 * The lake holds exactly what Kafka holds: each file exactly the lines of its partition whose
 * offsets are in its name's range and whose hour is its directory (dead letters: the lines that
 * do not parse, kept whole), in offset order; every offset of every partition in one file; the
 * multiset of all lines equal to the produced one; nothing of this topic left under `_tmp/`.
 */
export async function expectExactLake(
  store: Store,
  topic: string,
  days: readonly number[],
  truth: readonly string[][],
  produced: readonly string[],
): Promise<LakeFile[]> {
  const files = await readLake(store, topic, ownDirs(days));
  const seen: number[][] = truth.map(() => []);
  for (const f of files) {
    const src = truth[f.partition];
    const dead = f.dir === DEADLETTER_ROOT;
    const offsets: number[] = [];
    for (let o = f.first; o <= f.last; o++) {
      const dir = hourDir(src[o]);
      if (dead ? dir === null : dir === f.dir) offsets.push(o);
    }
    const lines = dead ? f.lines.map((l) => JSON.parse(l).line as string) : f.lines;
    expect(lines.length, f.path).toBe(offsets.length);
    expect(lines, f.path).toEqual(offsets.map((o) => src[o]));
    for (const o of offsets) seen[f.partition].push(o);
  }
  for (let p = 0; p < truth.length; p++) {
    seen[p].sort((a, b) => a - b);
    const missing = truth[p].length - new Set(seen[p]).size;
    expect({ partition: p, stored: seen[p].length, missing }).toEqual({
      partition: p,
      stored: truth[p].length,
      missing: 0,
    });
  }
  const all = files.flatMap((f) =>
    f.dir === DEADLETTER_ROOT ? f.lines.map((l) => JSON.parse(l).line as string) : f.lines,
  );
  expect(all.length).toBe(produced.length);
  expect(all.sort()).toEqual([...produced].sort());
  const tmp = (await store.stat(TMP_DIR)) === null ? [] : await store.list(TMP_DIR);
  expect(tmp.filter((e) => e.name.startsWith(`${topic}+`)).map((e) => e.name)).toEqual([]);
  return files;
}

/** What `loglab lake du` would count for this test's days: files and bytes, `_tmp` excluded. */
export async function usageOf(store: Store, days: readonly number[]) {
  let files = 0;
  let bytes = 0;
  for (const dir of ownDirs(days).slice(0, -1)) {
    if ((await store.stat(dir)) === null) continue;
    const u = await lakeUsage(store, dir);
    files += u.total.files;
    bytes += u.total.bytes;
  }
  return { files, bytes };
}

/** Deletes the test's topic, groups, days and files (dead letters, `_tmp/` leftovers, marker). */
export async function cleanUp(
  topic: string,
  days: readonly number[],
  groups: readonly string[] = [topic],
): Promise<void> {
  const broker = createBroker('cluster', config);
  await broker.deleteGroups(groups).catch(() => undefined);
  await broker.deleteTopics([topic]).catch(() => undefined);
  await broker.close();
  const store = await createStore('cluster', config);
  await store.delete(sourcePath(topic), { missingOk: true }).catch(() => undefined);
  for (const dir of ownDirs(days).slice(0, -1)) {
    await store.delete(dir, { recursive: true, missingOk: true }).catch(() => undefined);
  }
  for (const dir of [DEADLETTER_ROOT, TMP_DIR]) {
    if ((await store.stat(dir).catch(() => null)) === null) continue;
    for (const e of await store.list(dir)) {
      if (e.name.startsWith(`${topic}+`)) await store.delete(e.path, { missingOk: true });
    }
  }
  await store.close();
}

/** The child killed for good, whatever state the test left it in. */
export function killHard(p: ArchiverProcess | null): void {
  if (p !== null && p.child.exitCode === null && p.child.signalCode === null)
    p.child.kill('SIGKILL');
}
