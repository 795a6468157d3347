/**
 * The races of a partition moving between two archivers, played step by step: the old owner
 * stopped in the middle of a roll while the new owner recovers, and an old owner that rolls
 * after the new owner has recovered. The lake holds each line once in every case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/generator';
import { getParser } from '../../src/log/parser';
import { isRecord } from '../../src/log/record';
import { ArchiveRoller } from '../../src/pipeline/archive-roller';
import { LakeWriter } from '../../src/pipeline/lake-writer';
import { recoverPartitions } from '../../src/pipeline/roll-claim';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import { expectExactLake } from './lake-truth';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-claim-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let lakes = 0;
const newStore = () => createLocalStore({ root: join(scratch, `lake${lakes++}`) });

const TOPIC = 'weblogs.raw';
const H = 3_600_000;
/** 100 lines over two hours: a roll of many of them has two files (and a claim naming both). */
const LINES = [
  ...generateLines(defaultOptions({ lines: 100, spanMs: 2 * H, start: Date.UTC(2026, 0, 1) })),
];

function member(store: Store, tag: string): LakeWriter {
  const roller = new ArchiveRoller(
    {
      topic: TOPIC,
      rollBytes: 1e9,
      rollIntervalMs: 1e9,
      allowedLatenessMs: 3 * H,
      writer: tag,
    },
    getParser('auto'),
  );
  return new LakeWriter(store, roller, TOPIC, () => {}, { writer: tag });
}

async function add(w: LakeWriter, from: number, to: number): Promise<void> {
  for (let o = from; o < to; o++) expect(w.add(0, o, LINES[o], 0)).toBeUndefined();
  await w.drainAll();
}

/** The store, stopping before the first call that `stopAt` picks until `release` is called. */
function gate(inner: Store, stopAt: (op: string, path: string) => boolean) {
  let release = () => {};
  let reached = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const atGate = new Promise<void>((r) => {
    reached = r;
  });
  let armed = true;
  const hold = async (op: string, path: string) => {
    if (armed && stopAt(op, path)) {
      armed = false;
      reached();
      await released;
    }
  };
  const store: Store = {
    ...inner,
    engine: inner.engine,
    address: inner.address,
    create: async (p, o) => {
      await hold('create', p);
      return inner.create(p, o);
    },
    rename: async (a, b) => {
      await hold('rename', b);
      return inner.rename(a, b);
    },
    delete: async (p, o) => {
      await hold('delete', p);
      return inner.delete(p, o);
    },
    list: async (p) => {
      await hold('list', p);
      return inner.list(p);
    },
  };
  return { store, atGate, release };
}

const finalRename = (op: string, path: string) =>
  op === 'rename' && path.startsWith('/loglab/raw/date=');

