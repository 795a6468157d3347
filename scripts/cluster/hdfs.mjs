// HDFS for the cluster engine: a NameNode and one DataNode in one JVM
// (org.apache.hadoop.test.MiniDFSClusterManager from Hadoop's test jars), run from Maven Central
// jars. NameNode RPC on 127.0.0.1:8020, its HTTP server (WebHDFS) on 127.0.0.1:9870; the
// DataNode's ports are free loopback ports that MiniDFSCluster picks, and WebHDFS redirects
// reads and writes to 127.0.0.1:<that port>. Ready when the manager has written its details
// file (after "Cluster is active", and on a restart after safe mode) and WebHDFS answers
// GETFILESTATUS /. The same settings for docker are in docker/compose.yml.

import { fs, path } from 'zx';
import {
  ClusterError,
  DEFAULTS,
  launchDetached,
  rel,
  resolveJars,
  serviceDir,
  stopByPidFile,
  TEMPLATES,
  writeTemplate,
} from './runner.mjs';

export const HADOOP_VERSION = process.env.LOGLAB_HADOOP_VERSION || DEFAULTS.hdfs.version;
const HOST = DEFAULTS.hdfs.host;
const RPC_PORT = DEFAULTS.hdfs.rpcPort;
const HTTP_PORT = DEFAULTS.hdfs.httpPort;
// Measured: 265 MB resident when idle, ~475 MB after writing and reading 256 MB files.
const HEAP = ['-Xms128m', '-Xmx1g'];
// The user the health check names in WebHDFS calls (permissions are off).
const HEALTH_USER = 'loglab';

export const hdfs = {
  name: 'hdfs',
  host: HOST,
  address: `${HOST}:${HTTP_PORT}`,
  composeServices: ['namenode', 'datanode'],
  logs: ['hdfs.log'],
  commandMatch: 'org.apache.hadoop.test.MiniDFSClusterManager',
  ports: [RPC_PORT, HTTP_PORT],
  startTimeoutS: 120,
  resolve: () =>
    resolveJars(hdfs, {
      version: HADOOP_VERSION,
      properties: { 'hadoop.version': HADOOP_VERSION },
      what: `org.apache.hadoop:hadoop-hdfs:${HADOOP_VERSION} and its test jars`,
    }),
  start: startHdfs,
  ready: hdfsReady,
  health: hdfsHealth,
  stop: stopByPidFile,
  cleanPaths: ['data', 'formatted-by', 'details.json'],
};

const dir = () => serviceDir(hdfs);
const detailsFile = () => path.join(dir(), 'details.json');
const formattedBy = () => path.join(dir(), 'formatted-by');

async function startHdfs(lib) {
  const conf = path.join(dir(), 'conf');
  const dataDir = path.join(dir(), 'data');
  await fs.ensureDir(conf);
  await fs.ensureDir(dataDir);
  const values = { host: HOST, rpcPort: String(RPC_PORT), httpPort: String(HTTP_PORT) };
  for (const file of ['core-site.xml', 'hdfs-site.xml']) {
    await writeTemplate(path.join(TEMPLATES, 'hdfs', file), path.join(conf, file), values);
  }
  await fs.copy(
    path.join(TEMPLATES, 'hdfs', 'log4j.properties'),
    path.join(conf, 'log4j.properties'),
  );

  // The details file is the readiness signal: never let one from an earlier run answer.
  await fs.remove(detailsFile());
  // Format on the first start only; a later one keeps the files. Like Kafka's storage, an older
  // release may not read what a newer one wrote.
  const by = (await fs.readFile(formattedBy(), 'utf8').catch(() => '')).trim();
  if (by && by !== HADOOP_VERSION) {
    throw new ClusterError(
      `hdfs: ${rel(dataDir)} was formatted by Hadoop ${by}, not ${HADOOP_VERSION}; run \`npm run cluster -- down --clean\` to start afresh`,
    );
  }
  const format = by === '' ? ['-format'] : [];
  if (format.length > 0) await fs.emptyDir(dataDir);

  return launchDetached(hdfs, 'java', [
    ...HEAP,
    '-Djava.awt.headless=true',
    `-Dhadoop.log.dir=${dir()}`,
    // The conf folder first: its log4j.properties, core-site.xml and hdfs-site.xml win.
    '-cp',
    `${conf}${path.delimiter}${path.join(lib, '*')}`,
    'org.apache.hadoop.test.MiniDFSClusterManager',
    ...format,
    '-nnport',
    String(RPC_PORT),
    '-httpport',
    String(HTTP_PORT),
    '-datanodes',
    '1',
    // Without it MiniDFSCluster looks for JUnit (a test-data folder helper) and dies.
    '-D',
    `hdfs.minidfs.basedir=${dataDir}`,
    '-D',
    'dfs.permissions.enabled=false',
    '-D',
    'dfs.namenode.safemode.extension=0',
    // A close that comes before the DataNode reported the file's last block is refused, and the
    // writing client (the DataNode itself for a WebHDFS write) asks again after a delay that
    // starts at 400 ms and doubles: 0.4 s on many of the archiver's rolls on one DataNode, whose
    // report takes milliseconds. Start at 20 ms instead, with more retries so that a close may
    // still wait about 20 s in all before it fails (Hadoop's default: 12.4 s).
    '-D',
    'dfs.client.block.write.locateFollowingBlock.initial.delay.ms=20',
    '-D',
    'dfs.client.block.write.locateFollowingBlock.retries=10',
    '-writeDetails',
    detailsFile(),
  ]);
}

/** Native readiness: the manager's details file, then a real WebHDFS answer. */
async function hdfsReady() {
  if (!(await fs.pathExists(detailsFile()))) {
    return { ok: false, detail: 'the NameNode has not written its details file yet' };
  }
  const h = await hdfsHealth();
  if (h.ok && !(await fs.pathExists(formattedBy()))) {
    await fs.writeFile(formattedBy(), `${HADOOP_VERSION}\n`);
  }
  return h;
}

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * WebHDFS GETFILESTATUS / must say the root is a directory, and the NameNode's JMX must show a
 * live DataNode out of safe mode: a NameNode alone answers the first but cannot store a byte.
 */
async function hdfsHealth() {
  const base = `http://${HOST}:${HTTP_PORT}`;
  try {
    const root = await getJson(`${base}/webhdfs/v1/?op=GETFILESTATUS&user.name=${HEALTH_USER}`);
    if (root.FileStatus?.type !== 'DIRECTORY') {
      return { ok: false, detail: `GETFILESTATUS / gave ${JSON.stringify(root).slice(0, 120)}` };
    }
    const jmx = await getJson(`${base}/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState`);
    const state = jmx.beans?.[0] ?? {};
    const live = state.NumLiveDataNodes ?? 0;
    if (live < 1) return { ok: false, detail: 'WebHDFS answers, no live DataNode yet' };
    if (state.FSState !== 'Operational') {
      return {
        ok: false,
        detail: `WebHDFS answers, NameNode in ${state.FSState ?? 'an unknown state'}`,
      };
    }
    return {
      ok: true,
      detail:
        `WebHDFS answers, RPC hdfs://${HOST}:${RPC_PORT}, ${live} live DataNode(s), ${state.CapacityRemaining === undefined ? '' : `${Math.round(state.CapacityRemaining / 2 ** 30)} GiB free`}`.replace(
          /, $/,
          '',
        ),
    };
  } catch (err) {
    const cause = err?.cause?.code ?? (err instanceof Error ? err.message : String(err));
    return { ok: false, detail: `WebHDFS does not answer (${cause})` };
  }
}
