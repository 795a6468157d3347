/**
 * The architecture's rows: the boxes of each engine say where each stage runs, every link joins
 * two boxes, and a group's partitions are shared by the broker's own assignor.
 */
import { describe, expect, it } from 'vitest';
import {
  groupAssignmentRows,
  groupScaleBoxes,
  PORT_ROWS,
  pipelineBoxes,
  pipelineLinks,
} from '../../src/pipeline/architecture';

describe('pipelineBoxes', () => {
  it('runs everything in one Node process on the embedded engine', () => {
    expect(new Set(pipelineBoxes('embedded').map((b) => b.where))).toEqual(
      new Set(['loglab (one Node process)']),
    );
  });

  it('puts the broker, the lake and the runner on their services on the cluster engine', () => {
    const where = Object.fromEntries(pipelineBoxes('cluster').map((b) => [b.id, b.where]));
    expect(where).toEqual({
      generate: 'loglab (one Node process)',
      broker: 'Kafka broker (JVM)',
      detect: 'loglab (one Node process)',
      deadletter: 'Kafka broker (JVM)',
      archive: 'loglab (one Node process)',
      alerts: 'Kafka broker (JVM)',
      store: 'HDFS: NameNode + DataNode (JVM)',
      runner: 'Hadoop: local runner or YARN containers',
      report: 'loglab (one Node process)',
    });
  });

  it('links only boxes that exist, on both engines', () => {
    const ids = new Set(pipelineBoxes('cluster').map((b) => b.id));
    for (const l of pipelineLinks()) expect([ids.has(l.from), ids.has(l.to)]).toEqual([true, true]);
  });

  it('names the three ports', () => {
    expect(PORT_ROWS.map((p) => p.port)).toEqual(['Broker', 'Store', 'Runner']);
  });
});

describe('groupAssignmentRows', () => {
  it('deals six partitions round robin, an extra consumer idle', () => {
    expect(groupAssignmentRows(6, 4)).toEqual([
      { consumer: 'consumer-1', partitions: '0 4' },
      { consumer: 'consumer-2', partitions: '1 5' },
      { consumer: 'consumer-3', partitions: '2' },
      { consumer: 'consumer-4', partitions: '3' },
    ]);
    expect(groupAssignmentRows(2, 3).map((r) => r.partitions)).toEqual(['0', '1', 'none (idle)']);
  });

  it('links each partition to the one consumer that reads it', () => {
    const { boxes, links } = groupScaleBoxes(4, 2);
    expect(boxes.map((b) => [b.id, b.row])).toEqual([
      ['p0', 0],
      ['p1', 1],
      ['p2', 2],
      ['p3', 3],
      ['consumer-1', 0],
      ['consumer-2', 3],
    ]);
    expect(links).toEqual([
      { from: 'p0', to: 'consumer-1' },
      { from: 'p2', to: 'consumer-1' },
      { from: 'p1', to: 'consumer-2' },
      { from: 'p3', to: 'consumer-2' },
    ]);
  });
});
