/**
 * The embedded broker's group coordinator: consumer groups, their members, which partitions each
 * member owns, rebalancing, and the offsets each group committed. Delivery semantics (what a
 * moved partition redelivers) are described once, in ./memory-broker.
 *
 * Rebalancing is synchronous, inside join, leave and dropTopic: each member's `owned` list is
 * rebuilt from the assignor's answer, reusing the `Owned` entry (and so the position) of a
 * partition it keeps. A partition lost with uncommitted reads goes into `revoked`, for the
 * member's next commit to report. The member's `onAssignment` hears of every change as it is made.
 */
import { type AssignorName, assignPartitions } from './assignors';
import type {
  AssignmentChange,
  DeleteGroupsResult,
  GroupLag,
  PartitionLag,
  SubscribeOptions,
  TopicPartition,
  ValueAs,
} from './broker';
import { partitionLag } from './broker';
import { endOffset, type PartitionLog } from './memory-log';
import { type Topics, topicState } from './memory-topics';

/** A partition a member owns, with its read and commit positions. */
export interface Owned {
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  /** Next offset `poll` returns. */
  position: number;
  /** Position at the last commit, so an unchanged partition is not committed again. */
  committedPosition: number;
}

export interface Member {
  readonly memberId: string;
  readonly group: GroupState;
  topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly valueAs: ValueAs;
  owned: Owned[];
  /** Partitions taken away with uncommitted reads, reported by the next commit. */
  revoked: TopicPartition[];
  /** Where the next poll starts among `owned`. */
  rr: number;
  closed: boolean;
  /** Set while a poll waits; called when its data may have arrived or it must stop. */
  wake: (() => void) | null;
  /** The subscriber's listener for changes of `owned`. */
  readonly onAssignment?: (change: AssignmentChange) => void;
}

export interface GroupState {
  readonly id: string;
  generation: number;
  members: Member[];
  /** topic → partition → next offset to read. */
  readonly committed: Map<string, Map<number, number>>;
}

export interface GroupCoordinator {
  /** Adds a member to the group (created if new) and rebalances; topics must exist. */
  join(options: SubscribeOptions<ValueAs>): Member;
  /** Removes the member and rebalances; a waiting poll wakes to find it closed. */
  leave(member: Member): void;
  leaveAll(): void;
  listGroups(): string[];
  groupLag(groupId: string, onlyTopics?: readonly string[]): GroupLag;
  /** Forgets a deleted topic: its committed offsets, and the partitions members owned. */
  dropTopic(name: string): void;
  deleteGroups(groupIds: readonly string[]): DeleteGroupsResult;
}

function committedOffset(group: GroupState, topic: string, partition: number): number | null {
  return group.committed.get(topic)?.get(partition) ?? null;
}

export function saveCommitted(
  group: GroupState,
  topic: string,
  partition: number,
  offset: number,
): void {
  let perTopic = group.committed.get(topic);
  if (!perTopic) {
    perTopic = new Map();
    group.committed.set(topic, perTopic);
  }
  perTopic.set(partition, offset);
}

