/**
 * What a consumer loop produces beside its input (the detector's alerts and dead letters), kept
 * until the broker acknowledged it, and sent again after a broker outage so that a reader of the
 * topic sees each message once.
 *
 * A produce that fails leaves its outcome unknown: the broker may have stored the batch and lost
 * only its answer (Kafka going away mid-request), and the Kafka adapter starts a new idempotent
 * producer after a failure, whose new producer id the broker cannot match with the old batch.
 * Sending it again as it is would store such a batch twice. So after a failed produce the outbox
 * reads the topic back, from where its last acknowledged batch began to the end the broker shows
 * once it answers again, and sends only the messages that are not there.
 *
 * What we decided:
 * - A message is known by its value. An alert line names its kind, key, window, counts and state,
 *   and a dead letter the topic, partition and offset it came from, so two different messages of
 *   these topics never have equal values, and the same alert sent twice always has. The value is
 *   the stable id; a reader that wants to be sure across detector restarts can key on it too.
 * - Read back, not a transaction. Kafka's transactions would make produce and commit atomic for
 *   read_committed readers, but the Broker port and the embedded broker have none, and every
 *   reader (kcat, another language's client) would have to ask for read_committed. The read-back
 *   happens only after a failed produce, through the port, so the topic itself holds each message
 *   once and any reader sees it once.
 * - The read-back joins a group of its own that never commits (the port has no seek) and reads
 *   from the oldest record, skipping what lies before the last acknowledged batch. Both alerts
 *   and dead letters are small topics; this runs once per outage, not per batch.
 * - Before its first produce the outbox notes where each partition of the topic ends: what lies
 *   before that was there before this run, and a read-back never counts it. Otherwise a run that
 *   produced the same values as an earlier one (the demo, seeded) and whose first produce failed
 *   unstored would find the earlier run's copies and send nothing.
 * - Left open: a request the broker still holds when the read-back reaches the end (a broker that
 *   was slow rather than gone) can be stored after it, and then twice. Kafka restarting closes
 *   every connection, so nothing old arrives late then.
 */
import { randomUUID } from 'node:crypto';
import { LoglabError } from '../errors';
import type { Broker, ProduceMessage } from '../stream/broker';

export interface OutboxOptions {
  /** The group the read-back uses is named after this one (a suffix makes it unique). */
  readonly groupId: string;
  /** Give up reading back after this long without a record (30 s). */
  readonly readBackIdleMs?: number;
  /** One line per read-back that found messages stored already. */
  readonly log?: (line: string) => void;
}

export interface Outbox {
  readonly topic: string;
  add(messages: readonly ProduceMessage[]): void;
  /** Messages not yet acknowledged. */
  pending(): number;
  /**
   * Sends what is pending; resolves with how many messages are now on the topic (sent, or found
   * there after a failed produce). Rejects with the produce's error, keeping them pending.
   */
  flush(): Promise<number>;
  /** Messages a read-back found on the topic already, not sent again. */
  alreadyStored(): number;
}

function valueText(m: ProduceMessage): string {
  return typeof m.value === 'string' ? m.value : m.value.toString('utf8');
}

export function createOutbox(broker: Broker, topic: string, options: OutboxOptions): Outbox {
  let pending: ProduceMessage[] = [];
  /** A produce of `pending` failed: some of it may be stored. */
  let inDoubt = false;
  /** Per partition, the first offset of the last acknowledged batch: nothing later was before. */
  const floors = new Map<number, number>();
  let found = 0;
  const idleMs = options.readBackIdleMs ?? 30_000;
  /** Whether the floors hold where the topic ended before the first produce. */
  let started = false;

  /** Each partition's end before anything of this run was sent: its floor until an ack. */
  async function noteStart(): Promise<void> {
    try {
      for (const p of (await broker.describeTopic(topic)).partitions) {
        if (!floors.has(p.partition)) floors.set(p.partition, p.end);
      }
    } catch {
      // No topic yet (nothing earlier to mistake), or no broker (the produce fails unsent).
    }
    started = true;
  }

  /**
   * The values stored in `topic` from each partition's floor up to its end now, each with the
   * times it is there: a batch that holds one value twice and stored one copy sends the other.
   */
  async function storedValues(): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    const described = await broker.describeTopic(topic);
    const ends = new Map<number, number>();
    for (const p of described.partitions) {
      if (p.end > Math.max(p.start, floors.get(p.partition) ?? 0)) ends.set(p.partition, p.end);
    }
    if (ends.size === 0) return seen;
    const groupId = `${options.groupId}.read-back.${randomUUID().slice(0, 8)}`;
    const reader = await broker.subscribe({
      groupId,
      topics: [topic],
      fromBeginning: true,
      clientId: 'loglab-read-back',
    });
    try {
      let lastRecordAt = Date.now();
      while (ends.size > 0) {
        const r = await reader.poll({ maxWaitMs: 200 });
        if (r.kind !== 'records') {
          if (r.kind === 'idle' && Date.now() - lastRecordAt < idleMs) continue;
          throw new LoglabError(
            'INTERNAL',
            `cannot tell which of ${pending.length} messages reached ${topic}: reading it back ${r.kind === 'idle' ? `found nothing for ${idleMs / 1000} s` : 'stopped'}`,
            { context: { topic } },
          );
        }
        lastRecordAt = Date.now();
        for (const b of r.batches) {
          const floor = floors.get(b.partition) ?? 0;
          for (const rec of b.records) {
            if (rec.offset >= floor) seen.set(rec.value, (seen.get(rec.value) ?? 0) + 1);
          }
          const end = ends.get(b.partition);
          const last = b.records.at(-1);
          if (end !== undefined && last !== undefined && last.offset + 1 >= end) {
            ends.delete(b.partition);
          }
        }
      }
    } finally {
      await reader.close();
      // It never committed: Kafka forgets an empty group without offsets anyway, so a failed
      // delete (the coordinator may still count the member that just left) is said, not thrown.
      await broker.deleteGroups([groupId]).catch((err: unknown) => {
        options.log?.(
          `the read-back group ${groupId} is left for Kafka to expire: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
    }
    return seen;
  }

  return {
    topic,
    add(messages) {
      for (const m of messages) pending.push(m);
    },
    pending: () => pending.length,
    async flush() {
      const count = pending.length;
      if (count === 0) return 0;
      let send = pending;
      if (inDoubt) {
        const stored = await storedValues();
        send = pending.filter((m) => {
          const text = valueText(m);
          const left = stored.get(text) ?? 0;
          if (left === 0) return true;
          stored.set(text, left - 1);
          return false;
        });
        if (send.length < count) {
          found += count - send.length;
          options.log?.(
            `${count - send.length} of ${count} messages whose produce failed are on ${topic} already: sending the other ${send.length}`,
          );
        }
        pending = send;
      }
      if (send.length > 0) {
        if (!started) await noteStart();
        inDoubt = true;
        const ack = await broker.produce(topic, send);
        for (const a of ack.partitions) {
          floors.set(a.partition, Math.max(floors.get(a.partition) ?? 0, a.baseOffset));
        }
      }
      pending = [];
      inDoubt = false;
      return count;
    },
    alreadyStored: () => found,
  };
}
