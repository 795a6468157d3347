/**
 * The pipeline's architecture as plain rows, for notebook 00 and anyone explaining the system:
 * its stages as boxes with where each one runs on an engine, the ports (Broker, Store, Runner)
 * with the adapter that fills each on each engine, and what to add to scale out. The shape
 * itself is drawn once, in index.ts; these rows say the same in a form viz.boxDiagram draws.
 *
 * Names here are the real ones (factory functions, topics, groups, ports of `npm run cluster`),
 * so a reader can go from a box to the file behind it.
 */
import { assignPartitions } from '../stream/assignors';
import { ALERTS_TOPIC, DEADLETTER_TOPIC, RAW_TOPIC } from '../stream/topics';

export type ArchitectureEngine = 'embedded' | 'cluster';

/** A stage of the pipeline as a box of a diagram (viz.DiagramBox). */
export interface StageBox {
  readonly id: string;
  readonly column: number;
  readonly row: number;
  readonly title: string;
  readonly lines: readonly string[];
  readonly where: string;
}

export interface StageLink {
  readonly from: string;
  readonly to: string;
}

const NODE = 'loglab (one Node process)';

/** The stages and where each runs on `engine`. */
export function pipelineBoxes(engine: ArchitectureEngine): StageBox[] {
  const cluster = engine === 'cluster';
  const box = (
    id: string,
    column: number,
    row: number,
    title: string,
    lines: string[],
    where = NODE,
  ): StageBox => ({ id, column, row, title, lines, where });
  return [
    box('generate', 0, 1, 'generate', [
      'traffic model',
      'incidents + ground truth',
      'line producer',
    ]),
    box(
      'broker',
      1,
      1,
      `Broker: ${RAW_TOPIC}`,
      cluster
        ? ['Kafka 4.4, KRaft', '127.0.0.1:9092', 'key = client IP']
        : ['in-process log', 'offsets, groups', 'key = client IP'],
      cluster ? 'Kafka broker (JVM)' : NODE,
    ),
    box('detect', 2, 0, 'detection', [
      'group realtime',
      'parse, event-time windows',
      'detectors → alerts',
    ]),
    box(
      'deadletter',
      2,
      1,
      DEADLETTER_TOPIC,
      ['unparseable lines', 'with their reason'],
      cluster ? 'Kafka broker (JVM)' : NODE,
    ),
    box('archive', 2, 2, 'archiver', [
      'group archiver',
      'files per event hour',
      '_tmp → rename → commit',
    ]),
    box(
      'alerts',
      3,
      0,
      ALERTS_TOPIC,
      ['dashboard (terminal)', 'live web page (SSE)'],
      cluster ? 'Kafka broker (JVM)' : NODE,
    ),
    box(
      'store',
      3,
      2,
      'Store: the lake',
      cluster
        ? ['HDFS via WebHDFS :9870', 'NameNode :8020', 'DataNodes hold blocks']
        : ['a local directory', 'raw/date=…/hour=…', 'same layout as HDFS'],
      cluster ? 'HDFS: NameNode + DataNode (JVM)' : NODE,
    ),
    box(
      'runner',
      4,
      2,
      'Runner: MapReduce',
      cluster
        ? ['Hadoop Streaming', 'local runner or YARN', 'node task.mjs per task']
        : ['worker_threads', 'map → shuffle → reduce', 'spills past a bound'],
      cluster ? 'Hadoop: local runner or YARN containers' : NODE,
    ),
    box('report', 4, 1, 'report', ['run.json, HTML page', 'PNGs for slides']),
  ];
}

export function pipelineLinks(): StageLink[] {
  return [
    { from: 'generate', to: 'broker' },
    { from: 'broker', to: 'detect' },
    { from: 'broker', to: 'archive' },
    { from: 'detect', to: 'deadletter' },
    { from: 'detect', to: 'alerts' },
    { from: 'archive', to: 'store' },
    { from: 'store', to: 'runner' },
    { from: 'runner', to: 'report' },
    { from: 'alerts', to: 'report' },
  ];
}

/** A port, its contract in a phrase, and the adapter that fills it on each engine. */
export interface PortRow {
  readonly port: string;
  readonly file: string;
  readonly does: string;
  readonly embedded: string;
  readonly cluster: string;
}

