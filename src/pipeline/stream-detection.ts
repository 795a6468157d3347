/**
 * The detectors as a batch handler of the stream's consumer side (run-stream.ts): what
 * `loglab stream --detect` and the demo run. Each poll's batches go to the stream detector, and
 * its alerts to weblogs.alerts through the outbox (detection-outbox.ts) before the batches are
 * committed; `finish` closes every window and sends the last alerts, before the last commit.
 *
 * The stream commits no further than `committable`: the oldest record the partition merge still
 * holds back on each partition, as `loglab detect` does (run-detection.ts). Before, each poll
 * was committed as soon as the handler returned, held records and all, and a crash lost their
 * alerts: the group resumed past them. The merge waits for the partitions the stream's member
 * owns (`onAssignment`); one the group takes away leaves it, with what it held of it, which the
 * new owner reads again (stream-detector.ts `revoke`). A partition with records to resume (an
 * earlier run's, from the group's commits on) is behind from the start, as a partition with lag
 * is in `loglab detect`: until it has delivered them, it holds the others back. Taken for caught
 * up, it went idle after a poll that found nothing and a second of quiet, and the partitions
 * read first were released past it, its records late (a restart then alerted otherwise than a
 * replay from the same commits).
 *
 * The alerts' flush rides out a broker outage of its own: a produce whose answer an outage lost
 * is waited out (broker-outage.ts) and sent again without what the broker had stored. (The
 * stream's consumer waits out an outage in the kafkajs adapter, `consumerOutage`; librdkafka
 * reconnects by itself.) Dead letters are not sent from here: the stream's producer puts every line that
 * does not parse on weblogs.deadletter, so none reaches the detector from the topic.
 */
import type { Alert } from '../realtime/alert';
import type {
  AssignmentChange,
  Broker,
  TopicPartition,
  TopicPartitionOffset,
} from '../stream/broker';
import { brokerOutageGuard } from '../stream/broker-outage';
import { ALERTS_TOPIC } from '../stream/topics';
import { createDetectionOutbox } from './detection-outbox';
import type { BatchHandler, StreamHandler } from './run-stream';
import type { StreamDetector } from './stream-detector';

export interface StreamDetectionOptions {
  /** The stream's topic: the merge waits for the member's partitions of it; its metadata is the probe. */
  readonly topic: string;
  /** The stream consumer's group; the outbox's read-back groups are named after it. */
  readonly groupId: string;
  /** One line per broker outage event; stderr by default. */
  readonly log?: (line: string) => void;
  /** Ends a wait for the broker (Ctrl-C): the flush then fails with the outage's error. */
  readonly signal?: AbortSignal;
  /** The alerts taken from the detector, before they are sent (the demo keeps them). */
  readonly onAlerts?: (alerts: readonly Alert[]) => void | Promise<void>;
}

export interface StreamDetection extends StreamHandler {
  readonly handle: BatchHandler;
  /** Where the stream may commit: per partition, the oldest record held back, else its position. */
  committable(): TopicPartitionOffset[];
  /** Partitions gained hold the others back until they deliver; partitions lost leave the merge. */
  onAssignment(change: AssignmentChange): void;
  /** Partitions with resumed records are behind until a batch of them reaches the end. */
  resuming(partitions: readonly number[]): void;
  /** The stream ended: close every window and send the last alerts. */
  finish(): Promise<void>;
}

export function streamDetection(
  broker: Broker,
  detector: StreamDetector,
  options: StreamDetectionOptions,
): StreamDetection {
  const { topic, groupId } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`stream: ${line}\n`));
  const out = createDetectionOutbox(broker, { alertsTopic: ALERTS_TOPIC, groupId, log });
  const outage = brokerOutageGuard(broker, { topic, log, signal: options.signal });
  const publish = async () => {
    const alerts = detector.takeAlerts();
    detector.takeDeadLetters();
    await options.onAlerts?.(alerts);
    out.add(alerts, []);
    await out.flush(outage);
  };
  return {
    async handle(batches) {
      // No batches: a poll found nothing to read, so partitions gone quiet may go idle.
      if (batches.length === 0) detector.tick();
      else detector.addBatches(batches);
      await publish();
    },
    committable: () => detector.commitOffsets(),
    onAssignment(change) {
      const mine = (list: readonly TopicPartition[]) =>
        list.filter((tp) => tp.topic === topic).map((tp) => tp.partition);
      detector.revoke(mine(change.revoked));
      detector.expectPartitions(mine(change.assigned));
    },
    resuming(partitions) {
      for (const p of partitions) detector.setBehind(p, true);
    },
    async finish() {
      detector.finish();
      await publish();
    },
  };
}
