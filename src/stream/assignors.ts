/**
 * How a consumer group shares partitions among its members, as Kafka's classic assignors do.
 * Members are sorted by id; every partition goes to exactly one member subscribed to its topic.
 *
 * - round-robin (kafkajs's default, Java's `RoundRobinAssignor`): all topic-partitions, sorted by
 *   topic then partition, dealt one by one to the members in turn.
 *   6 partitions, 2 members → A: 0 2 4, B: 1 3 5.
 * - range (Java's `RangeAssignor`): per topic, consecutive runs; the first members get one
 *   extra when the count does not divide. 6 partitions, 2 members → A: 0 1 2, B: 3 4 5.
 */
import type { TopicPartition } from './broker';

export type AssignorName = 'round-robin' | 'range';
export const ASSIGNORS: readonly AssignorName[] = ['round-robin', 'range'];

export interface GroupMember {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/** memberId → its partitions, sorted by topic then partition. Every member has an entry. */
export type Assignment = Map<string, TopicPartition[]>;

export function assignPartitions(
  assignor: AssignorName,
  members: readonly GroupMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): Assignment {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  const result: Assignment = new Map(sorted.map((m) => [m.memberId, []]));
  const topics = [...new Set(sorted.flatMap((m) => m.topics))].sort();
  if (assignor === 'range') {
    for (const topic of topics) {
      const subscribers = sorted.filter((m) => m.topics.includes(topic));
      const n = partitionsPerTopic.get(topic) ?? 0;
      const each = Math.floor(n / subscribers.length);
      const extra = n % subscribers.length;
      let next = 0;
      subscribers.forEach((m, i) => {
        const count = each + (i < extra ? 1 : 0);
        const own = result.get(m.memberId) as TopicPartition[];
        for (let p = next; p < next + count; p++) own.push({ topic, partition: p });
        next += count;
      });
    }
    return result;
  }
  let turn = 0;
  for (const topic of topics) {
    const n = partitionsPerTopic.get(topic) ?? 0;
    for (let p = 0; p < n; p++) {
      // Skip members not subscribed to this topic, as Java's assignor does.
      let m = sorted[turn % sorted.length];
      while (!m.topics.includes(topic)) m = sorted[++turn % sorted.length];
      (result.get(m.memberId) as TopicPartition[]).push({ topic, partition: p });
      turn++;
    }
  }
  for (const own of result.values()) {
    own.sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
    );
  }
  return result;
}
