/**
 * How the long-running consumers (the archiver, and the detector on a topic) ride out a broker
 * outage (Kafka restarting): the adapter retries for a few seconds, then the member ends with a
 * retriable SERVICE_DOWN; instead of ending the command with it, the consumer loop waits until
 * the broker answers again and joins its group afresh, from the committed offsets.
 *
 * Measured on the build machine (test/cluster/fault-run.test.ts): `npm run cluster -- down`
 * then `up` of the broker kept it away 49–53 s on 2 cores at a load of 20, and 172–208 s at a
 * load of 24–39, where the script's first start answered and was then stopped because its group
 * coordinator had not loaded in time: far past the adapter's retries (about 3 s), and past the
 * 120 s a store outage is given. The wait is bounded (5 minutes), and only a member that has
 * joined once waits: a broker that does not answer at start is still one line and exit 2.
 *
 * What joining afresh costs each consumer is in its own docblock: the archiver reads again what
 * it had not committed, from where the lake says (run-archiver.ts); the detector keeps its
 * windows and skips what it already had (run-detection.ts).
 */
import { isLoglabError, LoglabError } from '../errors';
import type { Broker } from '../stream/broker';

/** A broker that stopped answering: what the Kafka adapter throws once its retries ran out. */
export function isBrokerOutage(err: unknown): err is LoglabError {
  return (
    isLoglabError(err) &&
    err.retriable &&
    err.code === 'SERVICE_DOWN' &&
    typeof err.context.broker === 'string'
  );
}

export interface BrokerOutageSettings {
  /** The topic whose metadata says the broker answers again. */
  readonly topic: string;
  /** What the caller does once it answers, for the second line ("joining the group again"). */
  readonly resumeWith?: string;
  /**
   * One pair of lines per outage (until `progressed`), however often the caller fails again
   * within it: for a caller that tries again as soon as the broker answers, as the producer does
   * through a restart whose partitions have no leader yet. Otherwise a pair per wait.
   */
  readonly oncePerOutage?: boolean;
  /** Which failures are waited out (`isBrokerOutage`); any other is rethrown at once. */
  readonly waitsFor?: (err: unknown) => err is LoglabError;
  /** How long one outage is waited out (DEFAULT_BROKER_WAIT_MS, 5 minutes); 0: not at all. */
  readonly totalWaitMs?: number;
  /** The pause between two probes (1 s). */
  readonly probeEveryMs?: number;
  /** One line per event (waiting, answering again). */
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_BROKER_WAIT_MS = 300_000;

export interface BrokerOutageGuard {
  /**
   * After a loop failed with `err`: resolves once the broker answers again when `err` was a
   * broker outage, and rethrows `err` otherwise (or when aborted, or past the total wait, which
   * counts from the first failure until `progressed`).
   */
  resumeAfter(err: unknown): Promise<void>;
  /** The consumer got on with its work: a later outage starts a new wait. */
  progressed(): void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function brokerOutageGuard(
  broker: Broker,
  settings: BrokerOutageSettings,
): BrokerOutageGuard {
  const now = settings.now ?? Date.now;
  const sleep = settings.sleep ?? defaultSleep;
  const totalWaitMs = settings.totalWaitMs ?? DEFAULT_BROKER_WAIT_MS;
  const probeEveryMs = settings.probeEveryMs ?? 1000;
  const waitsFor = settings.waitsFor ?? isBrokerOutage;
  const resumeWith = settings.resumeWith ?? 'joining the group again';
  let since: number | null = null;
  /** Lines said in the outage so far (oncePerOutage). */
  let said = 0;
  const say = (line: string, nth: number) => {
    if (settings.oncePerOutage !== true) settings.log(line);
    else if (said < nth) {
      said = nth;
      settings.log(line);
    }
  };
  return {
    async resumeAfter(err) {
      if (!waitsFor(err) || settings.signal?.aborted || totalWaitMs === 0) throw err;
      since ??= now();
      const start = since;
      const gaveUp = () =>
        new LoglabError(
          'SERVICE_DOWN',
          `${err.message}; gave up after ${seconds(now() - start)} of waiting`,
          { retriable: true, cause: err, context: err.context },
        );
      say(`${err.message}; waiting for it for up to ${seconds(totalWaitMs)}`, 1);
      for (let tries = 1; ; tries++) {
        if (settings.signal?.aborted) throw err;
        let answers = false;
        try {
          await broker.describeTopic(settings.topic);
          answers = true;
        } catch (probe) {
          if (!isLoglabError(probe) || !probe.retriable) throw probe;
        }
        if (answers) {
          // Answering at once past the bound: what fails is not the broker's reachability (a
          // group coordinator that never loads, say), which would otherwise be waited out forever.
          if (tries === 1 && now() - start >= totalWaitMs) throw gaveUp();
          say(
            `the broker at ${broker.address} answers again after ${seconds(now() - start)} (${tries} tries): ${resumeWith}`,
            2,
          );
          return;
        }
        if (now() - start >= totalWaitMs) throw gaveUp();
        await sleep(probeEveryMs);
      }
    },
    progressed() {
      since = null;
      said = 0;
    },
  };
}
