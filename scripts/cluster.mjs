#!/usr/bin/env node
// Starts, checks and stops the real services behind the cluster engine.
//
//   npm run cluster -- up|down|status [--docker|--native] [--services kafka,…] [--clean]
//
// Native mode (the default where no Docker engine answers) resolves each service's jars from
// Maven Central with the poms in scripts/cluster/ and runs them with plain `java`; docker mode
// runs docker/compose.yml. Everything this script writes lives under .cluster/ (git-ignored):
// jars in .cluster/lib/<service>/, and per service its config, data/, logs and the pid file.
// A service is one entry in SERVICES with resolve/start/health/stop functions.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { $, fs, path, sleep, which } from 'zx';

$.verbose = false;
$.quiet = true;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STATE = path.join(ROOT, '.cluster');
const TEMPLATES = path.join(ROOT, 'scripts', 'cluster');
const COMPOSE_FILE = path.join(ROOT, 'docker', 'compose.yml');

// The newest Kafka release on Maven Central when this was written. kafkajs 2.2.4 works with
// 4.x (checked with 4.1.1 and 4.4.0: topics, keyed idempotent produce with acks=all, groups,
// commits, offsets): KIP-896 removed only protocol versions older than the ones it negotiates.
const KAFKA_VERSION = process.env.LOGLAB_KAFKA_VERSION || '4.4.0';
const KAFKA_HOST = '127.0.0.1';
const KAFKA_PORT = 9092;
const KAFKA_CONTROLLER_PORT = 9093;
// Modest: two cores and HDFS/YARN share the machine.
const KAFKA_HEAP = ['-Xms256m', '-Xmx512m'];

const USAGE = `Usage: npm run cluster -- <command> [options]

Commands:
  up        start the services (idempotent) and wait until they answer
  status    print each service, its address, pid and health; exit 0 only when all are healthy
  down      stop the processes this script started (SIGTERM, then SIGKILL)

Options:
  --native             run from Maven Central jars with java (default without a Docker engine)
  --docker             run docker/compose.yml (default when \`docker info\` answers)
  --services a,b       only these services (known: %SERVICES%; default: all)
  --timeout SECONDS    how long \`up\` waits for health (default: per service, kafka 120)
  --clean              with down: also delete .cluster/<service>/data (or the compose volumes)
  -h, --help           show this help

Environment:
  LOGLAB_KAFKA_VERSION   Kafka release resolved from Maven Central (default ${KAFKA_VERSION})
`;

/** An expected failure: printed as one line, no stack trace. */
class ClusterError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

// ---------------------------------------------------------------------------------------------
// Services

const kafka = {
  name: 'kafka',
  host: KAFKA_HOST,
  address: `${KAFKA_HOST}:${KAFKA_PORT}`,
  composeService: 'kafka',
  // Seen in the command line of the JVM, to make sure a pid still belongs to our broker.
  commandMatch: 'kafka.Kafka',
  // Checked free before a native start.
  ports: [KAFKA_PORT, KAFKA_CONTROLLER_PORT],
  startTimeoutS: 120,
  resolve: resolveKafka,
  start: startKafka,
  health: kafkaHealth,
  // Run once after a start, so the first client does not meet "coordinator not available".
  warmUp: kafkaWarmUp,
  stop: stopByPidFile,
  // What `down --clean` deletes under .cluster/kafka/.
  cleanPaths: ['data', 'formatted-by'],
};

/** In start order; `down` stops them in reverse. */
const SERVICES = [kafka];

// ---------------------------------------------------------------------------------------------
// Kafka

