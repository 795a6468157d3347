// YARN with MapReduce for the cluster engine: a ResourceManager, one NodeManager and a JobHistory
// server in one JVM (org.apache.hadoop.mapreduce.MiniHadoopClusterManager -nodfs, from the
// hadoop-minicluster jars on Maven Central), running jobs against the HDFS the hdfs service
// runs (hdfs://127.0.0.1:8020). Not started by default: it is the heaviest service (~400 MB
// idle, ~1.5 GB across the task JVMs of a running job) and only `--engine yarn` needs it;
// `npm run cluster -- up --services kafka,hdfs,yarn` starts it.
//
// Every port is bound to 127.0.0.1: the ResourceManager (8032, 8030, 8031, 8033, web 8088), the
// JobHistory server (10020, 10033, web 19888) and the NodeManager's free ports through the
// settings in yarn/yarn-site.xml and yarn/mapred-site.xml; the shuffle server and each job's
// ApplicationMaster, which Hadoop gives no bind setting, through yarn/LoopbackSelectorProvider
// .java, compiled here with javac and installed in this JVM and every container JVM.
// Ready when the manager has written its details file and the ResourceManager's REST API says
// STARTED with a RUNNING NodeManager, and the JobHistory server answers.
// The same settings for docker are in docker/compose.yml.

import { createHash } from 'node:crypto';
import { $, fs, path, which } from 'zx';
import { HADOOP_VERSION, hdfs } from './hdfs.mjs';
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

const D = DEFAULTS.yarn;
const HOST = D.host;
// The ApplicationMaster and tasks run on the NodeManager's own heap budget, not this one.
// Measured: ~410 MB resident when idle.
const HEAP = ['-Xms128m', '-Xmx1g'];
const PROVIDER = 'sun.nio.ch.LoopbackSelectorProvider';

export const yarn = {
  name: 'yarn',
  host: HOST,
  // What status shows: the ResourceManager's web and REST address.
  address: `${HOST}:${D.webPort}`,
  composeServices: ['resourcemanager', 'nodemanager', 'historyserver'],
  logs: ['yarn.log'],
  commandMatch: 'org.apache.hadoop.mapreduce.MiniHadoopClusterManager',
  ports: [
    D.rmPort,
    D.schedulerPort,
    D.trackerPort,
    D.adminPort,
    D.webPort,
    D.historyPort,
    D.historyAdminPort,
    D.historyWebPort,
  ],
  // Left out of the default service list unless this script started it (see services.mjs).
  optional: true,
  startTimeoutS: 180,
  resolve: () =>
    resolveJars(yarn, {
      version: HADOOP_VERSION,
      properties: { 'hadoop.version': HADOOP_VERSION, 'streaming.version': D.streamingVersion },
      what: `org.apache.hadoop:hadoop-minicluster:${HADOOP_VERSION} and hadoop-streaming:${D.streamingVersion}`,
    }),
  start: startYarn,
  ready: yarnReady,
  health: yarnHealth,
  stop: stopByPidFile,
  cleanPaths: ['run', 'details.json'],
};

const dir = () => serviceDir(yarn);
const detailsFile = () => path.join(dir(), 'details.json');

/** The JVM options that make a JVM bind loopback where it was asked for every interface. */
export function loopbackJvmOptions(classes) {
  return [
    `--patch-module=java.base=${classes}`,
    `-Djava.nio.channels.spi.SelectorProvider=${PROVIDER}`,
  ];
}

/**
 * Compiles LoopbackSelectorProvider.java into .cluster/yarn/loopback/classes, again only when
 * the source (with the platform's provider filled in) changed.
 */
async function compileLoopback() {
  if (!(await which('javac', { nothrow: true }))) {
    throw new ClusterError(
      'yarn: javac not found: YARN needs a Java 17 JDK to bind its every port to loopback (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless)',
    );
  }
  const base = path.join(dir(), 'loopback');
  const source = path.join(base, 'src', 'sun', 'nio', 'ch', 'LoopbackSelectorProvider.java');
  const classes = path.join(base, 'classes');
  await fs.ensureDir(path.dirname(source));
  await writeTemplate(path.join(TEMPLATES, 'yarn', 'LoopbackSelectorProvider.java'), source, {
    platformProvider:
      process.platform === 'darwin' ? 'KQueueSelectorProvider' : 'EPollSelectorProvider',
  });
  const hash = createHash('sha256')
    .update(await fs.readFile(source))
    .digest('hex');
  const stamp = path.join(base, '.compiled');
  if ((await fs.readFile(stamp, 'utf8').catch(() => '')).trim() === hash) return classes;
  await fs.emptyDir(classes);
  const res =
    await $`javac -nowarn -XDsuppressNotes --patch-module java.base=${path.join(base, 'src')} -d ${classes} ${source}`.nothrow();
  if (res.exitCode !== 0) {
    throw new ClusterError(
      `yarn: javac could not compile ${rel(source)}: ${(res.stderr || res.stdout).trim().split('\n')[0]}`,
    );
  }
  await fs.writeFile(stamp, `${hash}\n`);
  return classes;
}

