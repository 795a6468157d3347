/**
 * The truth a lake is checked against: every file read back through the Store, and the exact
 * lines it must hold given what each partition of the topic received, in offset order.
 */
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { getParser } from '../../src/log/parser';
import { isRecord } from '../../src/log/record';
import { SOURCES_DIR } from '../../src/pipeline/lake-source';
import { isRawFile, parseRawFileName } from '../../src/storage/lake-layout';
import type { Store } from '../../src/storage/store';
import type { Broker } from '../../src/stream/broker';

const parse = getParser('auto');

export async function text(stream: Readable): Promise<string> {
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

/** Every file of `topic` under `dir` through the store's listing (what a reader of the lake sees). */
export async function walk(
  store: Store,
  dir: string,
  topic?: string,
  out: LakeFile[] = [],
): Promise<LakeFile[]> {
  if ((await store.stat(dir)) === null) return out;
  for (const e of await store.list(dir)) {
    if (e.type === 'directory') {
      // Who numbers each topic (lake-source.ts): not lines of the lake.
      if (e.path !== SOURCES_DIR) await walk(store, e.path, topic, out);
      continue;
    }
    const parsed = parseRawFileName(e.name);
    if (topic === undefined) expect(isRawFile(parsed), e.path).toBe(true);
    if (!isRawFile(parsed)) continue;
    if (topic !== undefined && parsed.file.topic !== topic) continue;
    const body = await text(await store.open(e.path));
    expect(body.endsWith('\n')).toBe(true);
    out.push({
      path: e.path,
      dir,
      partition: parsed.file.partition,
      first: parsed.file.firstOffset,
      last: parsed.file.lastOffset,
      lines: body.slice(0, -1).split('\n'),
    });
  }
  return out;
}

export function hourDir(line: string): string | null {
  const r = parse(line);
  if (!isRecord(r)) return null;
  const iso = new Date(r.time).toISOString();
  return `/loglab/raw/date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/**
 * The lake holds every produced line exactly once: each file holds exactly the lines of its
 * partition, in offset order, whose offsets are in its name's range and whose hour is its
 * directory (dead letters: the unparseable ones, with the line kept); and the files of a
 * partition together hold each of its offsets once.
 */
export async function expectExactLake(
  store: Store,
  produced: string[][],
  topic?: string,
): Promise<LakeFile[]> {
  const files = await walk(store, '/loglab', topic);
  const seen: number[][] = produced.map(() => []);
  for (const f of files) {
    const src = produced[f.partition];
    const offsets: number[] = [];
    for (let o = f.first; o <= f.last; o++) {
      const dir = hourDir(src[o]);
      if (f.dir === '/loglab/deadletter' ? dir === null : dir === f.dir) offsets.push(o);
    }
    const lines =
      f.dir === '/loglab/deadletter' ? f.lines.map((l) => JSON.parse(l).line as string) : f.lines;
    expect(lines, f.path).toEqual(offsets.map((o) => src[o]));
    seen[f.partition].push(...offsets);
  }
  for (let p = 0; p < produced.length; p++) {
    expect(seen[p].sort((a, b) => a - b)).toEqual(produced[p].map((_, i) => i));
  }
  const all = files.flatMap((f) =>
    f.dir === '/loglab/deadletter' ? f.lines.map((l) => JSON.parse(l).line) : f.lines,
  );
  expect(all.sort()).toEqual(produced.flat().sort());
  expect(files.some((f) => f.path.includes('_tmp'))).toBe(false);
  const tmp = await store.stat('/loglab/raw/_tmp');
  if (tmp !== null) {
    const left = (await store.list('/loglab/raw/_tmp')).map((e) => e.name);
    expect(topic === undefined ? left : left.filter((n) => n.startsWith(`${topic}+`))).toEqual([]);
  }
  return files;
}

/** The lines each partition of `topic` holds, in offset order, read by a group of its own. */
export async function whatEachPartitionHolds(
  broker: Broker,
  topic: string,
  partitions: number,
): Promise<string[][]> {
  const byPartition: string[][] = Array.from({ length: partitions }, () => []);
  const reader = await broker.subscribe({ groupId: 'truth', topics: [topic], fromBeginning: true });
  for (;;) {
    const r = await reader.poll({ maxWaitMs: 20 });
    if (r.kind !== 'records') break;
    for (const b of r.batches) for (const x of b.records) byPartition[b.partition].push(x.value);
  }
  await reader.close();
  return byPartition;
}
