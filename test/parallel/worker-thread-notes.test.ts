/**
 * A worker thread that hands over a value before its result and then waits for more input: the
 * embedded batch runner keeps one thread from its map phase through its reduce phase this way.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../../src/parallel/worker-thread';

const ENTRY = fileURLToPath(new URL('./fixtures/note-worker.ts', import.meta.url));

describe('worker thread notes', () => {
  it('hands over a note, takes a message, then answers', async () => {
    const w = startWorker<number>(ENTRY, 20, 'note worker');
    expect(await w.note<number>()).toBe(40);
    w.send(2);
    expect(await w.result).toBe(42);
  });

  it('a thread that fails before its note rejects the note with its message', async () => {
    const w = startWorker<number>(ENTRY, -1, 'note worker');
    await expect(w.note<number>()).rejects.toThrow('note worker failed: negative input -1');
  });

  it('a thread stopped while it waits gives a null result', async () => {
    const w = startWorker<number>(ENTRY, 1, 'note worker');
    expect(await w.note<number>()).toBe(2);
    w.stop();
    expect(await w.result).toBeNull();
    expect(await w.note<number>()).toBeNull();
  });
});