async function resolveKafka() {
  await requireJava();
  const pom = path.join(TEMPLATES, 'kafka', 'pom.xml');
  const key = await libKey(pom, KAFKA_VERSION);
  const cached = await cachedLib(kafka, key);
  if (cached) return cached;
  const what = `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`;
  const props = { 'kafka.version': KAFKA_VERSION };
  let tmp = await mvnCopy(kafka, pom, props, what);
  // The slf4j binding must be the same log4j2 release as the log4j-core that Kafka brings;
  // each Kafka release moves it, so read it from the resolved jars and resolve again if needed.
  const jars = await fs.readdir(tmp);
  const core = jarVersion(jars, 'log4j-core');
  if (core && jarVersion(jars, 'log4j-slf4j-impl') !== core) {
    tmp = await mvnCopy(kafka, pom, { ...props, 'log4j.version': core }, what);
  }
  return installLib(kafka, tmp, key);
}

function jarVersion(jars, artifact) {
  const prefix = `${artifact}-`;
  const jar = jars.find((j) => j.startsWith(prefix) && /^\d/.test(j.slice(prefix.length)));
  return jar ? jar.slice(prefix.length, -'.jar'.length) : null;
}

async function startKafka(lib) {
  const dir = serviceDir(kafka);
  const dataDir = path.join(dir, 'data');
  await fs.ensureDir(dataDir);
  const props = path.join(dir, 'server.properties');
  await writeTemplate(path.join(TEMPLATES, 'kafka', 'server.properties'), props, {
    host: KAFKA_HOST,
    port: String(KAFKA_PORT),
    controllerPort: String(KAFKA_CONTROLLER_PORT),
    dataDir,
  });
  const log4j = path.join(dir, 'log4j2.xml');
  await fs.copy(path.join(TEMPLATES, 'kafka', 'log4j2.xml'), log4j);

  const jvm = [
    ...KAFKA_HEAP,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    // Keep logging until the broker's own shutdown hook has finished (the appender flushes
    // every line), so its last lines land in server.log, not in a fallback logger.
    '-Dlog4j2.shutdownHookEnabled=false',
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    path.join(lib, '*'),
  ];

  // KRaft storage is formatted once; meta.properties marks a formatted log directory. An older
  // release cannot read what a newer one wrote, so remember which release formatted it.
  const formattedBy = path.join(dir, 'formatted-by');
  if (await fs.pathExists(path.join(dataDir, 'meta.properties'))) {
    const by = (await fs.readFile(formattedBy, 'utf8').catch(() => '')).trim();
    if (by && by !== KAFKA_VERSION) {
      throw new ClusterError(
        `kafka: ${rel(dataDir)} was formatted by Kafka ${by}, not ${KAFKA_VERSION}; run \`npm run cluster -- down --clean\` to start afresh`,
      );
    }
  } else {
    const tool = [
      ...jvm.filter((a) => !a.startsWith('-Xm')),
      '-Xmx256m',
      'kafka.tools.StorageTool',
    ];
    const id = await $`java ${tool} random-uuid`.nothrow();
    const clusterId = id.stdout.trim();
    if (id.exitCode !== 0 || !/^[A-Za-z0-9_-]{22}$/.test(clusterId)) {
      throw new ClusterError(
        `kafka: StorageTool random-uuid failed: ${lastLine(id.stderr || id.stdout)}`,
      );
    }
    // Static quorum (controller.quorum.voters), so no --standalone here.
    const fmt =
      await $`java ${tool} format --ignore-formatted -t ${clusterId} -c ${props}`.nothrow();
    if (fmt.exitCode !== 0) {
      throw new ClusterError(
        `kafka: formatting ${rel(dataDir)} failed: ${lastLine(fmt.stderr || fmt.stdout)}`,
      );
    }
    await fs.writeFile(formattedBy, `${KAFKA_VERSION}\n`);
  }

  return launchDetached(kafka, 'java', [...jvm, 'kafka.Kafka', props]);
}

