/**
 * readLinesUntil, the read loop of every command that reads lines: a batch is garbage once the
 * caller is done with it (the process does not keep every line it read), an abort ends a read
 * that waits on an idle stream, and no abort listener is left behind.
 */
import { getEventListeners } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type Input, readLinesUntil } from '../../src/cli/io';
import { LoglabError } from '../../src/errors';
import { exposedGc, heapAfterGc } from '../gc';

const BATCHES = 200;
const LINES_PER_BATCH = 1000;
/** Batches read before the first heap sample. */
const WARM = 20;

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
  return { stream, size: null, bytesRead: () => 0, name: 'test input' };
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
    // Of the batches before the one in hand, kept they would be all 199. Collected, none is left
    // but at most one: as it optimises the loop, V8 may keep a stale reference to one batch
    // (which one varies from run to run; it never was more than one).
    const alive = seen.slice(0, BATCHES - 1).filter((ref) => ref.deref() !== undefined);
    expect(alive.length).toBeLessThanOrEqual(1);
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
