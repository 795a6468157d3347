/**
 * The `Runner` adapters for code that loads the library as a whole (notebooks, labs): each
 * adapter module is imported when asked for, as config.createStore imports a lake adapter.
 * Both find files beside them by URL (the embedded runner its worker, the Hadoop runner the task
 * script it bundles), which is why batch/index.ts does not re-export them.
 */
import type { LoglabConfig } from '../config';
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
}

/**
 * The Hadoop runner against the cluster `config` names (LOGLAB_HDFS_URL, LOGLAB_HDFS_USER): the
 * wiring a caller would otherwise repeat. Each run opens the WebHDFS store and closes it after,
 * so the runner holds no connection between runs and needs no closing.
 */
export async function clusterHadoopRunner(
  config: LoglabConfig,
  options: ClusterHadoopRunnerOptions = {},
): Promise<Runner> {
  const [{ createStore }, { createHadoopRunner }] = await Promise.all([
    import('../config'),
    import('./hadoop-runner'),
  ]);
  const defaultFs = options.defaultFs ?? defaultFsOf(config.hdfs.url);
  return {
    engine: options.target === undefined ? 'hadoop' : 'yarn',
    async run(jobs, input, runOptions) {
      const store = await createStore('cluster', config);
      try {
        const runner = createHadoopRunner({ ...options, store, defaultFs, user: config.hdfs.user });
        return await runner.run(jobs, input, runOptions);
      } finally {
        await store.close();
      }
    },
  };
}
