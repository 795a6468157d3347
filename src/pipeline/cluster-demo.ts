/**
 * The demo's run (demo-run.ts) on the cluster engine, for notebooks: the ports `loglab demo
 * --cluster` picks (Kafka, a lake of its own on HDFS, Hadoop Streaming on the local job runner),
 * on a shared cluster. Unlike the command it uses names of this run's own, a topic
 * `weblogs.demo.<suffix>`, its two groups and the HDFS lake `/tmp/loglab-demo-<suffix>`, and
 * deletes all of them after the run: the run record and the page hold everything a notebook
 * reads afterwards. The services must be up (`npm run cluster -- up`); this starts nothing.
 *
 * Imported when called, as embedded-demo.ts does, so it can stay in pipeline/index.ts.
 */

import { outageLine } from './archiver-outage';
import type { DemoRun } from './demo-run';

export interface ClusterDemoOptions {
  readonly lines: number;
  readonly seed: number;
  /** Where run.json and report.html go (a local directory). */
  readonly outDir: string;
  /** Rows in each top list (10). */
  readonly top?: number;
  /**
   * Partitions of the run's topic (2). Hadoop's local runner starts a map task per lake file,
   * a file per partition and event hour, at about 2 s a task: 6 partitions of a day are ~120
   * tasks and four minutes, 2 are a third of it.
   */
  readonly partitions?: number;
  /** Makes the topic, groups and lake this run's own (default: the time it started). */
  readonly suffix?: string;
}

export interface ClusterDemoRun extends DemoRun {
  readonly topic: string;
  /** The HDFS directory the lake was in, deleted after the run. */
  readonly lakeRoot: string;
}

/** Every stage of the pipeline over a generated day on Kafka, HDFS and Hadoop; then cleaned up. */
export async function runClusterDemo(options: ClusterDemoOptions): Promise<ClusterDemoRun> {
  const [config, { clusterHadoopRunner }, demoRun, { createPrefixedStore }, { removeScratch }] =
    await Promise.all([
      import('../config'),
      import('../batch/runners'),
      import('./demo-run'),
      import('../storage/prefixed-store'),
      import('../stream/scratch'),
    ]);
  const suffix = options.suffix ?? String(Date.now());
  const topic = `${demoRun.DEMO_TOPIC}.${suffix}`;
  const lakeRoot = `/tmp/loglab-demo-${suffix}`;
  const settings = config.loadConfig();
  const broker = config.createBroker('cluster', settings);
  const hdfs = await config.createStore('cluster', settings);
  try {
    const run = await demoRun.runDemo({
      lines: options.lines,
      seed: options.seed,
      top: options.top,
      outDir: options.outDir,
      topic,
      partitions: options.partitions ?? 2,
      broker,
      store: createPrefixedStore(hdfs, lakeRoot),
      // Two map tasks at once, as the command runs them: the lake holds a file per partition and hour.
      runner: await clusterHadoopRunner(settings, {
        parallelism: 2,
        // The runner's HDFS calls wait out a restart, said as the demo's other outage lines.
        onStoreEvent: (event, address) =>
          process.stderr.write(`loglab demo: ${outageLine(address, event)}\n`),
      }),
      batchInput: `${lakeRoot}/loglab/raw`,
    });
    return { ...run, topic, lakeRoot };
  } finally {
    await removeScratch(broker, {
      topics: [topic],
      groups: [`${demoRun.DEMO_GROUP}.${topic}`, `${demoRun.DEMO_ARCHIVE_GROUP}.${topic}`],
    }).catch(() => undefined);
    await hdfs.delete(lakeRoot, { recursive: true, missingOk: true }).catch(() => undefined);
    await broker.close();
    await hdfs.close();
  }
}
