/**
 * The last commit made between a revoke and the assignment after it. The librdkafka member
 * answers such a commit at once: nothing sent, every partition listed as revoked. Taken as
 * committed, `commitLast` stopped there and the partitions the group gave back missed their
 * final offsets; a partition the handlers still report is not lost, so the commit counts as
 * refused and is tried again once the member has its partitions back.
 */
import { describe, expect, it } from 'vitest';
import type { CommitResult, Consumer, TopicPartitionOffset } from '../../src/stream/broker';
import { createCommitter } from '../../src/stream/committer';

const T = 'raw';

/** A stand-in member: the first commit comes between a revoke and the assignment after it. */
function revokedOnce(revoked: readonly number[]) {
  const sent: TopicPartitionOffset[][] = [];
  const consumer = {
    async commit(offsets: readonly TopicPartitionOffset[] = []): Promise<CommitResult> {
      sent.push([...offsets]);
      if (sent.length === 1) {
        return {
          kind: 'committed',
          offsets: [],
          revoked: revoked.map((partition) => ({ topic: T, partition })),
        };
      }
      return { kind: 'committed', offsets: [...offsets], revoked: [] };
    },
  } as unknown as Consumer<unknown>;
  return { consumer, sent };
}

describe('the last commit between a revoke and the next assignment', () => {
  it('is tried again while the handlers still report a partition listed as revoked', async () => {
    const done = [
      { topic: T, partition: 0, offset: 10 },
      { topic: T, partition: 1, offset: 20 },
    ];
    const committer = createCommitter({ done: () => done });
    const { consumer, sent } = revokedOnce([0, 1]);
    const kinds: string[] = [];
    const last = await committer.commitLast(consumer, (r) => kinds.push(r.kind));
    expect(sent).toEqual([done, done]);
    expect(kinds).toEqual(['rebalancing', 'committed']);
    expect(last).toEqual({ kind: 'committed', offsets: done, revoked: [] });
  });

  it('is done when the handlers have let go of the partitions listed as revoked', async () => {
    // Partition 1 went to another member: the handlers let it go, and nothing is retried.
    let done = [
      { topic: T, partition: 0, offset: 10 },
      { topic: T, partition: 1, offset: 20 },
    ];
    const committer = createCommitter({ done: () => done });
    const { consumer, sent } = revokedOnce([1]);
    const original = consumer.commit.bind(consumer);
    consumer.commit = async (offsets) => {
      const result = await original(offsets);
      done = done.filter((o) => o.partition !== 1);
      return result;
    };
    const kinds: string[] = [];
    const last = await committer.commitLast(consumer, (r) => kinds.push(r.kind));
    expect(sent).toHaveLength(1);
    expect(kinds).toEqual(['committed']);
    expect(last).toEqual({ kind: 'committed', offsets: [], revoked: [{ topic: T, partition: 1 }] });
  });
});
