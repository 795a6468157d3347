import { describe, expect, it } from 'vitest';
import {
  commitOffsets,
  platformaticConsumeRow,
  platformaticProduceRow,
} from '../../src/bench/stream-platformatic';

describe('commitOffsets', () => {
  it('commits the offset after the last handled one, for the partitions handled only', () => {
    const last: (bigint | undefined)[] = [];
    last[0] = 41n;
    last[3] = 0n;
    last[5] = 9_999n;
    expect(commitOffsets('t', last)).toEqual([
      { topic: 't', partition: 0, offset: 42n, leaderEpoch: -1 },
      { topic: 't', partition: 3, offset: 1n, leaderEpoch: -1 },
      { topic: 't', partition: 5, offset: 10_000n, leaderEpoch: -1 },
    ]);
  });

  it('commits nothing before any message was handled', () => {
    expect(commitOffsets('t', [])).toEqual([]);
  });
});

describe('platformatic row names', () => {
  it('names rows by peer, side and codec, as the kcat rows are named', () => {
    expect(platformaticProduceRow('gzip')).toBe('platformatic produce, gzip');
    expect(platformaticConsumeRow('none')).toBe('platformatic consume, none');
  });
});
