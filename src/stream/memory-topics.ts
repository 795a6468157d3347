/**
 * The embedded broker's topics: each a name and its partition logs (./memory-log), and the write
 * path that appends a producer's batch to them. Delivery semantics are described once, in
 * ./memory-broker.
 *
 * `appendBatch` is produce's hot path: keep it plain pushes into the column arrays, with no
 * closure or object per message.
 */
import { badFlag, badInput, LoglabError } from '../errors';
import type {
  CreateTopicsResult,
  PartitionAck,
  ProduceMessage,
  TopicDescription,
  TopicSpec,
} from './broker';
import {
  createLog,
  endOffset,
  type PartitionLog,
  RECORD_OVERHEAD,
  trimLog,
  valueBytes,
} from './memory-log';
import type { Partitioner } from './partitioner';
import { checkTopicName } from './topics';

export interface TopicState {
  readonly name: string;
  readonly partitions: PartitionLog[];
}

/** Topic name → its state. */
export type Topics = Map<string, TopicState>;

/** What a produce call needs besides the batch; fixed for the broker's life. */
export interface WriteSettings {
  readonly maxMessageBytes: number;
  readonly retentionBytes: number;
  readonly partitioner: Partitioner;
  readonly now: () => number;
}

/** The topic, or NOT_FOUND naming it. */
export function topicState(topics: Topics, name: string): TopicState {
  const t = topics.get(name);
  if (!t) {
    throw new LoglabError('NOT_FOUND', `topic "${name}" does not exist on the embedded broker`, {
      context: { topic: name },
    });
  }
  return t;
}

/** Creates the topics not there yet; a bad name or partition count throws, keeping those made before it. */
export function createTopics(
  topics: Topics,
  specs: readonly TopicSpec[],
  defaultPartitions: number,
): CreateTopicsResult {
  const created: string[] = [];
  const existing: string[] = [];
  for (const spec of specs) {
    if (topics.has(spec.name)) {
      existing.push(spec.name);
      continue;
    }
    checkTopicName(spec.name);
    const n = spec.partitions ?? defaultPartitions;
    if (!Number.isInteger(n) || n < 1) {
      throw badFlag(`topic "${spec.name}" needs a positive whole number of partitions, got ${n}`);
    }
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < n; p++) partitions.push(createLog(spec.name, p));
    topics.set(spec.name, { name: spec.name, partitions });
    created.push(spec.name);
  }
  return { created, existing };
}

export function describeTopic(t: TopicState): TopicDescription {
  return {
    name: t.name,
    partitions: t.partitions.map((log, partition) => ({
      partition,
      start: log.base,
      end: endOffset(log),
    })),
  };
}

/**
 * Appends a batch, keyed messages to their murmur2 partition, and applies retention. The whole
 * batch is checked first: it is written entirely or not at all. Returns the first offset written
 * in each partition the batch touched, in partition order.
 */
export function appendBatch(
  t: TopicState,
  messages: readonly ProduceMessage[],
  settings: WriteSettings,
): PartitionAck[] {
  const { maxMessageBytes, retentionBytes, partitioner, now } = settings;
  const topic = t.name;
  const n = t.partitions.length;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const size = valueBytes(m.value, maxMessageBytes) + (m.key?.length ?? 0);
    if (size > maxMessageBytes) {
      throw badInput(
        `message ${i} of the batch has ${size} bytes, more than the broker accepts (${maxMessageBytes})`,
        { topic },
      );
    }
  }
  const baseOffsets: number[] = new Array(n).fill(-1);
  const ts = now();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const partition = partitioner.partition(topic, m.key, n);
    const log = t.partitions[partition];
    if (baseOffsets[partition] < 0) baseOffsets[partition] = endOffset(log);
    const value = m.value;
    if (m.headers !== undefined) {
      if (log.headers === null) log.headers = new Array(log.values.length);
      log.headers[log.values.length] = m.headers;
    } else if (log.headers !== null) {
      log.headers.push(undefined);
    }
    log.keys.push(m.key);
    log.values.push(value);
    log.timestamps.push(m.timestamp ?? ts);
    if (typeof value === 'string') {
      log.strings++;
      log.bytes += value.length + (m.key?.length ?? 0) + RECORD_OVERHEAD;
    } else {
      log.buffers++;
      log.bytes += value.byteLength + (m.key?.length ?? 0) + RECORD_OVERHEAD;
    }
  }
  const partitions: PartitionAck[] = [];
  for (let p = 0; p < n; p++) {
    if (baseOffsets[p] < 0) continue;
    partitions.push({ partition: p, baseOffset: baseOffsets[p] });
    if (t.partitions[p].bytes > retentionBytes) trimLog(t.partitions[p], retentionBytes);
  }
  return partitions;
}