async function kafkaHealth() {
  const client = new kafkajs.Kafka({
    clientId: 'loglab-cluster-health',
    brokers: [kafka.address],
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = client.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return { ok: false, detail: 'metadata lists no broker yet' };
    return {
      ok: true,
      detail: `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller}`,
    };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Group coordination (the __consumer_offsets topic) and the producer ids that idempotent
 * producers need are set up on first use, and clients meet "coordinator not available" or
 * "coordinator is loading" until then: get that done now, before anyone waits for it.
 */
async function kafkaWarmUp() {
  const client = new kafkajs.Kafka({
    clientId: 'loglab-cluster-warmup',
    brokers: [kafka.address],
    retry: { retries: 10, initialRetryTime: 200 },
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = client.admin();
  const producer = client.producer({
    idempotent: true,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  try {
    await admin.connect();
    await admin.describeGroups(['loglab-cluster-warmup']);
    await producer.connect();
  } catch (err) {
    await failStart(
      kafka,
      `the group or transaction coordinator did not get ready (${err.message})`,
    );
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Shared machinery

function serviceDir(service) {
  return path.join(STATE, service.name);
}
function pidFile(service) {
  return path.join(serviceDir(service), 'pid');
}
function dockerMarker(service) {
  return path.join(serviceDir(service), 'docker');
}
function logFile(service) {
  return path.join(serviceDir(service), `${service.name}.out`);
}
const START_MARK = '--- started by scripts/cluster.mjs at';

function rel(p) {
  return path.relative(ROOT, p) || '.';
}
function lastLine(text) {
  const lines = String(text).trim().split('\n');
  return lines[lines.length - 1] || 'no output';
}

async function writeTemplate(from, to, values) {
  const text = (await fs.readFile(from, 'utf8')).replace(/\$\{(\w+)\}/g, (whole, key) => {
    if (!(key in values)) throw new ClusterError(`${rel(from)}: no value for ${whole}`);
    return values[key];
  });
  await fs.writeFile(to, text);
}

async function requireJava() {
  if (!(await which('java', { nothrow: true }))) {
    throw new ClusterError(
      'java not found: install a Java 17 runtime (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless)',
    );
  }
  const out = await $`java -version`.nothrow();
  const match = /version "(\d+)(?:\.(\d+))?/.exec(out.stderr + out.stdout);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (major < 17) {
    throw new ClusterError(
      `Java 17 or newer is needed, found ${match ? match[0] : 'an unknown version'}: install openjdk-17-jre-headless`,
    );
  }
}

async function requireMaven() {
  if (!(await which('mvn', { nothrow: true }))) {
    throw new ClusterError(
      'mvn not found: install Apache Maven 3.8 or newer (Debian/Ubuntu: apt-get install -y maven)',
    );
  }
}

function libDir(service) {
  return path.join(STATE, 'lib', service.name);
}

/** Identifies a resolved set of jars: the release and the pom that resolved it. */
async function libKey(pom, version) {
  const hash = createHash('sha256')
    .update(await fs.readFile(pom))
    .digest('hex')
    .slice(0, 12);
  return `${version} ${hash}`;
}

/** .cluster/lib/<service>/ when it already holds the jars for this key. */
async function cachedLib(service, key) {
  const stamp = path.join(libDir(service), '.resolved');
  const have = await fs.readFile(stamp, 'utf8').catch(() => '');
  return have.trim() === key ? libDir(service) : null;
}

/**
 * Copies a pom's runtime dependencies into a fresh directory next to .cluster/lib/<service>/.
 * Maven caches them in ~/.m2, so resolving again on the same machine costs seconds.
 */
async function mvnCopy(service, pom, properties, what) {
  await requireMaven();
  const tmp = `${libDir(service)}.partial`;
  await fs.remove(tmp);
  await fs.ensureDir(serviceDir(service));
  const mvnLog = path.join(serviceDir(service), 'mvn.log');
  const defs = Object.entries(properties).map(([k, v]) => `-D${k}=${v}`);
  console.log(`${service.name}: resolving ${what} from Maven Central (cached in ~/.m2)…`);
  const res =
    await $`mvn -B -q -Dstyle.color=never -f ${pom} ${defs} dependency:copy-dependencies -DoutputDirectory=${tmp}`.nothrow();
  await fs.writeFile(mvnLog, res.stdout + res.stderr);
  if (res.exitCode !== 0) {
    throw new ClusterError(`${service.name}: mvn could not resolve ${what}; see ${rel(mvnLog)}`);
  }
  return tmp;
}

async function installLib(service, tmp, key) {
  const lib = libDir(service);
  await fs.remove(lib);
  await fs.move(tmp, lib);
  await fs.writeFile(path.join(lib, '.resolved'), `${key}\n`);
  return lib;
}

/**
 * Starts a long-running process in its own process group (so `down` can stop it and its
 * children), with stdout and stderr appended to .cluster/<service>/<service>.out, and records
 * its pid.
 */
async function launchDetached(service, command, args) {
  const out = logFile(service);
  const fd = fs.openSync(out, 'a');
  try {
    fs.writeSync(fd, `\n${START_MARK} ${new Date().toISOString()} ${service.name}\n`);
    const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', fd, fd] });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    await fs.writeFile(pidFile(service), `${child.pid}\n`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

async function readPid(service) {
  try {
    const pid = Number.parseInt(await fs.readFile(pidFile(service), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when pid is alive and still runs this service's command (pids get reused). */
async function isOurProcess(service, pid) {
  let args;
  try {
    args = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    // No such pid, or no /proc (macOS): ask ps, which says "no such process" by its exit code.
    if (await fs.pathExists('/proc/self')) return false;
    const res = await $`ps -ww -o args= -p ${pid}`.nothrow();
    args = res.exitCode === 0 ? res.stdout : '';
  }
  return args.includes(service.commandMatch);
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

async function stopByPidFile(service) {
  const pid = await readPid(service);
  if (pid === null) return false;
  if (await isOurProcess(service, pid)) {
    signalGroup(pid, 'SIGTERM');
    // A controlled shutdown of the broker takes a few seconds.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await isOurProcess(service, pid))) await sleep(250);
    if (await isOurProcess(service, pid)) {
      console.log(`${service.name}: pid ${pid} ignored SIGTERM for 30 s, sending SIGKILL`);
      signalGroup(pid, 'SIGKILL');
      while (await isOurProcess(service, pid)) await sleep(100);
    }
    console.log(`${service.name}: stopped pid ${pid}`);
  } else {
    console.log(`${service.name}: pid ${pid} is no longer running; removing its pid file`);
  }
  await fs.remove(pidFile(service));
  return true;
}

/** The last lines a file got since the latest start, or '' when there are none. */
async function recentLines(file, count = 20) {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const since = text.lastIndexOf(START_MARK);
  const recent = since >= 0 ? text.slice(text.indexOf('\n', since) + 1) : text;
  return recent.trimEnd().split('\n').filter(Boolean).slice(-count).join('\n');
}

async function failStart(service, why) {
  const logs = [logFile(service), path.join(serviceDir(service), 'server.log')].filter((f) =>
    fs.existsSync(f),
  );
  for (const log of logs) {
    const last = await recentLines(log);
    if (last) {
      console.error(`--- last lines of ${rel(log)}\n${last}\n---`);
      break;
    }
  }
  throw new ClusterError(
    `${service.name}: ${why}; see ${logs.map(rel).join(' and ') || rel(serviceDir(service))}`,
  );
}

/** Polls the service's health until it answers, the process dies, or the timeout passes. */
async function waitHealthy(service, { pid, timeoutS }) {
  const deadline = Date.now() + timeoutS * 1000;
  let last = { ok: false, detail: 'not checked yet' };
  for (;;) {
    last = await service.health();
    if (last.ok) return last;
    if (pid !== undefined && !(await isOurProcess(service, pid))) {
      await fs.remove(pidFile(service));
      await failStart(service, `the process (pid ${pid}) exited before it answered`);
    }
    if (Date.now() > deadline) {
      await failStart(
        service,
        `no answer at ${service.address} after ${timeoutS} s (${last.detail})`,
      );
    }
    await sleep(500);
  }
}

async function requireFreePorts(service) {
  for (const port of service.ports) {
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, service.host, () => server.close(() => resolve(true)));
    });
    if (!free) {
      throw new ClusterError(
        `${service.name}: port ${port} on ${service.host} is taken by a process this script did not start; stop it first`,
      );
    }
  }
}

/** Why docker mode cannot run here, or null when it can. */
async function dockerUnavailable() {
  if (!(await which('docker', { nothrow: true }))) return 'the docker command is not installed';
  if ((await $`docker info`.nothrow().timeout('15s')).exitCode !== 0) {
    return 'no Docker engine answers (`docker info` failed)';
  }
  if ((await $`docker compose version`.nothrow().timeout('15s')).exitCode !== 0) {
    return 'the Docker Compose plugin is missing (`docker compose version` failed)';
  }
  return null;
}

async function compose(args) {
  const res = await $`docker compose -f ${COMPOSE_FILE} ${args}`.nothrow();
  if (res.exitCode !== 0) {
    throw new ClusterError(`docker compose ${args.join(' ')} failed: ${lastLine(res.stderr)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

async function up(services, { mode, timeoutS }) {
  for (const service of services) {
    const t0 = Date.now();
    const now = await service.health();
    const pid = await readPid(service);
    if (now.ok) {
      const owner = (await fs.pathExists(dockerMarker(service)))
        ? 'docker'
        : pid !== null
          ? `pid ${pid}`
          : 'not started by this script';
      console.log(
        `${service.name}: already healthy at ${service.address} (${owner}); nothing started`,
      );
      continue;
    }
    const limit = timeoutS ?? service.startTimeoutS;
    if (mode === 'docker') {
      await compose(['up', '-d', service.composeService]);
      await fs.ensureDir(serviceDir(service));
      await fs.writeFile(dockerMarker(service), `${service.composeService}\n`);
      await waitHealthy(service, { timeoutS: limit });
      await service.warmUp?.();
      console.log(`${service.name}: healthy at ${service.address} (docker) after ${secs(t0)} s`);
      continue;
    }
    let running = pid;
    if (pid !== null && (await isOurProcess(service, pid))) {
      // Started by an earlier `up` and still coming up: wait for it rather than start another.
      console.log(`${service.name}: pid ${pid} is starting; waiting for it`);
    } else {
      if (pid !== null) await fs.remove(pidFile(service));
      await requireFreePorts(service);
      const lib = await service.resolve();
      running = await service.start(lib);
      console.log(`${service.name}: started pid ${running}; waiting for ${service.address}…`);
    }
    try {
      await waitHealthy(service, { pid: running, timeoutS: limit });
      await service.warmUp?.();
    } catch (err) {
      // A node that never got healthy is of no use; the logs stay for a look.
      await service.stop(service);
      throw err;
    }
    console.log(
      `${service.name}: healthy at ${service.address} (pid ${await readPid(service)}) after ${secs(t0)} s; logs in ${rel(serviceDir(service))}/`,
    );
  }
}

async function status(services) {
  let healthy = 0;
  for (const service of services) {
    const pid = await readPid(service);
    const docker = await fs.pathExists(dockerMarker(service));
    const h = await service.health();
    let owner = 'not started by this script';
    if (docker) owner = 'docker';
    else if (pid !== null) {
      owner = (await isOurProcess(service, pid)) ? `pid ${pid}` : `pid ${pid} (not running)`;
    }
    if (h.ok) healthy++;
    console.log(
      `${service.name.padEnd(6)} ${service.address.padEnd(16)} ${owner.padEnd(28)} ${h.ok ? 'healthy' : 'DOWN'}  ${h.detail}`,
    );
  }
  return healthy === services.length;
}

async function down(services, { clean }) {
  let composeUsed = false;
  for (const service of [...services].reverse()) {
    const hadPid = await service.stop(service);
    const docker = await fs.pathExists(dockerMarker(service));
    if (docker) {
      composeUsed = true;
      await compose(['rm', '--stop', '--force', service.composeService]);
      await fs.remove(dockerMarker(service));
      console.log(`${service.name}: stopped its docker compose service`);
    }
    if (!hadPid && !docker) {
      const h = await service.health();
      console.log(
        h.ok
          ? `${service.name}: something answers at ${service.address} that this script did not start; left alone`
          : `${service.name}: not running`,
      );
    }
    if (clean) {
      for (const p of service.cleanPaths) await fs.remove(path.join(serviceDir(service), p));
      console.log(`${service.name}: deleted ${rel(path.join(serviceDir(service), 'data'))}`);
    }
  }
  if (clean && composeUsed) {
    await compose(['down', '--volumes']);
    console.log('docker: removed the compose volumes');
  }
}

function secs(t0) {
  return ((Date.now() - t0) / 1000).toFixed(1);
}

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = {
    command: null,
    mode: null,
    names: null,
    clean: false,
    timeoutS: null,
    help: false,
  };
  const value = (i, flag) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new ClusterError(`${flag} needs a value`, 2);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline;
    if (arg.startsWith('--') && arg.includes('=')) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    const take = () => {
      if (inline !== undefined) return inline;
      const v = value(i, arg);
      i++;
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        opts.help = true;
        break;
      case '--docker':
      case '--native': {
        const mode = arg.slice(2);
        if (opts.mode && opts.mode !== mode)
          throw new ClusterError('choose one of --docker and --native', 2);
        opts.mode = mode;
        break;
      }
      case '--services':
        opts.names = take()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--timeout': {
        const raw = take();
        const n = Number(raw);
        if (!Number.isFinite(n) || n <= 0)
          throw new ClusterError(`--timeout wants seconds, got '${raw}'`, 2);
        opts.timeoutS = n;
        break;
      }
      case '--clean':
        opts.clean = true;
        break;
      default:
        if (arg.startsWith('-')) throw new ClusterError(`unknown option '${arg}' (see --help)`, 2);
        if (opts.command) throw new ClusterError(`unexpected argument '${arg}' (see --help)`, 2);
        if (!['up', 'down', 'status'].includes(arg)) {
          throw new ClusterError(`unknown command '${arg}': use up, down or status`, 2);
        }
        opts.command = arg;
    }
  }
  if (opts.clean && opts.command !== 'down') throw new ClusterError('--clean goes with down', 2);
  return opts;
}

function selectServices(names) {
  if (names === null) return SERVICES;
  const known = new Map(SERVICES.map((s) => [s.name, s]));
  const chosen = [];
  for (const name of names) {
    const service = known.get(name);
    if (!service) {
      throw new ClusterError(
        `unknown service '${name}' (known: ${[...known.keys()].join(', ')})`,
        2,
      );
    }
    if (!chosen.includes(service)) chosen.push(service);
  }
  // Keep the start order of SERVICES whatever order the names came in.
  return SERVICES.filter((s) => chosen.includes(s));
}

async function main(argv) {
  const opts = parseArgs(argv);
  if (opts.help || !opts.command) {
    process.stdout.write(USAGE.replace('%SERVICES%', SERVICES.map((s) => s.name).join(', ')));
    return opts.help ? 0 : 2;
  }
  const services = selectServices(opts.names);
  if (opts.command === 'status') return (await status(services)) ? 0 : 1;
  if (opts.command === 'down') {
    await down(services, opts);
    return 0;
  }
  let mode = opts.mode;
  if (mode !== 'native') {
    const why = await dockerUnavailable();
    if (mode === 'docker' && why)
      throw new ClusterError(`--docker cannot run: ${why}; use --native`);
    mode = why ? 'native' : 'docker';
  }
  await up(services, { mode, timeoutS: opts.timeoutS });
  return 0;
}

// Run as `node scripts/cluster.mjs …` or `zx scripts/cluster.mjs …`: arguments follow this file.
const self = fileURLToPath(import.meta.url);
const at = process.argv.findIndex((a) => path.resolve(a) === self);

try {
  process.exitCode = await main(process.argv.slice(at >= 0 ? at + 1 : 2));
} catch (err) {
  if (err instanceof ClusterError) {
    console.error(`cluster: ${err.message}`);
    process.exitCode = err.exitCode;
  } else {
    throw err;
  }
}
