/**
 * The HDFS that `npm run cluster -- up` starts (or the one LOGLAB_HDFS_URL names): WebHDFS
 * answers, a file goes through the NameNode's redirect to the DataNode and back, and every port
 * the cluster listens on is bound to loopback.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import defaults from '../../scripts/cluster/defaults.json';
import { loadConfig } from '../../src/config';
import { clusterPids, isLoopback, type Listener, listeners } from './listeners';

const { url, user } = loadConfig().hdfs;
const webhdfs = (path: string, op: string, extra = '') =>
  `${url}/webhdfs/v1${path}?op=${op}&user.name=${user}${extra}`;

async function json(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
  }
}

async function answer(input: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new Error(
      `no WebHDFS at ${url} (${(err as Error).message}): start it with \`npm run cluster -- up\``,
    );
  }
}

/**
 * PUT through node:http. The DataNode answers a CREATE with an unasked-for `100 Continue`
 * before its 201, which fetch (undici) rejects as "bad response"; node:http skips it.
 */
function put(location: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(location, { method: 'PUT', timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the cluster HDFS', () => {
  it('answers GETFILESTATUS / with the root directory', async () => {
    const res = await answer(webhdfs('/', 'GETFILESTATUS'));
    expect(res.status).toBe(200);
    const { FileStatus } = (await json(res)) as { FileStatus: Record<string, unknown> };
    expect({ type: FileStatus.type, pathSuffix: FileStatus.pathSuffix }).toEqual({
      type: 'DIRECTORY',
      pathSuffix: '',
    });
  });

  it('stores a file through the DataNode the NameNode redirects to, and reads it back', async () => {
    const path = `/tmp/loglab-health-${Date.now()}.log`;
    const body = '203.0.113.7 - - [14/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 512\n';
    try {
      // CREATE answers 307 with the DataNode's address; the data goes there.
      const create = await answer(webhdfs(path, 'CREATE', '&overwrite=false'), {
        method: 'PUT',
        redirect: 'manual',
      });
      expect(create.status).toBe(307);
      const location = new URL(create.headers.get('location') ?? '');
      if (new URL(url).hostname === '127.0.0.1') expect(location.hostname).toBe('127.0.0.1');
      expect(await put(location.href, body)).toBe(201);

      const status = (await json(await answer(webhdfs(path, 'GETFILESTATUS')))) as {
        FileStatus: { type: string; length: number; replication: number; owner: string };
      };
      expect(status.FileStatus).toMatchObject({
        type: 'FILE',
        length: Buffer.byteLength(body),
        replication: 1,
        owner: user,
      });
      const read = await answer(webhdfs(path, 'OPEN'));
      expect([read.status, await read.text()]).toEqual([200, body]);
    } finally {
      const del = await answer(webhdfs(path, 'DELETE'), { method: 'DELETE' });
      expect(await json(del)).toEqual({ boolean: true });
    }
  });

  it('listens on loopback only: the known ports and every port of its processes', () => {
    const all = listeners();
    const known = [
      defaults.kafka.port,
      defaults.kafka.controllerPort,
      defaults.hdfs.rpcPort,
      defaults.hdfs.httpPort,
    ];
    const open = (l: Listener) => `${l.address}:${l.port}${l.pid ? ` (pid ${l.pid})` : ''}`;
    const onKnownPorts = all.filter((l) => known.includes(l.port));
    // The HDFS ports at least are open (Kafka's too when it runs), and only on loopback.
    expect(onKnownPorts.map((l) => l.port)).toEqual(
      expect.arrayContaining([defaults.hdfs.rpcPort, defaults.hdfs.httpPort]),
    );
    expect(onKnownPorts.filter((l) => !isLoopback(l.address)).map(open)).toEqual([]);

    // A native cluster's processes (the DataNode's ports are picked at start) bind nothing else.
    const pids = clusterPids();
    const ours = all.filter((l) => l.pid !== null && pids.has(l.pid));
    if (pids.size > 0 && all.some((l) => l.pid !== null)) {
      expect(ours.length).toBeGreaterThanOrEqual(2);
    }
    expect(ours.filter((l) => !isLoopback(l.address)).map(open)).toEqual([]);
  });

  it('tells loopback addresses from others as ss prints them', () => {
    expect(
      ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0', '*', '[::]', '10.0.0.5'].map(
        isLoopback,
      ),
    ).toEqual([true, true, true, false, false, false, false]);
  });
});
