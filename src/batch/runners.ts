/**
 * The `Runner` adapters for code that loads the library as a whole (notebooks, labs): each
 * adapter module is imported when asked for, as config.createStore imports a lake adapter.
 * Both find files beside them by URL (the embedded runner its worker, the Hadoop runner the task
 * script it bundles), which is why batch/index.ts does not re-export them.
 */
import type { LoglabConfig } from '../config';
import type { OutageEvent } from '../storage/retrying-store';
import type { EmbeddedRunnerOptions } from './embedded-runner';
import type { HadoopRunnerOptions } from './hadoop-runner';
import type { Runner } from './runner';

/** The NameNode's RPC port where `npm run cluster -- up` starts HDFS, beside WebHDFS's 9870. */
export const NAMENODE_RPC_PORT = 8020;

/** Worker threads of this process (batch/embedded-runner.ts). */
export async function embeddedRunner(options: EmbeddedRunnerOptions = {}): Promise<Runner> {
  const { createEmbeddedRunner } = await import('./embedded-runner');
  return createEmbeddedRunner(options);
}

/** Hadoop Streaming on the local job runner against a real HDFS (batch/hadoop-runner.ts). */
export async function hadoopRunner(options: HadoopRunnerOptions): Promise<Runner> {
  const { createHadoopRunner } = await import('./hadoop-runner');
  return createHadoopRunner(options);
}

/** `hdfs://host:8020` of the NameNode whose WebHDFS is at `webHdfsUrl` (LOGLAB_HDFS_URL). */
export function defaultFsOf(webHdfsUrl: string, rpcPort = NAMENODE_RPC_PORT): string {
  return `hdfs://${new URL(webHdfsUrl).hostname}:${rpcPort}`;
}

/** How clusterHadoopRunner runs: the Hadoop runner's options but the cluster's connections. */
export interface ClusterHadoopRunnerOptions
  extends Omit<HadoopRunnerOptions, 'store' | 'defaultFs' | 'user'> {
  /** `hdfs://host:port` of the NameNode; default defaultFsOf(config.hdfs.url). */
  readonly defaultFs?: string;
  /** Each wait for HDFS (an outage of the runner's own store calls) and its end, as it happens. */
  readonly onStoreEvent?: (event: OutageEvent, address: string) => void;
}

/**
 * The Hadoop runner against the cluster `config` names (LOGLAB_HDFS_URL, LOGLAB_HDFS_USER): the
 * wiring a caller would otherwise repeat. Each run opens the WebHDFS store and closes it after,
 * so the runner holds no connection between runs and needs no closing. The runner's own HDFS
 * calls (the input listed, the job's output read back) go through the retrying store the
 * archiver uses, so an HDFS restart is waited out (bounded) rather than ending the run; an HDFS
 * that does not answer when the run starts still ends it at once. The jobs are Hadoop's.
 */
export async function clusterHadoopRunner(
  config: LoglabConfig,
  options: ClusterHadoopRunnerOptions = {},
): Promise<Runner> {
  const [{ createStore }, { createHadoopRunner }, { retryingStore }] = await Promise.all([
    import('../config'),
    import('./hadoop-runner'),
    import('../storage/retrying-store'),
  ]);
  const { onStoreEvent, ...hadoopOptions } = options;
  const defaultFs = options.defaultFs ?? defaultFsOf(config.hdfs.url);
  return {
    engine: options.target === undefined ? 'hadoop' : 'yarn',
    async run(jobs, input, runOptions) {
      const hdfs = await createStore('cluster', config);
      // An HDFS that does not answer at the start is one line at once, not a wait.
      await hdfs.stat('/').catch(async (err: unknown) => {
        await hdfs.close();
        throw err;
      });
      const store = retryingStore(hdfs, {
        onEvent: (event) => onStoreEvent?.(event, hdfs.address),
      });
      try {
        const runner = createHadoopRunner({
          ...hadoopOptions,
          store,
          defaultFs,
          user: config.hdfs.user,
        });
        return await runner.run(jobs, input, runOptions);
      } finally {
        await hdfs.close();
      }
    },
  };
}
