import { describe, expect, it } from 'vitest';
import { isLoglabError } from '../../src/errors';
import { placeBlocks } from '../../src/storage/hdfs-blocks';

const MB = 1048576;

describe('placeBlocks', () => {
  it('cuts a file into 128 MB blocks, the last one short, each on 3 distinct DataNodes', () => {
    const replicas = placeBlocks(300 * MB, { dataNodes: 4 });
    expect(replicas.map((r) => [r.block, r.replica, r.dataNode, r.bytes / MB])).toEqual([
      [1, 1, 1, 128],
      [1, 2, 2, 128],
      [1, 3, 3, 128],
      [2, 1, 2, 128],
      [2, 2, 3, 128],
      [2, 3, 4, 128],
      [3, 1, 3, 44],
      [3, 2, 4, 44],
      [3, 3, 1, 44],
    ]);
  });

  it('gives an empty file no blocks, and one DataNode with replication 1 all of them', () => {
    expect(placeBlocks(0, { dataNodes: 3 })).toEqual([]);
    const one = placeBlocks(5 * MB, { dataNodes: 1, replication: 1, blockBytes: 2 * MB });
    expect(one.map((r) => [r.block, r.dataNode, r.bytes / MB])).toEqual([
      [1, 1, 2],
      [2, 1, 2],
      [3, 1, 1],
    ]);
  });

  it('refuses more copies than DataNodes, and sizes that are not byte counts', () => {
    for (const [bytes, options, message] of [
      [10, { dataNodes: 2 }, 'replication 3 needs between 1 and 2 (the DataNodes)'],
      [10, { dataNodes: 0 }, '0 DataNodes: there must be at least one'],
      [-1, { dataNodes: 3 }, 'file size -1 is not a number of bytes'],
      [10, { dataNodes: 3, blockBytes: 0 }, 'block size 0 is not a positive number of bytes'],
    ] as const) {
      let caught: unknown;
      try {
        placeBlocks(bytes, options);
      } catch (err) {
        caught = err;
      }
      expect(isLoglabError(caught) && caught.code).toBe('BAD_INPUT');
      expect((caught as Error).message).toBe(message);
    }
  });
});
