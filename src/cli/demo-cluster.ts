/**
 * The services `loglab demo --cluster` needs, started when they are not up: Kafka and HDFS by
 * `npm run cluster -- up` (scripts/cluster.mjs, its default services), and the Hadoop jars of
 * the local job runner by `npm run cluster -- jars --services yarn`. Each start is said on
 * stderr before it happens, since it takes a minute or more; services already up are left as
 * they are; with --no-start nothing is started, and what is missing is one line and exit 2. The
 * probes and the starter are injected so tests can drive both paths.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LoglabError } from '../errors';

export interface ClusterProbes {
  /** True when a Kafka broker answers. */
  kafka(): Promise<boolean>;
  /** Why WebHDFS cannot be used, or null when it answers. */
  hdfs(): Promise<string | null>;
  /** True when the Hadoop jars of the local runner are there. */
  hadoopJars(): boolean;
}

/** Runs `scripts/cluster.mjs` with these arguments; resolves with its exit code. */
export type ClusterScript = (args: readonly string[]) => Promise<number>;

const SCRIPT = fileURLToPath(new URL('../../scripts/cluster.mjs', import.meta.url));

/** The cluster script as a child process, its output on our stderr. */
export const runClusterScript: ClusterScript = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });

export function hadoopJarsPresent(lib: string): boolean {
  return existsSync(lib);
}

/**
 * Makes sure Kafka, HDFS and the Hadoop jars are there; `say` gets one line per thing found
 * or started. A start that fails is one SERVICE_DOWN error. With `mayStart` false (--no-start:
 * a cluster shared with others, where a second start once made a second broker) nothing is
 * started or fetched: what is missing is one SERVICE_DOWN error instead.
 */
export async function ensureCluster(
  probes: ClusterProbes,
  say: (line: string) => void,
  script: ClusterScript = runClusterScript,
  mayStart = true,
): Promise<void> {
  const [kafka, hdfs] = await Promise.all([probes.kafka(), probes.hdfs()]);
  if (kafka && hdfs === null) {
    say('Kafka and HDFS are up: using them');
  } else {
    const down = [kafka ? null : 'Kafka', hdfs === null ? null : `HDFS (${hdfs})`].filter(
      (x) => x !== null,
    );
    if (!mayStart) {
      throw new LoglabError(
        'SERVICE_DOWN',
        `${down.join(' and ')} not up, and --no-start leaves them as they are: start them with npm run cluster -- up, or run without --no-start`,
      );
    }
    say(`${down.join(' and ')} not up: starting Kafka and HDFS with npm run cluster -- up`);
    if ((await script(['up'])) !== 0) {
      throw new LoglabError(
        'SERVICE_DOWN',
        'npm run cluster -- up failed (its output is above); start the services and run again',
      );
    }
  }
  if (!probes.hadoopJars()) {
    if (!mayStart) {
      throw new LoglabError(
        'SERVICE_DOWN',
        'the Hadoop jars are missing, and --no-start fetches nothing: fetch them with npm run cluster -- jars --services yarn, or run without --no-start',
      );
    }
    say('the Hadoop jars are missing: fetching them with npm run cluster -- jars --services yarn');
    if ((await script(['jars', '--services', 'yarn'])) !== 0) {
      throw new LoglabError(
        'SERVICE_DOWN',
        'npm run cluster -- jars --services yarn failed (its output is above)',
      );
    }
  }
}