export function createGroupCoordinator(topics: Topics, assignor: AssignorName): GroupCoordinator {
  const groups = new Map<string, GroupState>();
  let memberSeq = 0;

  function rebalance(group: GroupState): void {
    group.generation++;
    const counts = new Map<string, number>();
    for (const m of group.members) {
      for (const t of m.topics) counts.set(t, topicState(topics, t).partitions.length);
    }
    const assignment = assignPartitions(assignor, group.members, counts);
    for (const m of group.members) {
      const next = assignment.get(m.memberId) ?? [];
      const keep = new Map<string, Owned>();
      for (const o of m.owned) keep.set(`${o.topic}\u0000${o.partition}`, o);
      const owned: Owned[] = [];
      const assigned: TopicPartition[] = [];
      for (const tp of next) {
        const key = `${tp.topic}\u0000${tp.partition}`;
        const had = keep.get(key);
        if (had) {
          owned.push(had);
          keep.delete(key);
          continue;
        }
        const log = topicState(topics, tp.topic).partitions[tp.partition];
        const committed = committedOffset(group, tp.topic, tp.partition);
        const start = committed ?? (m.fromBeginning ? log.base : endOffset(log));
        owned.push({ ...tp, log, position: start, committedPosition: start });
        assigned.push({ topic: tp.topic, partition: tp.partition });
      }
      const revoked: TopicPartition[] = [];
      for (const lost of keep.values()) {
        if (lost.position !== lost.committedPosition) {
          m.revoked.push({ topic: lost.topic, partition: lost.partition });
        }
        revoked.push({ topic: lost.topic, partition: lost.partition });
      }
      m.owned = owned;
      if (assigned.length > 0 || revoked.length > 0) m.onAssignment?.({ assigned, revoked });
      m.wake?.();
    }
  }

  function leave(member: Member): void {
    if (member.closed) return;
    member.closed = true;
    const group = member.group;
    group.members = group.members.filter((m) => m !== member);
    member.owned = [];
    member.wake?.();
    rebalance(group);
  }

  return {
    join(opts: SubscribeOptions<ValueAs>): Member {
      let group = groups.get(opts.groupId);
      if (!group) {
        group = { id: opts.groupId, generation: 0, members: [], committed: new Map() };
        groups.set(opts.groupId, group);
      }
      // Zero-padded so that sorting member ids keeps the order in which they joined.
      const id = `${opts.clientId ?? 'loglab'}-${String(++memberSeq).padStart(6, '0')}`;
      const member: Member = {
        memberId: id,
        group,
        topics: [...new Set(opts.topics)],
        fromBeginning: opts.fromBeginning ?? false,
        valueAs: opts.valueAs ?? 'string',
        owned: [],
        revoked: [],
        rr: 0,
        closed: false,
        wake: null,
        onAssignment: opts.onAssignment,
      };
      group.members.push(member);
      rebalance(group);
      return member;
    },

    leave,

    leaveAll(): void {
      for (const group of groups.values()) {
        for (const m of [...group.members]) leave(m);
      }
    },

    listGroups(): string[] {
      return [...groups.keys()].sort();
    },

    groupLag(groupId: string, onlyTopics?: readonly string[]): GroupLag {
      const group = groups.get(groupId);
      const names = onlyTopics ?? [...(group?.committed.keys() ?? [])].sort();
      const partitions: PartitionLag[] = [];
      let total = 0;
      for (const name of names) {
        const t = topicState(topics, name);
        t.partitions.forEach((log, partition) => {
          const committed = group ? committedOffset(group, name, partition) : null;
          const end = endOffset(log);
          const lag = partitionLag(committed, log.base, end);
          total += lag;
          partitions.push({ topic: name, partition, committed, end, lag });
        });
      }
      return { groupId, partitions, total };
    },

    dropTopic(name: string): void {
      for (const group of groups.values()) {
        group.committed.delete(name);
        // Members reading it lose its partitions, as Kafka's do once the topic is gone.
        const readers = group.members.filter((m) => m.topics.includes(name));
        for (const m of readers) {
          m.topics = m.topics.filter((t) => t !== name);
          const gone = m.owned.filter((o) => o.topic === name);
          m.owned = m.owned.filter((o) => o.topic !== name);
          if (gone.length > 0) {
            m.onAssignment?.({
              assigned: [],
              revoked: gone.map((o) => ({ topic: o.topic, partition: o.partition })),
            });
          }
          m.revoked = m.revoked.filter((r) => r.topic !== name);
        }
        if (readers.length > 0) rebalance(group);
      }
    },

    deleteGroups(groupIds: readonly string[]): DeleteGroupsResult {
      const deleted: string[] = [];
      const notEmpty: string[] = [];
      const missing: string[] = [];
      for (const id of new Set(groupIds)) {
        const group = groups.get(id);
        if (group === undefined) missing.push(id);
        else if (group.members.length > 0) notEmpty.push(id);
        else {
          groups.delete(id);
          deleted.push(id);
        }
      }
      return { deleted, notEmpty, missing };
    },
  };
}