describe('a roll claimed by one archiver', () => {
  it('is finished by the new owner when the old one stops half-way through its renames', async () => {
    const store = await newStore();
    const g = gate(store, finalRename);
    const old = member(g.store, 'old');
    await add(old, 0, 60);
    const rolling = old.rollPartition(0);
    await g.atGate; // claimed, nothing renamed yet
    const recovered = await recoverPartitions(store, TOPIC, [0]);
    expect(recovered.next.get(0)).toBe(60);
    expect(recovered.rolledForward).toBe(1);
    g.release();
    expect(await rolling).toBe('published');
    const next = member(store, 'new');
    await add(next, 60, 100);
    expect(await next.rollPartition(0)).toBe('published');
    await expectExactLake(store, [LINES]);
  });

  it('is stale for the new owner when the old one, not told yet, published the same offsets first', async () => {
    const store = await newStore();
    const recovered = await recoverPartitions(store, TOPIC, [0]);
    expect(recovered.next.get(0)).toBe(0);
    const next = member(store, 'new');
    await add(next, 0, 80);
    const old = member(store, 'old');
    await add(old, 0, 50);
    expect(await old.rollPartition(0)).toBe('published');
    expect(await next.rollPartition(0)).toBe('stale');
    // Nothing of the stale roll is left; the lake resumes after the old owner's roll.
    expect((await recoverPartitions(store, TOPIC, [0])).next.get(0)).toBe(50);
    await expectExactLake(store, [LINES.slice(0, 50)]);
  });

  it('is stale, not a failure, when a new owner sweeps its draft while it writes its claim', async () => {
    const store = await newStore();
    const next = member(store, 'new');
    await add(next, 0, 50);
    const old = member(
      {
        ...store,
        // The new owner publishes 0..49 and sweeps `_tmp/` below 50 just before the rename.
        async rename(from, to) {
          if (from.endsWith('.old.draft')) {
            expect(await next.rollPartition(0)).toBe('published');
          }
          return store.rename(from, to);
        },
      },
      'old',
    );
    await add(old, 0, 30);
    expect(await old.rollPartition(0)).toBe('stale');
    await expectExactLake(store, [LINES.slice(0, 50)]);
  });

  it('is stale for whoever claims second while the first still holds the claim', async () => {
    const store = await newStore();
    const g = gate(store, finalRename);
    const old = member(g.store, 'old');
    await add(old, 0, 50);
    const next = member(store, 'new');
    await add(next, 0, 70);
    const rolling = old.rollPartition(0);
    await g.atGate;
    expect(await next.rollPartition(0)).toBe('stale');
    g.release();
    expect(await rolling).toBe('published');
    await expectExactLake(store, [LINES.slice(0, 50)]);
  });

  it('recovery drops a claim whose first offset someone else stored, and the files under it', async () => {
    const store = await newStore();
    // A writer dies right after claiming a roll that turned out stale (before it could check).
    const g = gate(store, (op, path) => op === 'list' && path.startsWith('/loglab/raw/date='));
    const first = member(store, 'first');
    await add(first, 0, 40);
    expect(await first.rollPartition(0)).toBe('published');
    // Its files written after the first's publish swept `_tmp/`: they are there when it claims.
    const late = member(g.store, 'late');
    await add(late, 0, 60);
    void late.rollPartition(0); // never released: it stays claimed
    await g.atGate;
    const recovered = await recoverPartitions(store, TOPIC, [0]);
    expect(recovered.next.get(0)).toBe(40);
    expect(recovered.rolledForward).toBe(0);
    expect(recovered.discarded).toBeGreaterThanOrEqual(1);
    late.destroy();
    await expectExactLake(store, [LINES.slice(0, 40)]);
  });

  it('recovery passes over a claim its writer deleted between the listing and the opening', async () => {
    const store = await newStore();
    const g = gate(store, (op, path) => op === 'delete' && path.endsWith('.roll'));
    const old = member(g.store, 'old');
    await add(old, 0, 60);
    const rolling = old.rollPartition(0);
    await g.atGate; // published, its claim not deleted yet
    const recovered = await recoverPartitions(
      {
        ...store,
        // The writer finishes between recovery's listing of the claims and its opening of one.
        async open(path) {
          if (path.endsWith('.roll')) {
            g.release();
            expect(await rolling).toBe('published');
          }
          return store.open(path);
        },
      },
      TOPIC,
      [0],
    );
    expect(recovered.next.get(0)).toBe(60);
    await expectExactLake(store, [LINES.slice(0, 60)]);
  });

  it('is stale when another writer published the very same offsets first, under the same names', async () => {
    const store = await newStore();
    const next = member(store, 'new');
    await add(next, 0, 50);
    const old = member(store, 'old');
    await add(old, 0, 50);
    expect(await old.rollPartition(0)).toBe('published');
    // Same offsets, same file names and lines: the second writer publishes nothing of its own.
    expect(await next.rollPartition(0)).toBe('stale');
    await expectExactLake(store, [LINES.slice(0, 50)]);
  });

  it('is stale when another writer published a file of the same name and others that overlap it', async () => {
    const parse = getParser('auto');
    const hour = (line: string) => {
      const r = parse(line);
      return isRecord(r) ? Math.floor(r.time / H) : -1;
    };
    // The first line of the second hour: both rolls have the same file for the first hour.
    const split = LINES.findIndex((l) => hour(l) > hour(LINES[0]));
    expect(split).toBeGreaterThan(10);
    expect(split).toBeLessThan(90);
    const store = await newStore();
    const next = member(store, 'new');
    await add(next, 0, split + 10);
    const old = member(store, 'old');
    await add(old, 0, split + 5);
    expect(await old.rollPartition(0)).toBe('published');
    expect(await next.rollPartition(0)).toBe('stale');
    await expectExactLake(store, [LINES.slice(0, split + 5)]);
  });
});
