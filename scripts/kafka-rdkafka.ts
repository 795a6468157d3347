/**
 * `npm run kafka:rdkafka`: installs the optional librdkafka client that
 * LOGLAB_KAFKA_CLIENT=rdkafka asks for, `@confluentinc/kafka-javascript` at the pinned version,
 * into node_modules without touching package.json or package-lock.json.
 *
 *   npm run kafka:rdkafka            install it (nothing to do when it is there and loads)
 *   npm run kafka:rdkafka -- --check say whether it is installed and loads; exit 1 when not
 *
 * Why not a dependency: the package's prebuilt binary is downloaded from GitHub at install time,
 * and where that fails its default source build downloads zlib, OpenSSL, zstd and curl sources
 * too. Built against Debian's own libraries instead (`CKJS_LINKING=dynamic`) it needs their -dev
 * packages and about 1.5 minutes; an optionalDependency would make every `npm install` try that.
 *
 * Steps: the Debian packages that are missing are installed with apt-get (as root; otherwise the
 * command to run is printed); the package is installed with `npm install --no-save`; the built
 * binding is kept in ~/.cache/loglab/, keyed by package version, Node ABI and architecture, so the
 * next install (a fresh clone, CI) copies it instead of building again. A later `npm install` or
 * `npm ci` removes the package (it is not in the lockfile): run this again then.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RDKAFKA_PACKAGE, RDKAFKA_VERSION } from '../src/stream/rdkafka-api';
import { ROOT, SetupError } from './kernel';

/** What the dynamic build links against (Debian bookworm names). */
export const DEBIAN_PACKAGES = [
  'zlib1g-dev',
  'libssl-dev',
  'libzstd-dev',
  'liblz4-dev',
  'libsasl2-dev',
  'libcurl4-openssl-dev',
];

const PACKAGE_DIR = join(ROOT, 'node_modules', ...RDKAFKA_PACKAGE.split('/'));
const BUILD_DIR = join(PACKAGE_DIR, 'build', 'Release');
const CACHE_DIR = join(
  homedir(),
  '.cache',
  'loglab',
  `kafka-javascript-${RDKAFKA_VERSION}-node-abi${process.versions.modules}-${process.platform}-${process.arch}`,
);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: ROOT });
  return r.status ?? 1;
}

/** The installed package's librdkafka version when it is the pinned one and loads, else null. */
function loads(): string | null {
  const probe = `const m = require(${JSON.stringify(RDKAFKA_PACKAGE)});
const v = require(${JSON.stringify(`${RDKAFKA_PACKAGE}/package.json`)}).version;
if (v !== ${JSON.stringify(RDKAFKA_VERSION)}) process.exit(3);
console.log(m.librdkafkaVersion);`;
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function missingDebianPackages(): string[] {
  return DEBIAN_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg', ['-s', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('Status: install ok installed');
  });
}

function installDebianPackages(): void {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new SetupError(`the build needs Debian's ${missing.join(', ')}: run sudo ${command}`);
  }
  console.log(`kafka:rdkafka: installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['install', '-y', '-qq', '--no-install-recommends', ...missing];
  if (run('apt-get', args, env) !== 0) {
    // A machine whose package lists are old or empty: fetch them once, then try again.
    if (run('apt-get', ['update', '-qq'], env) !== 0 || run('apt-get', args, env) !== 0) {
      throw new SetupError(`could not install ${missing.join(' ')} (${command})`);
    }
  }
}

function npmInstall(ignoreScripts: boolean): void {
  const args = [
    'install',
    '--no-save',
    '--no-audit',
    '--no-fund',
    ...(ignoreScripts ? ['--ignore-scripts'] : []),
    `${RDKAFKA_PACKAGE}@${RDKAFKA_VERSION}`,
  ];
  // Link librdkafka against the system's zlib, OpenSSL, zstd, lz4, SASL and curl.
  const env = { ...process.env, CKJS_LINKING: 'dynamic' };
  if (run('npm', args, env) !== 0) {
    throw new SetupError(`npm install ${RDKAFKA_PACKAGE}@${RDKAFKA_VERSION} failed (see above)`);
  }
}

function main(): number {
  const check = process.argv.includes('--check');
  const before = loads();
  if (before !== null) {
    console.log(`${RDKAFKA_PACKAGE} ${RDKAFKA_VERSION} is installed (librdkafka ${before})`);
    return 0;
  }
  if (check) {
    console.log(
      `${RDKAFKA_PACKAGE} ${RDKAFKA_VERSION} is not installed: run npm run kafka:rdkafka`,
    );
    return 1;
  }
  installDebianPackages();
  const started = Date.now();
  if (existsSync(join(CACHE_DIR, 'Release'))) {
    console.log(`kafka:rdkafka: ${RDKAFKA_PACKAGE}@${RDKAFKA_VERSION}, binding from ${CACHE_DIR}`);
    npmInstall(true);
    rmSync(BUILD_DIR, { recursive: true, force: true });
    cpSync(join(CACHE_DIR, 'Release'), BUILD_DIR, { recursive: true });
  }
  if (loads() === null) {
    console.log(`kafka:rdkafka: building ${RDKAFKA_PACKAGE}@${RDKAFKA_VERSION} (about 1.5 min)`);
    npmInstall(false);
    const built = loads();
    if (built === null) throw new SetupError(`${RDKAFKA_PACKAGE} was built but does not load`);
    rmSync(CACHE_DIR, { recursive: true, force: true });
    mkdirSync(CACHE_DIR, { recursive: true });
    // The binding and the librdkafka it was linked with; the build's objects are left out.
    cpSync(BUILD_DIR, join(CACHE_DIR, 'Release'), {
      recursive: true,
      filter: (src) => !src.includes(`${join('Release', 'obj')}`) && !src.endsWith('.o'),
    });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(
    `${RDKAFKA_PACKAGE} ${RDKAFKA_VERSION} is installed (librdkafka ${loads()}) in ${seconds} s; use it with LOGLAB_KAFKA_CLIENT=rdkafka`,
  );
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  if (!(err instanceof SetupError)) throw err;
  console.error(`kafka:rdkafka: ${err.message}`);
  process.exitCode = 2;
}
