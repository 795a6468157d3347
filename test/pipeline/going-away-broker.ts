/**
 * A broker that goes away under a consumer the way Kafka restarting does through the Kafka
 * adapter: after the member's `failAfterPolls`-th poll with records, its next commit throws the
 * adapter's SERVICE_DOWN (a retriable LoglabError naming the broker), as do produce calls and
 * the first `probesDown` metadata requests; then it answers again. Around the embedded broker.
 */
import { LoglabError } from '../../src/errors';
import type { Broker, Consumer } from '../../src/stream/broker';

export function brokerDown(): LoglabError {
  return new LoglabError(
    'SERVICE_DOWN',
    'no Kafka broker answers at 127.0.0.1:9092 (ECONNREFUSED); start one with `npm run cluster -- up`, or use --engine embedded',
    { retriable: true, context: { broker: '127.0.0.1:9092' } },
  );
}

export interface GoingAway {
  readonly broker: Broker;
  /** Whether the broker is away now. */
  down(): boolean;
  /** Members that joined, the first one included. */
  joins(): number;
}

export function goingAwayBroker(
  inner: Broker,
  failAfterPolls: number,
  probesDown: number,
): GoingAway {
  let away = false;
  let polls = 0;
  let probes = 0;
  let joins = 0;
  const broker: Broker = Object.create(inner);
  broker.subscribe = (async (opts: Parameters<Broker['subscribe']>[0]) => {
    if (away) throw brokerDown();
    joins++;
    const c = (await inner.subscribe(opts)) as Consumer<string>;
    const member: Consumer<string> = Object.create(c);
    member.poll = async (o) => {
      if (away) throw brokerDown();
      const r = await c.poll(o);
      if (r.kind === 'records' && ++polls === failAfterPolls) away = true;
      return r;
    };
    member.commit = async (offsets) => {
      if (away) throw brokerDown();
      return c.commit(offsets);
    };
    member.close = () => c.close();
    return member;
  }) as Broker['subscribe'];
  broker.produce = async (topic, messages) => {
    if (away) throw brokerDown();
    return inner.produce(topic, messages);
  };
  broker.describeTopic = async (topic) => {
    if (away && ++probes <= probesDown) throw brokerDown();
    away = false;
    return inner.describeTopic(topic);
  };
  return { broker, down: () => away, joins: () => joins };
}

/**
 * A broker that goes away `outages` times, each right after a member joined and before it read
 * anything (a quiet topic), and answers again at the second probe of each outage.
 */
export function flappingBroker(inner: Broker, outages: number): GoingAway {
  let away = false;
  let left = outages;
  let probes = 0;
  let joins = 0;
  const broker: Broker = Object.create(inner);
  broker.subscribe = (async (opts: Parameters<Broker['subscribe']>[0]) => {
    if (away) throw brokerDown();
    joins++;
    const c = (await inner.subscribe(opts)) as Consumer<string>;
    const member: Consumer<string> = Object.create(c);
    let first = left > 0;
    if (first) left--;
    member.poll = async (o) => {
      if (first) {
        first = false;
        away = true;
        probes = 0;
      }
      if (away) throw brokerDown();
      return c.poll(o);
    };
    member.commit = async (offsets) => {
      if (away) throw brokerDown();
      return c.commit(offsets);
    };
    member.close = () => c.close();
    return member;
  }) as Broker['subscribe'];
  broker.describeTopic = async (topic) => {
    if (away && ++probes <= 1) throw brokerDown();
    away = false;
    return inner.describeTopic(topic);
  };
  return { broker, down: () => away, joins: () => joins };
}
