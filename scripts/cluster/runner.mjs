// The machinery every service of the cluster shares: where its files live, resolving its jars
// from Maven Central, starting it detached with a pid file, waiting for its health, stopping it,
// and the docker compose calls. A service (kafka.mjs, hdfs.mjs, …) is a plain object built on
// these functions; scripts/cluster.mjs runs the commands over the list in services.mjs.
//
// A service has: name, host, address (shown by status), commandMatch (seen in the command line
// of its process, so a reused pid is never taken for ours), ports (checked free before a native
// start), composeServices, startTimeoutS, logs (files under its directory worth showing when a
// start fails), cleanPaths (what `down --clean` deletes), and the functions resolve() → lib dir,
// start(lib) → pid, health() → {ok, detail}, optional ready() (native readiness when health
// alone says too little), optional warmUp(), and stop(service). An `optional` service (yarn)
// is left out of the default list unless this script started it.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { $, fs, path, sleep, which } from 'zx';

$.verbose = false;
$.quiet = true;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STATE = path.join(ROOT, '.cluster');
export const TEMPLATES = path.join(ROOT, 'scripts', 'cluster');
export const COMPOSE_FILE = path.join(ROOT, 'docker', 'compose.yml');

/** Versions, hosts and ports of the native starter; docker/compose.yml must match them. */
export const DEFAULTS = JSON.parse(readFileSync(path.join(TEMPLATES, 'defaults.json'), 'utf8'));

/** An expected failure: printed as one line, no stack trace. */
export class ClusterError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function serviceDir(service) {
  return path.join(STATE, service.name);
}
export function pidFile(service) {
  return path.join(serviceDir(service), 'pid');
}
export function dockerMarker(service) {
  return path.join(serviceDir(service), 'docker');
}
export function logFile(service) {
  return path.join(serviceDir(service), `${service.name}.out`);
}
export const START_MARK = '--- started by scripts/cluster.mjs at';

export function rel(p) {
  return path.relative(ROOT, p) || '.';
}
export function lastLine(text) {
  const lines = String(text).trim().split('\n');
  return lines[lines.length - 1] || 'no output';
}

export async function writeTemplate(from, to, values) {
  const text = (await fs.readFile(from, 'utf8')).replace(/\$\{(\w+)\}/g, (whole, key) => {
    if (!(key in values)) throw new ClusterError(`${rel(from)}: no value for ${whole}`);
    return values[key];
  });
  await fs.writeFile(to, text);
}

export async function requireJava() {
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

export async function requireMaven() {
  if (!(await which('mvn', { nothrow: true }))) {
    throw new ClusterError(
      'mvn not found: install Apache Maven 3.8 or newer (Debian/Ubuntu: apt-get install -y maven)',
    );
  }
}

export function libDir(service) {
  return path.join(STATE, 'lib', service.name);
}

/** Identifies a resolved set of jars: the release and the pom that resolved it. */
export async function libKey(pom, version) {
  const hash = createHash('sha256')
    .update(await fs.readFile(pom))
    .digest('hex')
    .slice(0, 12);
  return `${version} ${hash}`;
}

/** .cluster/lib/<service>/ when it already holds the jars for this key. */
export async function cachedLib(service, key) {
  const stamp = path.join(libDir(service), '.resolved');
  const have = await fs.readFile(stamp, 'utf8').catch(() => '');
  return have.trim() === key ? libDir(service) : null;
}

/**
 * Copies a pom's runtime dependencies into a fresh directory next to .cluster/lib/<service>/.
 * Maven caches them in ~/.m2, so resolving again on the same machine costs seconds.
 */
export async function mvnCopy(service, pom, properties, what) {
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

export async function installLib(service, tmp, key) {
  const lib = libDir(service);
  await fs.remove(lib);
  await fs.move(tmp, lib);
  await fs.writeFile(path.join(lib, '.resolved'), `${key}\n`);
  return lib;
}

/**
 * The usual resolve(): .cluster/lib/<service>/ holding the runtime dependencies of the pom in
 * scripts/cluster/<service>/, resolved again only when the release or the pom changed.
 */
export async function resolveJars(service, { version, properties, what }) {
  await requireJava();
  const pom = path.join(TEMPLATES, service.name, 'pom.xml');
  const key = await libKey(pom, version);
  const cached = await cachedLib(service, key);
  if (cached) return cached;
  const tmp = await mvnCopy(service, pom, properties, what);
  return installLib(service, tmp, key);
}

/**
 * Starts a long-running process in its own process group (so `down` can stop it and its
 * children), with stdout and stderr appended to .cluster/<service>/<service>.out, and records
 * its pid. It runs in the repository root unless `cwd` says otherwise.
 */
export async function launchDetached(service, command, args, { cwd = ROOT } = {}) {
  const out = logFile(service);
  const fd = fs.openSync(out, 'a');
  try {
    fs.writeSync(fd, `\n${START_MARK} ${new Date().toISOString()} ${service.name}\n`);
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
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

export async function readPid(service) {
  try {
    const pid = Number.parseInt(await fs.readFile(pidFile(service), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when pid is alive and still runs this service's command (pids get reused). */
export async function isOurProcess(service, pid) {
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

export function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

export async function stopByPidFile(service) {
  const pid = await readPid(service);
  if (pid === null) return false;
  if (await isOurProcess(service, pid)) {
    signalGroup(pid, 'SIGTERM');
    // A controlled shutdown (Kafka's broker) takes a few seconds.
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
export async function recentLines(file, count = 20) {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const since = text.lastIndexOf(START_MARK);
  const recent = since >= 0 ? text.slice(text.indexOf('\n', since) + 1) : text;
  return recent.trimEnd().split('\n').filter(Boolean).slice(-count).join('\n');
}

export async function failStart(service, why) {
  const logs = [
    logFile(service),
    ...(service.logs ?? []).map((name) => path.join(serviceDir(service), name)),
  ].filter((f) => fs.existsSync(f));
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

/**
 * Polls until the service is ready (its own ready() for a native start when it has one, else
 * its health), the process dies, or the timeout passes. A JVM whose main thread died can live
 * on without ever answering: the timeout catches that one, and the caller then stops its pid.
 */
export async function waitHealthy(service, { pid, timeoutS }) {
  const check = pid !== undefined && service.ready ? service.ready : service.health;
  const deadline = Date.now() + timeoutS * 1000;
  let last = { ok: false, detail: 'not checked yet' };
  for (;;) {
    last = await check();
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

export async function requireFreePorts(service) {
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
export async function dockerUnavailable() {
  if (!(await which('docker', { nothrow: true }))) return 'the docker command is not installed';
  if ((await $`docker info`.nothrow().timeout('15s')).exitCode !== 0) {
    return 'no Docker engine answers (`docker info` failed)';
  }
  if ((await $`docker compose version`.nothrow().timeout('15s')).exitCode !== 0) {
    return 'the Docker Compose plugin is missing (`docker compose version` failed)';
  }
  return null;
}

export async function compose(args) {
  const res = await $`docker compose -f ${COMPOSE_FILE} ${args}`.nothrow();
  if (res.exitCode !== 0) {
    throw new ClusterError(`docker compose ${args.join(' ')} failed: ${lastLine(res.stderr)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

export function secs(t0) {
  return ((Date.now() - t0) / 1000).toFixed(1);
}
