/**
 * Under `loglab stream --archive` on Kafka the broker config sets `consumerOutage`, so every
 * member waits out a broker outage inside the adapter, bounded. The archiver waits in its own
 * loop (run-archiver.ts) with its own bound: a member that waited too stacked a second wait on
 * it, past 5 minutes. Each consumer now says which it wants: the stream's own consumer (and
 * `loglab consume`'s) keeps the adapter's wait, the archiver's does not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions } from '../../src/generate/generator';
import { runStream } from '../../src/pipeline/run-stream';
import { createLocalStore } from '../../src/storage/local-store';
import type { Broker, SubscribeOptions, ValueAs } from '../../src/stream/broker';
import { consumerOutageOf } from '../../src/stream/kafka-broker';
import type { KafkaBrokerConfig } from '../../src/stream/kafka-config';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const scratch = mkdtempSync(join(tmpdir(), 'loglab-outage-wait-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The config `loglab stream` and `loglab consume` give the kafkajs adapter. */
const config: KafkaBrokerConfig = {
  brokers: ['127.0.0.1:9092'],
  consumerOutage: { log: () => undefined },
};

/** The memory broker, keeping every subscribe's options. */
function recording(inner: Broker): { broker: Broker; subscribed: SubscribeOptions<ValueAs>[] } {
  const subscribed: SubscribeOptions<ValueAs>[] = [];
  const broker: Broker = Object.create(inner);
  broker.subscribe = ((opts: SubscribeOptions<ValueAs>) => {
    subscribed.push(opts);
    return inner.subscribe(opts);
  }) as Broker['subscribe'];
  return { broker, subscribed };
}

describe('the outage wait, chosen per consumer', () => {
  it('loglab stream --archive: the stream consumer waits in the adapter, the archiver does not', async () => {
    const memory = createMemoryBroker();
    const { broker, subscribed } = recording(memory);
    const store = await createLocalStore({ root: join(scratch, 'lake') });
    const summary = await runStream(broker, {
      generate: defaultOptions({ seed: 4, lines: 2000 }),
      topic: 'raw',
      partitions: 2,
      groupId: 'stream',
      archive: { store, groupId: 'archiver', log: () => undefined },
    });
    expect(summary.consumed).toBe(2000);
    const byClient = new Map(subscribed.map((o) => [o.clientId, o]));
    expect([...byClient.keys()].sort()).toEqual(['loglab-archiver', 'loglab-stream']);
    const waits = (clientId: string) =>
      consumerOutageOf(config, byClient.get(clientId) as SubscribeOptions<ValueAs>, memory);
    expect(waits('loglab-stream')).toEqual({ broker: memory, settings: config.consumerOutage });
    expect(waits('loglab-archiver')).toBeUndefined();
    await store.close();
    await memory.close();
  });

  it("a member waits in the adapter only where the config sets it and the subscriber did not say 'end'", () => {
    const memory = createMemoryBroker();
    // What `loglab consume` subscribes with.
    const consume = {
      groupId: 'g',
      topics: ['raw'],
      fromBeginning: false,
      clientId: 'loglab-consume',
    };
    expect(consumerOutageOf(config, consume, memory)).toEqual({
      broker: memory,
      settings: config.consumerOutage,
    });
    expect(consumerOutageOf(config, { ...consume, brokerOutage: 'wait' }, memory)).toEqual({
      broker: memory,
      settings: config.consumerOutage,
    });
    expect(consumerOutageOf(config, { ...consume, brokerOutage: 'end' }, memory)).toBeUndefined();
    expect(consumerOutageOf({ brokers: config.brokers }, consume, memory)).toBeUndefined();
  });
});