async function startYarn(lib) {
  const h = await hdfs.health();
  if (!h.ok) {
    throw new ClusterError(
      `yarn: runs its jobs on HDFS, which does not answer at ${hdfs.address} (${h.detail}); start both with --services hdfs,yarn`,
    );
  }
  const classes = await compileLoopback();
  const loopback = loopbackJvmOptions(classes);
  const conf = path.join(dir(), 'conf');
  const run = path.join(dir(), 'run');
  await fs.ensureDir(conf);
  await fs.ensureDir(run);
  const values = {
    host: HOST,
    rmPort: String(D.rmPort),
    webPort: String(D.webPort),
    historyPort: String(D.historyPort),
    historyAdminPort: String(D.historyAdminPort),
    historyWebPort: String(D.historyWebPort),
    loopbackJvmOptions: loopback.join(' '),
  };
  for (const file of ['yarn-site.xml', 'mapred-site.xml']) {
    await writeTemplate(path.join(TEMPLATES, 'yarn', file), path.join(conf, file), values);
  }
  // The HDFS client settings (fs.defaultFS, one replica) are the hdfs service's own.
  const hdfsValues = {
    host: DEFAULTS.hdfs.host,
    rpcPort: String(DEFAULTS.hdfs.rpcPort),
    httpPort: String(DEFAULTS.hdfs.httpPort),
  };
  for (const file of ['core-site.xml', 'hdfs-site.xml']) {
    await writeTemplate(path.join(TEMPLATES, 'hdfs', file), path.join(conf, file), hdfsValues);
  }
  await fs.copy(
    path.join(TEMPLATES, 'yarn', 'log4j.properties'),
    path.join(conf, 'log4j.properties'),
  );
  // The details file is the readiness signal: never let one from an earlier run answer.
  await fs.remove(detailsFile());

  return launchDetached(
    yarn,
    'java',
    [
      ...HEAP,
      ...loopback,
      '-Djava.awt.headless=true',
      `-Dhadoop.log.dir=${dir()}`,
      // The conf folder first: its log4j.properties and *-site.xml win.
      '-cp',
      `${conf}${path.delimiter}${path.join(lib, '*')}`,
      'org.apache.hadoop.mapreduce.MiniHadoopClusterManager',
      '-nodfs',
      '-namenode',
      `hdfs://${DEFAULTS.hdfs.host}:${DEFAULTS.hdfs.rpcPort}`,
      '-nodemanagers',
      '1',
      '-rmport',
      String(D.rmPort),
      '-jhsport',
      String(D.historyPort),
      '-writeDetails',
      detailsFile(),
    ],
    // The mini cluster keeps the NodeManager's local and log directories under ./target.
    { cwd: run },
  );
}

/** Native readiness: the manager's details file, then the REST answers of health(). */
async function yarnReady() {
  if (!(await fs.pathExists(detailsFile()))) {
    return { ok: false, detail: 'the ResourceManager has not written its details file yet' };
  }
  return yarnHealth();
}

async function getJson(url) {
  const res = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(3000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * The ResourceManager's REST API must say STARTED and list a RUNNING NodeManager (without one
 * no container ever starts), and the JobHistory server must answer its REST API.
 */
async function yarnHealth() {
  const rm = `http://${HOST}:${D.webPort}/ws/v1/cluster`;
  let version;
  try {
    const { clusterInfo: info } = await getJson(`${rm}/info`);
    version = info?.hadoopVersion;
    if (info?.state !== 'STARTED') {
      return { ok: false, detail: `ResourceManager ${info?.state ?? 'in an unknown state'}` };
    }
    const nodes = (await getJson(`${rm}/nodes`)).nodes?.node ?? [];
    const running = nodes.filter((n) => n.state === 'RUNNING');
    if (running.length === 0) {
      return { ok: false, detail: 'ResourceManager STARTED, no NodeManager registered yet' };
    }
  } catch (err) {
    const cause = err?.cause?.code ?? (err instanceof Error ? err.message : String(err));
    return { ok: false, detail: `ResourceManager REST does not answer (${cause})` };
  }
  try {
    await getJson(`http://${HOST}:${D.historyWebPort}/ws/v1/history/info`);
  } catch (err) {
    const cause = err?.cause?.code ?? (err instanceof Error ? err.message : String(err));
    return { ok: false, detail: `ResourceManager up, JobHistory does not answer (${cause})` };
  }
  return {
    ok: true,
    detail: `ResourceManager ${HOST}:${D.rmPort} STARTED (Hadoop ${version}), NodeManager RUNNING, JobHistory ${HOST}:${D.historyPort}, jobs on hdfs://${DEFAULTS.hdfs.host}:${DEFAULTS.hdfs.rpcPort}`,
  };
}
