/**
 * How HDFS stores one file, as a teaching model for the notebook's drawing: the NameNode keeps
 * the names and, per file, its list of blocks; each block (128 MB by default, `dfs.blocksize`)
 * is a separate file on `replication` DataNodes (3 by default, `dfs.replication`).
 *
 * What we decided: replicas go round-robin, block b's r-th replica on DataNode (b + r) mod n,
 * so no DataNode holds two copies of one block and the load spreads evenly. Real HDFS places
 * the first replica on the writer's own DataNode and the other two on another rack, then
 * rebalances; the model keeps only what the drawing needs: distinct nodes per block.
 */
import { badInput } from '../errors';

export const HDFS_BLOCK_BYTES = 128 * 1024 * 1024;
export const HDFS_REPLICATION = 3;

export interface BlockPlacementOptions {
  readonly blockBytes?: number;
  readonly replication?: number;
  readonly dataNodes: number;
}

/** One copy of one block on one DataNode (all numbered from 1). */
export interface BlockReplica {
  readonly block: number;
  readonly replica: number;
  readonly dataNode: number;
  readonly bytes: number;
}

export function placeBlocks(fileBytes: number, options: BlockPlacementOptions): BlockReplica[] {
  const blockBytes = options.blockBytes ?? HDFS_BLOCK_BYTES;
  const replication = options.replication ?? HDFS_REPLICATION;
  const { dataNodes } = options;
  if (!Number.isSafeInteger(fileBytes) || fileBytes < 0) {
    throw badInput(`file size ${fileBytes} is not a number of bytes`);
  }
  if (!Number.isSafeInteger(blockBytes) || blockBytes < 1) {
    throw badInput(`block size ${blockBytes} is not a positive number of bytes`);
  }
  if (!Number.isSafeInteger(dataNodes) || dataNodes < 1) {
    throw badInput(`${dataNodes} DataNodes: there must be at least one`);
  }
  if (!Number.isSafeInteger(replication) || replication < 1 || replication > dataNodes) {
    throw badInput(`replication ${replication} needs between 1 and ${dataNodes} (the DataNodes)`);
  }
  const out: BlockReplica[] = [];
  const blocks = Math.ceil(fileBytes / blockBytes);
  for (let b = 0; b < blocks; b++) {
    const bytes = Math.min(blockBytes, fileBytes - b * blockBytes);
    for (let r = 0; r < replication; r++) {
      out.push({ block: b + 1, replica: r + 1, dataNode: ((b + r) % dataNodes) + 1, bytes });
    }
  }
  return out;
}
