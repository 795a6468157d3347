/**
 * What the tests of `loglab stream` share: a broker whose stream member polls as
 * a test needs, the stream's detection with its alert lines kept, and a replay of the topic by
 * `loglab detect` from a group's commits, which a restarted stream is compared with.
 */
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { streamDetection } from '../../src/pipeline/stream-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import { formatAlert } from '../../src/realtime/alert';
import type { Broker, Consumer } from '../../src/stream/broker';

/** The broker with the stream member's poll (client id `loglab-stream`) replaced; others as they are. */
export function withStreamPoll(
  broker: Broker,
  poll: (consumer: Consumer<string>) => Consumer<string>['poll'],
): Broker {
  return {
    ...broker,
    async subscribe(opts) {
      const consumer = (await broker.subscribe(opts)) as Consumer<string>;
      if (opts.clientId !== 'loglab-stream') return consumer;
      return { ...consumer, poll: poll(consumer) };
    },
  } as Broker;
}

/** The broker with the stream's polls made small (100 records), so they take turns by partition. */
export function smallStreamPolls(broker: Broker, maxRecords = 100): Broker {
  return withStreamPoll(
    broker,
    (consumer) =>
      (o = {}) =>
        consumer.poll({ ...o, maxRecords }),
  );
}

/** `loglab stream --detect`'s handler on `raw` in group `stream`, its alert lines kept in `alerts`. */
export function streamWithDetection(broker: Broker, alerts: string[], idleMs?: number) {
  const detector = createStreamDetector({ parse: parseAuto, idleMs });
  const detection = streamDetection(broker, detector, {
    topic: 'raw',
    groupId: 'stream',
    log: () => {},
    onAlerts: (list) => {
      for (const alert of list) alerts.push(formatAlert(alert));
    },
  });
  return { detector, detection };
}

/** Every alert line and the detector's counts, replaying `raw` in `groupId` from its commits on. */
export async function replay(broker: Broker, groupId: string) {
  const alerts: string[] = [];
  const detector = createStreamDetector({
    parse: parseAuto,
    onAlert: (alert) => alerts.push(formatAlert(alert)),
  });
  await runDetection(broker, detector, { topic: 'raw', groupId, toEnd: true, log: () => {} });
  return { alerts, counts: detector.counts() };
}
