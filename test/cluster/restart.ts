/**
 * Stopping and starting one of the shared services the way a person does, through the cluster
 * script (`npm run cluster -- down|up --services kafka|hdfs`): what the restart tests share.
 * YARN is never named here: it is left running whatever a test does.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLUSTER = join(ROOT, 'scripts', 'cluster.mjs');

export type RestartableService = 'kafka' | 'hdfs';

/** `npm run cluster -- <command> --services <service>`; `up` is idempotent. */
export async function clusterService(
  command: 'up' | 'down',
  service: RestartableService,
): Promise<void> {
  await promisify(execFile)(process.execPath, [CLUSTER, command, '--services', service], {
    cwd: ROOT,
    timeout: 180_000,
  });
}

/**
 * Stops `service`, runs `whileDown` (a check that it is gone, a pause), starts it again and
 * resolves with the seconds it was away. On 2 cores under a load of 20–24 the broker's group
 * coordinator has taken longer to load than the script's warm-up waits (twice in a row), so
 * `up`, which only waits for a service that is running, is asked up to four times.
 */
export async function restartService(
  service: RestartableService,
  whileDown: () => Promise<void> = async () => {},
): Promise<number> {
  const started = Date.now();
  await clusterService('down', service);
  await whileDown();
  for (let attempt = 1; ; attempt++) {
    try {
      await clusterService('up', service);
      break;
    } catch (err) {
      if (attempt === 4) throw err;
    }
  }
  return (Date.now() - started) / 1000;
}
