/**
 * While records flow, the detection loop commits at most once a commit interval, not after
 * every poll: on real Kafka a commit per poll was one OffsetCommit request per fetch, hundreds
 * a second, a quarter of the broker's CPU, and a round trip the next poll waited for. Reaching
 * the end still commits everything read. The clock is injected; polls are made small (100
 * records) so that 1,000 records take ten polls.
 */
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { parseAuto } from '../../src/log/auto';
import { runDetection } from '../../src/pipeline/run-detection';
import { createStreamDetector } from '../../src/pipeline/stream-detector';
import type { Broker, Consumer, TopicPartitionOffset } from '../../src/stream/broker';
import { createMemoryBroker } from '../../src/stream/memory-broker';

const lines = [...generateLines(defaultOptions({ seed: 3 }))].slice(0, 1000);

/** The broker with polls of at most `size` records and every commit noted in `commits`. */
function smallPolls(broker: Broker, size: number, commits: TopicPartitionOffset[][]): Broker {
  return {
    ...broker,
    async subscribe(opts) {
      const consumer = (await broker.subscribe(opts)) as Consumer<string>;
      return {
        ...consumer,
        poll: (o = {}) => consumer.poll({ ...o, maxRecords: size }),
        async commit(offsets) {
          commits.push([...(offsets ?? [])]);
          return consumer.commit(offsets);
        },
      };
    },
  } as Broker;
}

async function run(commitIntervalMs: number | undefined, stepMs: number) {
  const inner = createMemoryBroker();
  await inner.createTopics([{ name: 'raw', partitions: 1 }]);
  await inner.produce(
    'raw',
    lines.map((value) => ({ key: null, value })),
  );
  const commits: TopicPartitionOffset[][] = [];
  let clock = 0;
  const detector = createStreamDetector({ parse: parseAuto });
  const result = await runDetection(smallPolls(inner, 100, commits), detector, {
    topic: 'raw',
    groupId: 'g',
    toEnd: true,
    commitIntervalMs,
    now: () => clock,
    onPoll() {
      clock += stepMs;
    },
  });
  const lag = await inner.groupLag('g', ['raw']);
  await inner.close();
  return {
    polls: result.polls,
    commits: result.commits,
    offsets: commits.map((c) => c.map((o) => o.offset)),
    lag: lag.total,
  };
}

describe('runDetection commits at most once a commit interval while records flow', () => {
  it('polls 400 ms apart, a 1 s interval: a commit on the 1st, 4th, 7th and 10th poll', async () => {
    expect(await run(1000, 400)).toEqual({
      polls: 10,
      commits: 4,
      offsets: [[100], [400], [700], [1000]],
      lag: 0,
    });
  });

  it('the default is 1 s: polls in the same instant commit once, and the end commits the rest', async () => {
    expect(await run(undefined, 0)).toEqual({
      polls: 10,
      commits: 2,
      offsets: [[100], [1000]],
      lag: 0,
    });
  });

  it('an interval of 0 commits after every poll', async () => {
    expect(await run(0, 0)).toEqual({
      polls: 10,
      commits: 10,
      offsets: [[100], [200], [300], [400], [500], [600], [700], [800], [900], [1000]],
      lag: 0,
    });
  });

  it('tries a refused last commit again, so a rebalance as the run ends leaves nothing to reread', async () => {
    const inner = createMemoryBroker();
    await inner.createTopics([{ name: 'raw', partitions: 1 }]);
    await inner.produce(
      'raw',
      lines.map((value) => ({ key: null, value })),
    );
    const tries: string[] = [];
    let refuse = 0;
    const broker = {
      ...inner,
      async subscribe(opts) {
        const consumer = (await inner.subscribe(opts)) as Consumer<string>;
        return {
          ...consumer,
          poll: (o = {}) => consumer.poll({ ...o, maxRecords: 100 }),
          async commit(offsets) {
            if (refuse > 0) {
              refuse--;
              tries.push('refused');
              return { kind: 'rebalancing', offsets: [...(offsets ?? [])] };
            }
            tries.push('committed');
            return consumer.commit(offsets);
          },
        };
      },
    } as Broker;
    const detector = createStreamDetector({ parse: parseAuto });
    const result = await runDetection(broker, detector, {
      topic: 'raw',
      groupId: 'g',
      toEnd: true,
      // The first poll commits; the rest wait for the end.
      commitIntervalMs: 60_000,
      onPoll() {
        // The group rebalances as the end is reached: the next two commits are refused.
        if (detector.lag() === 0) refuse = 2;
      },
    });
    expect(tries).toEqual(['committed', 'refused', 'refused', 'committed']);
    expect([result.commits, result.refusedCommits]).toEqual([2, 2]);
    expect((await inner.groupLag('g', ['raw'])).total).toBe(0);
    await inner.close();
  });
});
