/**
 * `loglab stream --archive`: the archiver (run-archiver.ts) as a second consumer of the stream's
 * topic, in its own group, beside the stream's consumer and its detectors (run-stream.ts).
 *
 * It runs from the start of the stream. Once the stream's producer and consumer are done,
 * `finish` waits until the archiver has read every partition it owns up to the end offsets of
 * that moment (or its group had committed that far already), then stops it: stopping rolls every
 * open file, so what was read is in the lake, renamed and committed, before the run returns.
 * That stop is "stop once caught up" (ArchiverFinish in run-archiver.ts): a broker or store
 * outage that breaks the last roll is waited out, and `finish` waits for the next attempt to
 * read again what the broken one held, then stops it in turn. A second Ctrl-C (`stop`) stops it
 * after the batch in hand, with the same final roll, and ends any outage wait.
 */
import { isLoglabError } from '../errors';
import { type Compression, RAW_ROOT } from '../storage/lake-layout';
import type { Store } from '../storage/store';
import type { Broker } from '../stream/broker';
import {
  ARCHIVER_GROUP,
  ArchiverFinish,
  type ArchiverProgress,
  type ArchiverRun,
  runArchiver,
} from './run-archiver';

export interface StreamArchiveSettings {
  readonly store: Store;
  /** `archiver` when absent. */
  readonly groupId?: string;
  readonly rollBytes?: number;
  readonly rollIntervalMs?: number;
  /** `gzip`: closed files are `….log.gz`. */
  readonly compression?: Compression;
  /** Where the archiver's outage lines go, one each (run-archiver.ts's default when absent). */
  readonly log?: (line: string) => void;
  /** How long a broker that went away is waited for (run-archiver.ts's default, 5 minutes). */
  readonly brokerWaitMs?: number;
}

/** What the archiver stored in a stream run. */
export interface StreamArchiveSummary {
  readonly groupId: string;
  /** The lake directory or the WebHDFS URL. */
  readonly store: string;
  readonly engine: Store['engine'];
  /** Where in the lake: the raw layout's root. */
  readonly root: string;
  /** Lines in files published during this run. */
  readonly lines: number;
  readonly files: number;
  readonly rolls: number;
  /** Records the lake held already, not written again. */
  readonly skipped: number;
  /** Partitions whose records began after what the lake holds (lines it lacks). */
  readonly gaps: readonly number[];
}

export interface StreamArchive {
  /** The latest progress; null before the first poll. */
  progress(): ArchiverProgress | null;
  /** Waits until the archiver has read to the topic's current end, stops it, sums it up. */
  finish(): Promise<StreamArchiveSummary>;
  /** Rejects when the archiver fails: the caller stops the stream then. */
  readonly failed: Promise<never>;
  /** Whether it has ended (failed, stopped, or finished). */
  ended(): boolean;
}

const CHECK_MS = 100;

export function startStreamArchive(
  broker: Broker,
  topic: string,
  settings: StreamArchiveSettings,
  stop: AbortSignal | undefined,
): StreamArchive {
  const groupId = settings.groupId ?? ARCHIVER_GROUP;
  /** Stops the archiver now, ending its outage waits: only when `finish` itself fails. */
  const halt = new AbortController();
  const signal = stop ? AbortSignal.any([halt.signal, stop]) : halt.signal;
  const caughtUpStop = new ArchiverFinish();
  let latest: ArchiverProgress | null = null;
  /** The generation of the attempt that reported `latest` (ArchiverFinish). */
  let latestOf = 0;
  const running: Promise<ArchiverRun> = runArchiver(broker, settings.store, {
    topic,
    groupId,
    rollBytes: settings.rollBytes,
    rollIntervalMs: settings.rollIntervalMs,
    compression: settings.compression,
    log: settings.log,
    brokerWaitMs: settings.brokerWaitMs,
    signal,
    finish: caughtUpStop,
    onProgress(p) {
      latest = p;
      latestOf = caughtUpStop.generation;
    },
  });
  const failed = running.then(
    () => new Promise<never>(() => {}),
    (err: unknown) => Promise.reject(err),
  );
  // The stream may end before anyone looks at `failed`: no unhandled rejection meanwhile.
  failed.catch(() => undefined);
  let ended = false;
  running.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );

  /**
   * Every partition the archiver owns is read to `ends`, or committed that far. An attempt that
   * a broker or store outage ended reports no partitions (run-archiver.ts): never caught up until
   * the next one has recovered and read again.
   */
  async function caughtUp(ends: ReadonlyMap<number, number>): Promise<boolean> {
    const p: ArchiverProgress | null = latest;
    if (p === null || p.assigned.length === 0) return false;
    const behind = p.assigned.filter(
      (part) => (p.positions.get(part) ?? 0) < (ends.get(part) ?? 0),
    );
    if (behind.length === 0) return true;
    const lag = await broker.groupLag(groupId, [topic]);
    return behind.every((part) => {
      const c = lag.partitions.find((x) => x.partition === part)?.committed ?? -1;
      return c >= (ends.get(part) ?? 0);
    });
  }

  /**
   * `ask` of the broker; null while it fails for now (the broker away or restarting: no leader
   * yet, a coordinator loading), to be asked again. The archiver waits out such an outage on its
   * own, bounded: its ending says when to stop asking.
   */
  async function whileUp<T>(ask: () => Promise<T>): Promise<T | null> {
    try {
      return await ask();
    } catch (err) {
      if (isLoglabError(err) && err.retriable) return null;
      throw err;
    }
  }

  return {
    progress: () => latest,
    failed,
    ended: () => ended,
    async finish() {
      const pause = () => new Promise((resolve) => setTimeout(resolve, CHECK_MS));
      let ends: Map<number, number> | null = null;
      try {
        // Until the archiver ends: once caught up it is asked to stop; an outage that breaks its
        // last roll takes that back (ArchiverFinish), and it is asked again once caught up again.
        while (!ended && !signal.aborted) {
          ends ??= await whileUp(async () => {
            const found = new Map<number, number>();
            for (const p of (await broker.describeTopic(topic)).partitions) {
              found.set(p.partition, p.end);
            }
            return found;
          });
          const generation = caughtUpStop.generation;
          // Progress from an attempt that has ended since says nothing of the one running now.
          if (ends !== null && latestOf === generation) {
            const up = await whileUp(() => caughtUp(ends as Map<number, number>));
            if (up === true) caughtUpStop.ask(generation);
          }
          await pause();
        }
      } catch (err) {
        // Not left running under a caller that closes the broker and the store next.
        halt.abort();
        await running.catch(() => undefined);
        throw err;
      }
      // A user's stop (a second Ctrl-C) ends the archiver after its batch in hand.
      const run = await running;
      return {
        groupId,
        store: settings.store.address,
        engine: settings.store.engine,
        root: RAW_ROOT,
        lines: run.lines,
        files: run.files,
        rolls: run.rolls,
        skipped: run.skipped,
        gaps: run.gaps,
      };
    },
  };
}
