/**
 * A broker that goes away under a consumer the way Kafka restarting does through the Kafka
 * adapter, around the embedded broker. While it is away every poll, commit, produce and join
 * throws the adapter's SERVICE_DOWN (a retriable LoglabError naming the broker); it answers again
 * at the metadata request (the outage guard's probe) after the first `probesDown` ones.
 *
 * When it goes away is up to the test, call by call:
 * - `before(call)`: instead of answering it, so the call does nothing;
 * - `after(call)`: once the call is done, so a poll's records arrive, while a commit or a produce
 *   is stored but its answer is lost (it throws): the case where a retry writes twice.
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

export interface BrokerCall {
  readonly kind: 'poll' | 'commit' | 'produce';
  /** Calls of this kind so far over every member, this one included. */
  readonly n: number;
  /** The member's join, counted from 1 over every member; 0 for a produce. */
  readonly join: number;
  /** The member's calls of this kind since it joined, this one included; 0 for a produce. */
  readonly ofMember: number;
  /** Polls that brought records so far, this one included; known after a poll only. */
  readonly recordPolls: number;
  /** Records a poll brought (after it), or messages of a produce. */
  readonly records: number;
  /** The topic of a produce. */
  readonly topic?: string;
}

export interface GoingAwayOptions {
  readonly before?: (call: BrokerCall) => boolean;
  readonly after?: (call: BrokerCall) => boolean;
  /** Metadata requests that still fail in each outage (1). */
  readonly probesDown?: number;
  /** Runs at the first probe of each outage: what happens while the broker is away. */
  readonly whileAway?: () => Promise<void>;
}

export interface GoingAway {
  readonly broker: Broker;
  /** Whether the broker is away now. */
  down(): boolean;
  /** Members that joined, the first one included. */
  joins(): number;
  /** Times it went away. */
  outages(): number;
}

/** Away after the member's `n`-th poll with records, before anything else reaches it. */
export function afterRecordPolls(n: number): GoingAwayOptions['after'] {
  return (c) => c.kind === 'poll' && c.records > 0 && c.recordPolls === n;
}

export function goingAwayBroker(inner: Broker, options: GoingAwayOptions): GoingAway {
  const probesDown = options.probesDown ?? 1;
  let away = false;
  let probes = 0;
  let outages = 0;
  let joins = 0;
  let ran = true;
  const counts = { poll: 0, commit: 0, produce: 0 };
  let recordPolls = 0;
  const goAway = () => {
    away = true;
    probes = 0;
    outages++;
    ran = false;
  };
  /** Runs `call` unless the broker is away or goes away before it; goes away after it if told. */
  async function guarded<T>(
    kind: BrokerCall['kind'],
    member: { join: number; calls: Record<string, number> } | null,
    extra: { records: number; topic?: string },
    call: () => Promise<T>,
    recordsOf: (result: T) => number = () => extra.records,
  ): Promise<T> {
    if (away) throw brokerDown();
    const n = ++counts[kind];
    const ofMember = member === null ? 0 : ++member.calls[kind];
    const base = { kind, n, join: member?.join ?? 0, ofMember, recordPolls, ...extra };
    if (options.before?.(base)) {
      goAway();
      throw brokerDown();
    }
    const result = await call();
    const records = recordsOf(result);
    if (kind === 'poll' && records > 0) recordPolls++;
    if (options.after?.({ ...base, records, recordPolls })) {
      goAway();
      if (kind !== 'poll') throw brokerDown();
    }
    return result;
  }
  const broker: Broker = Object.create(inner);
  broker.subscribe = (async (opts: Parameters<Broker['subscribe']>[0]) => {
    if (away) throw brokerDown();
    const member = { join: ++joins, calls: { poll: 0, commit: 0, produce: 0 } };
    const c = (await inner.subscribe(opts)) as Consumer<string>;
    const m: Consumer<string> = Object.create(c);
    m.poll = (o) =>
      guarded(
        'poll',
        member,
        { records: 0 },
        () => c.poll(o),
        (r) => (r.kind === 'records' ? r.count : 0),
      );
    m.pollRaw = (o) =>
      guarded(
        'poll',
        member,
        { records: 0 },
        () => c.pollRaw(o),
        (r) => (r.kind === 'records' ? r.count : 0),
      );
    m.commit = (offsets) =>
      guarded('commit', member, { records: offsets?.length ?? 0 }, () => c.commit(offsets));
    m.close = () => c.close();
    return m;
  }) as Broker['subscribe'];
  broker.produce = (topic, messages) =>
    guarded('produce', null, { records: messages.length, topic }, () =>
      inner.produce(topic, messages),
    );
  broker.describeTopic = async (topic) => {
    if (away) {
      if (!ran) {
        ran = true;
        await options.whileAway?.();
      }
      if (++probes <= probesDown) throw brokerDown();
      away = false;
    }
    return inner.describeTopic(topic);
  };
  return { broker, down: () => away, joins: () => joins, outages: () => outages };
}

/** `test`, holding the first time only: one outage at the first call that meets it. */
export function once(test: (call: BrokerCall) => boolean): (call: BrokerCall) => boolean {
  let done = false;
  return (call) => {
    if (done || !test(call)) return false;
    done = true;
    return true;
  };
}

/**
 * A broker whose first produce to `topic` is stored and its answer lost, as Kafka going away
 * mid-request does; it answers again at once. Only that call fails: whatever else runs beside
 * it (a producer, an archiver) goes on, whatever the timing.
 */
export function losesFirstAnswer(inner: Broker, topic: string): { broker: Broker; lost(): number } {
  let lost = 0;
  const broker: Broker = Object.create(inner);
  broker.produce = async (to, messages) => {
    const ack = await inner.produce(to, messages);
    if (to === topic && lost === 0) {
      lost++;
      throw brokerDown();
    }
    return ack;
  };
  return { broker, lost: () => lost };
}
