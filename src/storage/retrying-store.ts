/**
 * A Store that waits out an outage (HDFS restarting, a NameNode in safe mode): a call that
 * fails with a retriable error (SERVICE_DOWN) is tried again with a growing pause, for at most
 * a total wait, after which it fails with one line that says for how long and why.
 *
 * What is retried, and why that cannot store a byte twice:
 * - `stat`, `list`, `mkdirs`: they change nothing, or end in the same state however often run.
 * - `create`, `append`, `open`: only the call that hands out the stream. When it rejects, no
 *   byte was sent (the adapters check the path before they start the transfer), so a new try
 *   starts from nothing.
 * - `rename` and `delete` may have been done by the store before their answer was lost. A try
 *   after such a failure accepts the state the first one would have left: for a rename, the
 *   source gone and the target there; for a delete, the path gone. That holds because one
 *   writer owns the names it renames and deletes (the archiver's names carry its topic).
 * - The streams themselves are not retried: the bytes already handed to a stream that broke
 *   are not kept, so the file cannot be finished from where it stopped. `isStoreOutage` tells
 *   such a failure; the caller abandons the file and writes it again from its first line (the
 *   archiver reads its lines again from Kafka: run-archiver.ts).
 */
import { isLoglabError, LoglabError } from '../errors';
import type { DeleteResult, Store } from './store';

export interface RetryPolicy {
  /** Pause after the first failure; each next pause doubles, up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** How long one call keeps trying, from its first failure; then it fails for good. */
  readonly totalWaitMs: number;
}

/** An HDFS restart takes 15–25 s (safe mode included): two minutes leave it room. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  totalWaitMs: 120_000,
});

/** What an outage looks like from the caller: the first failure, then its end. */
export type OutageEvent =
  | {
      readonly kind: 'retrying';
      readonly op: string;
      readonly path: string;
      readonly error: LoglabError;
      /** The policy's total wait: how long it will keep trying. */
      readonly limitMs: number;
    }
  | {
      readonly kind: 'recovered';
      readonly op: string;
      readonly path: string;
      readonly waitedMs: number;
      readonly attempts: number;
    };

export function isRetrying(e: OutageEvent): e is Extract<OutageEvent, { kind: 'retrying' }> {
  return e.kind === 'retrying';
}

export interface RetryingStoreOptions {
  readonly policy?: Partial<RetryPolicy>;
  /** Told when a call starts retrying and when it succeeds after retrying. */
  readonly onEvent?: (event: OutageEvent) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * A failure of the store that waiting may mend: the port's SERVICE_DOWN, which names a lake path
 * (store.ts). Broker errors name no path, so this never mistakes a Kafka outage for one.
 */
export function isStoreOutage(err: unknown): err is LoglabError {
  return isLoglabError(err) && err.retriable && typeof err.context.path === 'string';
}

/** The pause before try number `attempt` + 1 (attempt counts from 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryingStore(store: Store, options: RetryingStoreOptions = {}): Store {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const onEvent = options.onEvent ?? (() => {});

  /**
   * Runs `call` until it succeeds, fails for another reason, or the total wait is spent.
   * `call` learns whether an earlier try failed (its outcome then unknown).
   */
  async function retry<T>(
    op: string,
    path: string,
    call: (afterFailure: boolean) => Promise<T>,
  ): Promise<T> {
    let attempts = 0;
    let since = 0;
    for (;;) {
      try {
        const result = await call(attempts > 0);
        if (attempts > 0) {
          onEvent({ kind: 'recovered', op, path, waitedMs: now() - since, attempts: attempts + 1 });
        }
        return result;
      } catch (err) {
        if (!isStoreOutage(err)) throw err;
        attempts++;
        if (attempts === 1) {
          since = now();
          onEvent({ kind: 'retrying', op, path, error: err, limitMs: policy.totalWaitMs });
        }
        const waited = now() - since;
        if (waited >= policy.totalWaitMs) throw gaveUp(path, err, waited);
        await sleep(Math.min(backoffDelay(policy, attempts), policy.totalWaitMs - waited));
      }
    }
  }

  return {
    engine: store.engine,
    address: store.address,
    mkdirs: (path) => retry('mkdirs', path, () => store.mkdirs(path)),
    create: (path, opts) => retry('create', path, () => store.create(path, opts)),
    append: (path) => retry('append', path, () => store.append(path)),
    open: (path) => retry('open', path, () => store.open(path)),
    list: (path) => retry('list', path, () => store.list(path)),
    stat: (path) => retry('stat', path, () => store.stat(path)),
    rename: (from, to) =>
      retry('rename', from, async (afterFailure) => {
        try {
          await store.rename(from, to);
        } catch (err) {
          // The lost answer may have been a success: then the source is gone and the target there.
          if (
            afterFailure &&
            isLoglabError(err) &&
            (err.code === 'NOT_FOUND' || err.code === 'ALREADY_EXISTS') &&
            (await store.stat(from)) === null &&
            (await store.stat(to)) !== null
          ) {
            return;
          }
          throw err;
        }
      }),
    delete: (path, opts) =>
      retry('delete', path, async (afterFailure): Promise<DeleteResult> => {
        // After a lost answer the path may be gone by our own hand: that is a delete done.
        if (!afterFailure) return store.delete(path, opts);
        const result = await store.delete(path, { ...opts, missingOk: true });
        return result === 'missing' ? 'deleted' : result;
      }),
    close: () => store.close(),
  };
}

function gaveUp(path: string, last: LoglabError, waitedMs: number): LoglabError {
  return new LoglabError(
    'SERVICE_DOWN',
    `${path}: gave up after ${Math.round(waitedMs / 1000)} s of retrying: ${last.message}`,
    { retriable: false, cause: last, context: { path } },
  );
}
