/**
 * The retrying Store: what it retries, how long, what it tells, and that a try after a lost
 * answer accepts what the first try did instead of failing or doing it twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { LoglabError } from '../../src/errors';
import { createLocalStore } from '../../src/storage/local-store';
import { isStoreOutage, type OutageEvent, retryingStore } from '../../src/storage/retrying-store';
import type { Store } from '../../src/storage/store';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-retry-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

const down = (path: string) =>
  new LoglabError(
    'SERVICE_DOWN',
    'WebHDFS at http://h:9870/webhdfs/v1 did not answer (ECONNREFUSED)',
    {
      retriable: true,
      context: { path },
    },
  );

/**
 * `inner` whose calls named in `failures` fail as an unreachable store would: `before` times
 * without doing anything, then `after` times having done the call but with its answer lost.
 */
function flaky(inner: Store, failures: Record<string, { before?: number; after?: number }>): Store {
  const left = structuredClone(failures);
  const wrap =
    <A extends unknown[], R>(name: string, call: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const f = left[name];
      if (f?.before) {
        f.before--;
        throw down(String(args[0]));
      }
      const result = await call(...args);
      if (f?.after) {
        f.after--;
        throw down(String(args[0]));
      }
      return result;
    };
  return {
    engine: inner.engine,
    address: inner.address,
    mkdirs: wrap('mkdirs', inner.mkdirs),
    create: wrap('create', inner.create),
    append: wrap('append', inner.append),
    rename: wrap('rename', inner.rename),
    list: wrap('list', inner.list),
    stat: wrap('stat', inner.stat),
    open: wrap('open', inner.open),
    delete: wrap('delete', inner.delete),
    close: inner.close,
  };
}

async function put(store: Store, path: string, text: string) {
  const out = await store.create(path);
  out.end(text);
  await finished(out);
}

/** A store under test with a virtual clock: sleeping advances it. */
async function setup(
  failures: Record<string, { before?: number; after?: number }>,
  totalWaitMs = 10_000,
) {
  const local = await createLocalStore({ root: join(scratch, `lake${n++}`) });
  let clock = 0;
  const sleeps: number[] = [];
  const events: OutageEvent[] = [];
  const store = retryingStore(flaky(local, failures), {
    policy: { initialDelayMs: 100, maxDelayMs: 400, totalWaitMs },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    onEvent: (e) => events.push(e),
  });
  return { local, store, sleeps, events };
}

describe('retrying store', () => {
  it('retries a refused call with doubling pauses, says when it starts and when it is over', async () => {
    const { local, store, sleeps, events } = await setup({ stat: { before: 4 } });
    await put(local, '/a/b.log', 'x\n');
    expect((await store.stat('/a/b.log'))?.size).toBe(2);
    expect(sleeps).toEqual([100, 200, 400, 400]);
    expect(events.map((e) => e.kind)).toEqual(['retrying', 'recovered']);
    expect(events[1]).toEqual({
      kind: 'recovered',
      op: 'stat',
      path: '/a/b.log',
      waitedMs: 1100,
      attempts: 5,
    });
  });

  it('fails at once on what waiting cannot mend', async () => {
    const { store, sleeps } = await setup({});
    await expect(store.list('/nothing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(sleeps).toEqual([]);
  });

  it('gives up after the total wait with one line naming the path, the time and the cause', async () => {
    const { store, sleeps } = await setup({ list: { before: 1000 } }, 3000);
    const err = await store.list('/loglab/raw').catch((e: LoglabError) => e);
    expect(err).toBeInstanceOf(LoglabError);
    expect((err as LoglabError).message).toBe(
      '/loglab/raw: gave up after 3 s of retrying: WebHDFS at http://h:9870/webhdfs/v1 did not answer (ECONNREFUSED)',
    );
    expect(isStoreOutage(err)).toBe(false);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it('a rename done before its answer was lost is not an error on the next try', async () => {
    const { local, store } = await setup({ rename: { after: 1 } });
    await put(local, '/t/x.tmp', 'x\n');
    await store.rename('/t/x.tmp', '/d/x.log');
    expect(await local.stat('/t/x.tmp')).toBeNull();
    expect((await local.stat('/d/x.log'))?.size).toBe(2);
  });

  it('a rename that fails on its first try is an error as before', async () => {
    const { local, store } = await setup({});
    await put(local, '/d/x.log', 'x\n');
    await expect(store.rename('/t/x.tmp', '/d/x.log')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a delete done before its answer was lost counts as deleted', async () => {
    const { local, store } = await setup({ delete: { after: 1 } });
    await put(local, '/t/x.roll', 'x\n');
    expect(await store.delete('/t/x.roll')).toBe('deleted');
    expect(await local.stat('/t/x.roll')).toBeNull();
  });

  it('retries handing out a stream, never the stream itself', async () => {
    const { local, store } = await setup({ create: { before: 2 } });
    const out = await store.create('/t/y.tmp');
    out.end('abc\n');
    await finished(out);
    expect((await local.stat('/t/y.tmp'))?.size).toBe(4);
  });
});