export const PORT_ROWS: readonly PortRow[] = [
  {
    port: 'Broker',
    file: 'src/stream/broker.ts',
    does: 'produce, consume in groups, commit offsets, admin',
    embedded: 'createMemoryBroker (stream/memory-broker.ts)',
    cluster: 'createKafkaBroker (stream/kafka-broker.ts, kafkajs)',
  },
  {
    port: 'Store',
    file: 'src/storage/store.ts',
    does: 'write, rename, list, read files of the lake',
    embedded: 'createLocalStore (storage/local-store.ts)',
    cluster: 'createWebHdfsStore (storage/webhdfs-store.ts, WebHDFS)',
  },
  {
    port: 'Runner',
    file: 'src/batch/runner.ts',
    does: 'run MapReduce jobs over stored files',
    embedded: 'createEmbeddedRunner (batch/embedded-runner.ts, worker_threads)',
    cluster: 'createHadoopRunner (batch/hadoop-runner.ts, Hadoop Streaming: local or YARN)',
  },
];

/** What to add to scale a part out, and where that is set. */
export interface ScaleOutRow {
  readonly part: string;
  readonly add: string;
  readonly why: string;
  readonly where: string;
}

export const SCALE_OUT_ROWS: readonly ScaleOutRow[] = [
  {
    part: 'Kafka',
    add: 'partitions, then consumers in the group',
    why: 'a partition is read by one member of a group: members beyond the partitions idle',
    where:
      'topic partitions (loglab topics create --partitions); more loglab processes, same group',
  },
  {
    part: 'Kafka',
    add: 'brokers',
    why: 'partitions and their replicas spread over them',
    where: 'LOGLAB_KAFKA_BROKERS lists them',
  },
  {
    part: 'HDFS',
    add: 'DataNodes',
    why: 'blocks and their replicas spread over them; reads and writes go to DataNodes directly',
    where: 'the cluster; loglab only knows the NameNode (LOGLAB_HDFS_URL)',
  },
  {
    part: 'MapReduce',
    add: 'YARN NodeManagers',
    why: 'one map task per split, reduce tasks per --reducers, run in their containers',
    where: '--engine yarn with LOGLAB_YARN_RM or HADOOP_CONF_DIR',
  },
  {
    part: 'MapReduce (one machine)',
    add: 'worker threads',
    why: 'splits by byte range on line boundaries, one thread each',
    where: 'loglab mapreduce run --workers N',
  },
];

/** Which partitions each member of a group reads: the group's real assignor (round robin). */
export function groupAssignmentRows(
  partitions: number,
  consumers: number,
  topic = RAW_TOPIC,
): { consumer: string; partitions: string }[] {
  const members = Array.from({ length: consumers }, (_, i) => ({
    memberId: `consumer-${i + 1}`,
    topics: [topic],
  }));
  const assignment = assignPartitions('round-robin', members, new Map([[topic, partitions]]));
  return [...assignment].map(([consumer, own]) => ({
    consumer,
    partitions: own.length === 0 ? 'none (idle)' : own.map((p) => p.partition).join(' '),
  }));
}

/** A topic's partitions and a group's consumers as boxes, each partition linked to its reader. */
export function groupScaleBoxes(
  partitions: number,
  consumers: number,
  topic = RAW_TOPIC,
): { boxes: StageBox[]; links: StageLink[] } {
  const rows = groupAssignmentRows(partitions, consumers, topic);
  const boxes: StageBox[] = [];
  const links: StageLink[] = [];
  for (let p = 0; p < partitions; p++) {
    boxes.push({
      id: `p${p}`,
      column: 0,
      row: p,
      title: `partition ${p}`,
      lines: [topic],
      where: 'Kafka broker(s)',
    });
  }
  rows.forEach((r, i) => {
    // Each consumer beside the middle of its partitions.
    boxes.push({
      id: r.consumer,
      column: 2,
      row: Math.round((i * (partitions - 1)) / Math.max(1, consumers - 1)),
      title: r.consumer,
      lines: [`reads ${r.partitions}`],
      where: 'loglab processes, one group',
    });
    if (r.partitions !== 'none (idle)') {
      for (const p of r.partitions.split(' ')) links.push({ from: `p${p}`, to: r.consumer });
    }
  });
  return { boxes, links };
}
