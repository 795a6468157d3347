/**
 * One worker thread that runs a TypeScript module once and posts back one result: the threads of
 * the file summary and of the batch runner both start this way. The module (`entry`, a file
 * path) reads its input with `workerInput()` and answers with `answerParent(fn)`; worker-boot.cjs
 * makes TypeScript loadable in the thread.
 *
 * A failure in the thread comes back as a LoglabError with the thread's own message and code, so
 * a job that fails in a worker reads the same as one that fails on the main thread.
 *
 * Before its result a thread may hand over intermediate values (`tellParent`, read with `note`)
 * and wait for more input (`parentMessage`, sent with `send`): the batch runner keeps one thread
 * from its map phase through its reduce phase instead of booting another (~0.15 s of CPU).
 *
 * This module starts workers by file URL, so it stays out of the index files: notebooks compile
 * the library as CommonJS, where `import.meta` does not exist.
 */
import { once } from 'node:events';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { type ErrorCode, isLoglabError, LoglabError } from '../errors';

type Reply<R> =
  | { ok: true; value: R }
  | { ok: false; message: string; code: ErrorCode | null }
  | { note: unknown };

export interface StartedWorker<R> {
  /** The thread's answer; null when it was stopped first. */
  result: Promise<R | null>;
  /** Terminate the thread; its result then resolves null. */
  stop: () => void;
  /**
   * The next value the thread hands over with `tellParent`. Rejects as `result` does when the
   * thread fails first; null when it was stopped or answered without one.
   */
  note: <N>() => Promise<N | null>;
  /** Post `value` to the thread, where `parentMessage` reads it. */
  send: (value: unknown) => void;
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
  const notes: unknown[] = [];
  const waiting: ((v: unknown) => void)[] = [];
  const result = new Promise<R | null>((resolve, reject) => {
    worker.on('message', (reply: Reply<R>) => {
      if ('note' in reply) {
        const w = waiting.shift();
        if (w) w(reply.note);
        else notes.push(reply.note);
      } else if (reply.ok) resolve(reply.value);
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
  const ended = result.then(() => null);
  ended.catch(() => {});
  return {
    result,
    stop: () => {
      stopped = true;
      void worker.terminate();
    },
    note: <N>() => {
      if (notes.length > 0) return Promise.resolve(notes.shift() as N);
      const next = new Promise<N>((resolve) => waiting.push(resolve as (v: unknown) => void));
      return Promise.race([next, ended]);
    },
    send: (value) => worker.postMessage(value),
  };
}

/** Inside a worker: the `data` given to `startWorker`. */
export function workerInput<T>(): T {
  return (workerData as { data: T }).data;
}

/** Inside a worker: hand `value` to the thread that started us, before the result. */
export function tellParent(value: unknown): void {
  parentPort?.postMessage({ note: value });
}

/** Inside a worker: the next value the thread that started us sends. */
export async function parentMessage<T>(): Promise<T> {
  if (parentPort === null) throw new Error('not in a worker thread');
  const [value] = await once(parentPort, 'message');
  return value as T;
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
