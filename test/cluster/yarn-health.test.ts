/**
 * The YARN that `npm run cluster -- up --services kafka,hdfs,yarn` starts: the ResourceManager's
 * REST API says STARTED with one RUNNING NodeManager, the JobHistory server answers, and every
 * port the YARN JVM listens on, the shuffle server's among them, is bound to loopback.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import defaults from '../../scripts/cluster/defaults.json';
import { clusterPids, describeListener, isLoopback, listeners } from './listeners';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { host, webPort, historyWebPort } = defaults.yarn;

async function getJson(url: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(
      `no YARN at ${url} (${(err as Error).message}): start it with \`npm run cluster -- up --services kafka,hdfs,yarn\``,
    );
  }
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** The NodeManager's shuffle port, from the line the YARN JVM logs when it opens it. */
function shufflePort(): number | null {
  const log = join(ROOT, '.cluster', 'yarn', 'yarn.log');
  if (!existsSync(log)) return null;
  const ports = [
    ...readFileSync(log, 'utf8').matchAll(/mapreduce_shuffle listening on port (\d+)/g),
  ];
  return ports.length === 0 ? null : Number(ports[ports.length - 1][1]);
}

describe('the cluster YARN', () => {
  it('has a STARTED ResourceManager of the pinned Hadoop release with one RUNNING NodeManager', async () => {
    const { clusterInfo } = (await getJson(`http://${host}:${webPort}/ws/v1/cluster/info`)) as {
      clusterInfo: { state: string; haState: string; hadoopVersion: string };
    };
    expect({ state: clusterInfo.state, version: clusterInfo.hadoopVersion }).toEqual({
      state: 'STARTED',
      version: defaults.yarn.version,
    });
    const { nodes } = (await getJson(`http://${host}:${webPort}/ws/v1/cluster/nodes`)) as {
      nodes: { node: { state: string; availMemoryMB: number; availableVirtualCores: number }[] };
    };
    expect(nodes.node.map((n) => n.state)).toEqual(['RUNNING']);
  });

  it('has a JobHistory server that answers its REST API', async () => {
    const { historyInfo } = (await getJson(
      `http://${host}:${historyWebPort}/ws/v1/history/info`,
    )) as { historyInfo: { hadoopVersion: string } };
    expect(historyInfo.hadoopVersion).toBe(defaults.yarn.version);
  });

  it('listens on loopback only: its fixed ports, the shuffle server and every other port of its JVM', () => {
    const all = listeners();
    const fixed = [
      defaults.yarn.rmPort,
      defaults.yarn.schedulerPort,
      defaults.yarn.trackerPort,
      defaults.yarn.adminPort,
      defaults.yarn.webPort,
      defaults.yarn.historyPort,
      defaults.yarn.historyAdminPort,
      defaults.yarn.historyWebPort,
    ];
    const onFixed = all.filter((l) => fixed.includes(l.port));
    expect([...new Set(onFixed.map((l) => l.port))].sort((a, b) => a - b)).toEqual(
      [...fixed].sort((a, b) => a - b),
    );
    expect(onFixed.filter((l) => !isLoopback(l.address)).map(describeListener)).toEqual([]);

    // A native YARN: its own JVM's ports (the NodeManager's are picked at start), the shuffle
    // server's among them, which Hadoop would bind to every interface.
    const pid = [...clusterPids()].find(([, service]) => service === 'yarn')?.[0];
    if (pid === undefined || !all.some((l) => l.pid !== null)) return;
    const ours = all.filter((l) => l.pid === pid);
    expect(ours.length).toBeGreaterThan(fixed.length);
    expect(ours.filter((l) => !isLoopback(l.address)).map(describeListener)).toEqual([]);
    const shuffle = shufflePort();
    expect(shuffle).not.toBeNull();
    expect(ours.filter((l) => l.port === shuffle).map((l) => isLoopback(l.address))).toEqual([
      true,
    ]);
  });
});
