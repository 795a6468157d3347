/**
 * A detector's alerts and dead letters on their way to their topics, each through an outbox
 * (outbox.ts), so that a produce whose answer a broker outage lost puts nothing on a topic twice.
 * `loglab detect --topic` (run-detection.ts), `loglab stream --detect` and the demo all send
 * through this one.
 *
 * What we decided:
 * - A consumer loop that rides out a broker outage itself (run-detection.ts) calls `flush()` and
 *   retries it after its own wait. One that does not (the stream's consumer side: a handler
 *   of run-stream.ts, and the demo's final alerts) gives `flush` a broker outage guard: the
 *   flush then waits for the broker and sends again, without what the broker had stored.
 * - What is pending stays pending when the flush fails for any other reason, and the error is
 *   the caller's, as before.
 */
import type { Alert } from '../realtime/alert';
import type { Broker, ProduceMessage } from '../stream/broker';
import type { BrokerOutageGuard } from '../stream/broker-outage';
import { createOutbox, type Outbox } from './outbox';
import { alertMessage } from './stream-detector';

export interface DetectionOutboxOptions {
  /** Alerts go here (weblogs.alerts); none when null or absent. */
  readonly alertsTopic?: string | null;
  /** Dead letters go here (weblogs.deadletter); none when null or absent. */
  readonly deadLetterTopic?: string | null;
  /** The read-back groups are named after it. */
  readonly groupId: string;
  readonly log?: (line: string) => void;
}

export interface DetectionOutbox {
  /** Alerts and dead letters to send at the next flush (dropped when their topic is absent). */
  add(alerts: readonly Alert[], deadLetters: readonly ProduceMessage[]): void;
  /**
   * Sends what is pending. With `outage`, a broker outage is waited out and the flush tried
   * again; without, the produce's error is thrown and the messages stay pending.
   */
  flush(outage?: BrokerOutageGuard): Promise<void>;
  /** Alerts now on their topic. */
  alertsSent(): number;
  /** Dead letters now on their topic. */
  deadLettersSent(): number;
  /** Messages a read-back after a failed produce found stored already, not sent again. */
  alreadyStored(): number;
}

export function createDetectionOutbox(
  broker: Broker,
  options: DetectionOutboxOptions,
): DetectionOutbox {
  const open = (topic: string | null | undefined): Outbox | null =>
    topic ? createOutbox(broker, topic, { groupId: options.groupId, log: options.log }) : null;
  const alertsOut = open(options.alertsTopic);
  const deadOut = open(options.deadLetterTopic);
  let alerts = 0;
  let deadLetters = 0;

  const flushOnce = async () => {
    if (alertsOut !== null) alerts += await alertsOut.flush();
    if (deadOut !== null) deadLetters += await deadOut.flush();
  };

  return {
    add(newAlerts, newDeadLetters) {
      if (alertsOut !== null && newAlerts.length > 0) alertsOut.add(newAlerts.map(alertMessage));
      if (deadOut !== null && newDeadLetters.length > 0) deadOut.add(newDeadLetters);
    },
    async flush(outage) {
      for (;;) {
        try {
          await flushOnce();
          outage?.progressed();
          return;
        } catch (err) {
          if (outage === undefined) throw err;
          // Rethrows anything but a broker outage, and an outage that outlasts the wait.
          await outage.resumeAfter(err);
        }
      }
    },
    alertsSent: () => alerts,
    deadLettersSent: () => deadLetters,
    alreadyStored: () => (alertsOut?.alreadyStored() ?? 0) + (deadOut?.alreadyStored() ?? 0),
  };
}
