/**
 * How the archiver rides out a store outage (HDFS restarting): a call on the store is retried
 * in place (storage/retrying-store.ts); a file whose upload broke is abandoned and its lines are
 * read again from Kafka, by the same recovery that a restart after a crash runs.
 *
 * Why a broken upload is not retried where it stood: the bytes already sent are not kept, so the
 * file cannot be finished from where it stopped, and appending the rest to whatever HDFS kept
 * of it could store a line twice or lose one. Starting the file again from its first line needs
 * every line of every open file in memory (up to the roll size each); reading them again from
 * Kafka needs nothing: they were never renamed nor committed, so recovery discards their
 * `_tmp/` files and resumes each partition after the last file in the lake, as after a kill.
 */
import { LoglabError } from '../errors';
import { TMP_DIR } from '../storage/lake-layout';
import {
  DEFAULT_RETRY_POLICY,
  isStoreOutage,
  type OutageEvent,
  type RetryPolicy,
  retryingStore,
} from '../storage/retrying-store';
import type { Store } from '../storage/store';

export interface OutageSettings {
  readonly retry?: Partial<RetryPolicy>;
  /** One line per event (retrying, resumed, abandoned). */
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function outageLine(address: string, event: OutageEvent): string {
  if (event.kind === 'retrying') {
    return `${event.error.message} (${event.op} ${event.path}); retrying for up to ${seconds(event.limitMs)}`;
  }
  return `the store at ${address} answers again after ${seconds(event.waitedMs)} (${event.attempts} tries)`;
}

export interface OutageGuard {
  /** The store to use: its calls are retried through an outage. */
  readonly store: Store;
  /**
   * After `attempt` failed with `err`: resolves once the store answers again when the failure
   * was an outage that a new attempt can get past, and rethrows `err` otherwise (or when the
   * outage lasted longer than the policy's total wait).
   */
  resumeAfter(err: unknown): Promise<void>;
  /** A roll reached the lake: the store works again, a later outage starts a new wait. */
  progressed(): void;
}

export function outageGuard(store: Store, settings: OutageSettings): OutageGuard {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...settings.retry };
  const now = settings.now ?? Date.now;
  const { log } = settings;
  const retrying = retryingStore(store, {
    policy,
    now,
    onEvent: (e) => log(outageLine(store.address, e)),
  });
  let since: number | null = null;
  return {
    store: retrying,
    async resumeAfter(err) {
      if (!isStoreOutage(err) || settings.signal?.aborted) throw err;
      since ??= now();
      if (now() - since >= policy.totalWaitMs) {
        throw new LoglabError(
          'SERVICE_DOWN',
          `${err.message}; gave up after ${seconds(now() - since)} of resuming`,
          { cause: err, context: err.context },
        );
      }
      log(`${err.message}: abandoning the files being written; their lines will be read again`);
      // The retrying store waits here until the store answers (or gives up with one line).
      await retrying.stat(TMP_DIR);
      log(`resumed after ${seconds(now() - since)}: recovering from the lake`);
    },
    progressed() {
      since = null;
    },
  };
}
