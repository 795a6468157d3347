#!/usr/bin/env node
// Starts, checks and stops the real services behind the cluster engine.
//
//   npm run cluster -- up|down|status|jars [--docker|--native] [--services kafka,hdfs,yarn] [--clean]
//
// Native mode (the default where no Docker engine answers) resolves each service's jars from
// Maven Central with the poms in scripts/cluster/<service>/ and runs them with plain `java`;
// docker mode runs docker/compose.yml. Everything this script writes lives under .cluster/
// (git-ignored): jars in .cluster/lib/<service>/, and per service its config, data/, logs and
// the pid file. Each service is a module in scripts/cluster/ (kafka.mjs, hdfs.mjs, yarn.mjs)
// listed in services.mjs; what they share (jars, pid files, health polling, stop) is in
// runner.mjs. YARN starts only when named: `--services kafka,hdfs,yarn`.

import { fileURLToPath } from 'node:url';
import { fs, path } from 'zx';
import { HADOOP_VERSION } from './cluster/hdfs.mjs';
import { KAFKA_VERSION } from './cluster/kafka.mjs';
import {
  ClusterError,
  compose,
  dockerMarker,
  dockerUnavailable,
  isOurProcess,
  pidFile,
  readPid,
  rel,
  requireFreePorts,
  secs,
  serviceDir,
  waitHealthy,
} from './cluster/runner.mjs';
import { defaultServices, SERVICES } from './cluster/services.mjs';

const USAGE = `Usage: npm run cluster -- <command> [options]

Commands:
  up        start the services (idempotent) and wait until they answer
  status    print each service, its address, pid and health; exit 0 only when all are healthy
  down      stop the processes this script started (SIGTERM, then SIGKILL)
  jars      only resolve the services' jars into .cluster/lib/<service>/ (Hadoop Streaming
            jobs on the local runner use yarn's without a running YARN)

Options:
  --native             run from Maven Central jars with java (default without a Docker engine)
  --docker             run docker/compose.yml (default when \`docker info\` answers)
  --services a,b       only these services (known: %SERVICES%; default: kafka,hdfs,
                       and yarn too once started with --services …,yarn)
  --timeout SECONDS    how long \`up\` waits for health (default: 120 per service)
  --clean              with down: also delete .cluster/<service>/data (or the compose volumes)
  -h, --help           show this help

Environment:
  LOGLAB_KAFKA_VERSION   Kafka release resolved from Maven Central (default ${KAFKA_VERSION})
  LOGLAB_HADOOP_VERSION  Hadoop release of HDFS and YARN, from Maven Central (default ${HADOOP_VERSION})

Examples:
  npm run cluster -- up                               Kafka and HDFS
  npm run cluster -- up --services kafka,hdfs,yarn    and a YARN for MapReduce jobs
  npm run cluster -- status
  npm run cluster -- down --services yarn             stop YARN only
  npm run cluster -- jars --services yarn             the Hadoop Streaming jars, nothing started
`;

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
      await compose(['up', '-d', ...service.composeServices]);
      await fs.ensureDir(serviceDir(service));
      await fs.writeFile(dockerMarker(service), `${service.composeServices.join(' ')}\n`);
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
      await compose(['rm', '--stop', '--force', ...service.composeServices]);
      await fs.remove(dockerMarker(service));
      console.log(
        `${service.name}: stopped its docker compose services (${service.composeServices.join(', ')})`,
      );
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
        if (!['up', 'down', 'status', 'jars'].includes(arg)) {
          throw new ClusterError(`unknown command '${arg}': use up, down, status or jars`, 2);
        }
        opts.command = arg;
    }
  }
  if (opts.clean && opts.command !== 'down') throw new ClusterError('--clean goes with down', 2);
  return opts;
}

async function selectServices(names) {
  if (names === null) return defaultServices();
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
  const services = await selectServices(opts.names);
  if (opts.command === 'status') return (await status(services)) ? 0 : 1;
  if (opts.command === 'down') {
    await down(services, opts);
    return 0;
  }
  if (opts.command === 'jars') {
    for (const service of services) {
      console.log(`${service.name}: jars in ${rel(await service.resolve())}/`);
    }
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
