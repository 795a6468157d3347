/** Garbage collection on demand, for tests that check what a process keeps alive. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The engine's gc(), without starting the test worker with --expose-gc. */
export function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap in use after a full collection; pending jobs run first so they hold nothing. */
export async function heapAfterGc(gc: () => void): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
