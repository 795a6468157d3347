/**
 * The demo's own calls on its lake across a store outage (HDFS restarting): emptying the lake
 * at the start is retried through the retrying store the archiver uses (storage/retrying-store.ts)
 * and the run goes on. Before, the first refusal ended the demo with the outage's error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { LoglabError } from '../../src/errors';
import { runDemo } from '../../src/pipeline/demo-run';
import { createLocalStore } from '../../src/storage/local-store';
import type { Store } from '../../src/storage/store';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const dir = mkdtempSync(join(tmpdir(), 'loglab-demo-lake-outage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store away for the first `outageMs` after its first call: every call fails meanwhile. */
function awayAtFirst(inner: Store, outageMs: number): { store: Store; refused(): number } {
  let until: number | null = null;
  let refused = 0;
  const store: Store = Object.create(inner);
  for (const op of [
    'mkdirs',
    'create',
    'append',
    'open',
    'list',
    'stat',
    'rename',
    'delete',
  ] as const) {
    const call = (inner[op] as (...a: unknown[]) => Promise<unknown>).bind(inner);
    (store as unknown as Record<string, unknown>)[op] = async (...args: unknown[]) => {
      until ??= Date.now() + outageMs;
      if (Date.now() < until) {
        refused++;
        throw new LoglabError('SERVICE_DOWN', `HDFS at ${inner.address} does not answer`, {
          retriable: true,
          context: { path: String(args[0]) },
        });
      }
      return call(...args);
    };
  }
  return { store, refused: () => refused };
}

describe('runDemo through a store outage', () => {
  it('waits for the lake to answer at the start, says so, and runs every stage', async () => {
    const memory = createMemoryBroker();
    const local = await createLocalStore({ root: join(dir, 'lake') });
    const away = awayAtFirst(local, 400);
    const log: string[] = [];
    const run = await runDemo({
      lines: 2000,
      seed: 7,
      broker: memory,
      store: away.store,
      runner: createEmbeddedRunner(),
      batchInput: join(dir, 'lake', 'loglab', 'raw'),
      outDir: join(dir, 'out'),
      log: (line) => log.push(line),
    });
    expect(away.refused()).toBeGreaterThan(0);
    expect(run.stream.archive?.lines).toBe(2000);
    expect(log[0]).toMatch(/does not answer \(delete \/loglab\); retrying for up to [\d.]+ s$/);
    expect(log[1]).toMatch(/^the store at \S+ answers again after [\d.]+ s \(\d+ tries\)$/);
    await local.close();
    await memory.close();
  }, 60_000);
});
