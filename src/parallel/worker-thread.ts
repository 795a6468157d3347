/**
 * One worker thread that runs a TypeScript module once and posts back one result: the threads of
 * the file summary and of the batch runner both start this way. The module (`entry`, a file
 * path) reads its input with `workerInput()` and answers with `answerParent(fn)`; worker-boot.cjs
 * makes TypeScript loadable in the thread.
 *
 * A failure in the thread comes back as a LoglabError with the thread's own message and code, so
 * a job that fails in a worker reads the same as one that fails on the main thread.
 *
 * This module starts workers by file URL, so it stays out of the index files: notebooks compile
 * the library as CommonJS, where `import.meta` does not exist.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { type ErrorCode, isLoglabError, LoglabError } from '../errors';

type Reply<R> = { ok: true; value: R } | { ok: false; message: string; code: ErrorCode | null };

export interface StartedWorker<R> {
  /** The thread's answer; null when it was stopped first. */
  result: Promise<R | null>;
  /** Terminate the thread; its result then resolves null. */
  stop: () => void;
}

/**
 * Start `entry` on a thread with `data` as its input. `label` names the thread in messages about
 * a crash ("summary worker exited (1) without a result").
 */
export function startWorker<R>(entry: string, data: unknown, label: string): StartedWorker<R> {
  const worker = new Worker(new URL('./worker-boot.cjs', import.meta.url), {
    workerData: { entry, data },
  });
  let stopped = false;
  const result = new Promise<R | null>((resolve, reject) => {
    worker.once('message', (reply: Reply<R>) => {
      if (reply.ok) resolve(reply.value);
      else if (reply.code !== null) reject(new LoglabError(reply.code, reply.message));
      else reject(new LoglabError('INTERNAL', `${label} failed: ${reply.message}`));
    });
    worker.once('error', (err) => {
      reject(new LoglabError('INTERNAL', `${label} failed: ${err.message}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (stopped) resolve(null);
      else reject(new LoglabError('INTERNAL', `${label} exited (${code}) without a result`));
    });
  });
  // A rejection after `stop` has nobody waiting; keep it from surfacing as unhandled.
  result.catch(() => {});
  return {
    result,
    stop: () => {
      stopped = true;
      void worker.terminate();
    },
  };
}

/** Inside a worker: the `data` given to `startWorker`. */
export function workerInput<T>(): T {
  return (workerData as { data: T }).data;
}

/** Inside a worker: run `fn` and post its value, or its failure, to the thread that started us. */
export async function answerParent<R>(fn: () => R | Promise<R>): Promise<void> {
  let reply: Reply<R>;
  try {
    reply = { ok: true, value: await fn() };
  } catch (err) {
    reply = {
      ok: false,
      message: err instanceof Error ? err.message : String(err),
      code: isLoglabError(err) ? err.code : null,
    };
  }
  parentPort?.postMessage(reply);
}
