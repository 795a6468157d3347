/**
 * readLinesUntil, the read loop of every command that reads lines: a batch is garbage once the
 * caller is done with it (the process does not keep every line it read), an abort ends a read
 * that waits on an idle stream, and no abort listener is left behind.
 */
import { getEventListeners } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type Input, readLinesUntil } from '../../src/cli/io';
import { LoglabError } from '../../src/errors';

const BATCHES = 200;
const LINES_PER_BATCH = 1000;
/** Batches read before the first heap sample. */
const WARM = 20;

/** The engine's gc(), without starting the test worker with --expose-gc. */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap in use after a full collection; pending jobs run first so they hold nothing. */
async function heapAfterGc(gc: () => void): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 1));
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** BATCHES chunks of LINES_PER_BATCH distinct ~100-byte lines, one batch per chunk. */
function* chunks(): Generator<Buffer> {
  for (let b = 0; b < BATCHES; b++) {
    let text = '';
    for (let i = 0; i < LINES_PER_BATCH; i++) {
      text += `10.0.${b % 256}.${i % 256} - - [05/Dec/2026:10:00:00 +0000] "GET /page/${b}/${i} HTTP/1.1" 200 512\n`;
    }
    yield Buffer.from(text, 'latin1');
  }
}

function input(stream: Input['stream']): Input {
  return { stream, size: null, name: 'test input' };
}

describe('readLinesUntil', () => {
  it('lets each batch go once the caller is done with it: heap after GC stays flat', async () => {
    const gc = exposedGc();
    const stop = new AbortController().signal;
    const seen: WeakRef<string[]>[] = [];
    let lines = 0;
    let heapEarly = 0;
    let heapLate = 0;
    let listenersBetweenReads = 0;
    for await (const batch of readLinesUntil(input(Readable.from(chunks())), stop)) {
      seen.push(new WeakRef(batch));
      lines += batch.length;
      listenersBetweenReads = Math.max(
        listenersBetweenReads,
        getEventListeners(stop, 'abort').length,
      );
      if (seen.length === WARM) heapEarly = await heapAfterGc(gc);
      if (seen.length === BATCHES) heapLate = await heapAfterGc(gc);
    }
    expect(lines).toBe(BATCHES * LINES_PER_BATCH);
    // Batches read after the first sample, but for the one in hand at the last: none is left
    // (kept, all 179 would be). Those before it are not counted: while the code warms up the
    // engine may keep a stale reference to one of them.
    const alive = seen.slice(WARM, BATCHES - 1).filter((ref) => ref.deref() !== undefined);
    expect(alive.length).toBe(0);
    // 180 kept batches would be ~20 MB of heap; a flat heap moves by well under 4 MB.
    expect(heapLate - heapEarly).toBeLessThan(4 * 1024 * 1024);
    expect(listenersBetweenReads).toBe(0);
  });

  it('ends a read that waits on an idle stream as soon as stop aborts', async () => {
    const idle = new PassThrough();
    const controller = new AbortController();
    const batches: string[][] = [];
    const reading = (async () => {
      for await (const batch of readLinesUntil(input(idle), controller.signal)) batches.push(batch);
    })();
    idle.write('first line\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    const aborted = Date.now();
    controller.abort();
    await reading;
    expect(Date.now() - aborted).toBeLessThan(1000);
    expect(batches).toEqual([['first line']]);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
    idle.destroy();
  });

  it('reads nothing when stop has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const batches: string[][] = [];
    for await (const batch of readLinesUntil(input(Readable.from(['a\n'])), controller.signal))
      batches.push(batch);
    expect(batches).toEqual([]);
  });

  it('turns a read error into one clear error naming the input', async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
      },
    });
    let error: unknown;
    try {
      for await (const _ of readLinesUntil(input(failing), new AbortController().signal));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LoglabError);
    expect((error as LoglabError).code).toBe('IO');
    expect((error as LoglabError).message).toBe('cannot read test input: permission denied');
  });
});
