/**
 * Store write and read throughput of one large file on a real HDFS: loglab's WebHDFS adapter
 * against the raw HTTP floor (curl on the same WebHDFS calls) and against Hadoop's own Java
 * client run as a user runs it (`FsShell -put` / `-get`, JVM start included), with the local
 * adapter into a temporary folder as a reference for what the disk alone does. Bare `node:http`
 * (src/bench/webhdfs-floor.ts) runs beside them: what the runtime's HTTP stack costs, before any
 * client library.
 *
 *   npx tsx bench/storage.ts [--size MB] [--runs N] [--warmup N]
 *
 * Default: one 256 MB file of random bytes (made once in the system's temporary folder, deleted
 * afterwards), one warm-up round and three measured rounds. In each round every contender writes
 * its own copy and reads it back; the order reverses every other round, so whatever HDFS still
 * does after a task (the DataNode flushing, the page cache writing back) falls on each alike.
 * The Node contenders read the file to upload in chunks of READ_CHUNK (1 MiB), as loglab's
 * commands read a file (src/cli/io.ts, READ_CHUNK from src/log/lines.ts); the archiver hands the store a poll's lines for one file
 * at a time, hundreds of kB. Until 2026-12-07 this bench fed them the stream default, 64 KiB.
 * Reads go to a sink that counts bytes (curl: -o /dev/null; FsShell: -get into the temporary
 * folder, as it cannot write to /dev/null); after the rounds every copy on HDFS is read once
 * more, untimed, and checked by sha256 against the source.
 *
 * HDFS is LOGLAB_HDFS_URL (default http://127.0.0.1:9870) as LOGLAB_HDFS_USER; FsShell needs
 * the client configuration and jars `npm run cluster -- up --services hdfs` writes under
 * .cluster/, and java. When HDFS does not answer, the script says so in one line and exits 0
 * without measuring (nothing here runs without it), so `npm run bench` goes on to the next.
 * Targets: the adapter at ≥ 0.9x curl for write and for read, and faster than FsShell.
 * Writes bench/results/storage.json.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { benchArgs } from '../src/bench/args';
import {
  type BenchRow,
  createReport,
  formatReport,
  freeMemoryGiB,
  type Ratio,
  ratio,
  timeOnce,
  timeProcess,
  type Workload,
  writeReport,
} from '../src/bench/harness';
import { mergeRuns } from '../src/bench/stream-cluster';
import { floorGet, floorPut } from '../src/bench/webhdfs-floor';
import { loadConfig } from '../src/config';
import { isLoglabError } from '../src/errors';
import { READ_CHUNK } from '../src/log/lines';
import { createLocalStore, createWebHdfsStore, type Store } from '../src/storage';

const TARGET_VS_CURL = 0.9;
const TARGET_VS_FSSHELL = 1;
const CLUSTER_CONF = join('.cluster', 'hdfs', 'conf');
const CLUSTER_JARS = join('.cluster', 'lib', 'hdfs');

const args = benchArgs(
  'storage',
  `usage: npx tsx bench/storage.ts [--size MB] [--runs N] [--warmup N]
Write and read throughput of one file (default 256 MB) on a real HDFS: loglab's WebHDFS adapter
beside curl, bare node:http and FsShell -put/-get, with the local adapter as a reference. Needs
HDFS (npm run cluster -- up --services hdfs), curl and java. Writes bench/results/storage.json.`,
  { values: ['size', 'runs', 'warmup'] },
);
const fail: (message: string) => never = args.fail;
const sizeMB = args.count('size', 256);
const runs = args.count('runs', 3);
const warmup = args.count('warmup', 1, 0);
const bytes = sizeMB * 1e6;
const per: Workload = { bytes };

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const { url, user } = config.hdfs;
const webhdfs = (path: string, op: string) =>
  `${url}/webhdfs/v1${path}?op=${op}&user.name=${encodeURIComponent(user)}`;

/** Whether WebHDFS answers; the reason it does not, otherwise. */
async function hdfsDown(): Promise<string | null> {
  try {
    const res = await fetch(webhdfs('/', 'GETFILESTATUS'), { signal: AbortSignal.timeout(5000) });
    return res.ok ? null : `WebHDFS answered ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return cause ?? (err instanceof Error ? err.message : String(err));
  }
}

function hasCommand(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** Random bytes into `file`, 1 MiB at a time; their sha256. */
async function makeFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let left = bytes; left > 0; left -= chunk.length) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      randomFillSync(piece);
      hash.update(piece);
      await handle.write(piece);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** A sink that counts what it is given. */
function counter(): { sink: Writable; read: () => number } {
  let n = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb();
    },
  });
  return { sink, read: () => n };
}

async function sha256Of(store: Store, path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(await store.open(path), hash);
  return hash.digest('hex');
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** One in-process call timed alone, with this process's CPU time meanwhile. */
function once(name: string, group: string, fn: () => Promise<unknown>): Promise<BenchRow> {
  return timeOnce(name, group, per, fn);
}

interface Contender {
  readonly name: string;
  /** Where its copy lives: an HDFS path, or a lake path of the local store. */
  readonly path: string;
  readonly write: () => Promise<BenchRow>;
  readonly read: () => Promise<BenchRow>;
}

function storeContender(name: string, store: Store, path: string): Contender {
  return {
    name,
    path,
    write: () =>
      once(`${name} write`, 'write', async () => {
        await pipeline(
          createReadStream(source, { highWaterMark: READ_CHUNK }),
          await store.create(path, { overwrite: true }),
        );
      }),
    read: () =>
      once(`${name} read`, 'read', async () => {
        const { sink, read } = counter();
        await pipeline(await store.open(path), sink);
        if (read() !== bytes) throw new Error(`${name} read ${read()} of ${bytes} bytes`);
      }),
  };
}

/** Bare `node:http` in this process: what any Node client of WebHDFS stands on. */
function nodeHttpContender(path: string): Contender {
  const target = { url, user };
  return {
    name: 'node:http',
    path,
    // An `async` function, not an arrow returning a promise: tinybench calls any other once
    // more to learn whether it is asynchronous, which would start a second upload.
    write: () =>
      once('node:http write', 'write', async () => {
        await floorPut(target, path, source);
      }),
    read: () =>
      once('node:http read', 'read', async () => {
        const n = await floorGet(target, path);
        if (n !== bytes) throw new Error(`node:http read ${n} of ${bytes} bytes`);
      }),
  };
}

function processRow(name: string, group: string, command: string, args: string[], env?: object) {
  return timeProcess({
    name,
    group,
    command,
    args,
    runs: 1,
    warmupRuns: 0,
    per,
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
}

function curlContender(path: string): Contender {
  return {
    name: 'curl',
    path,
    // The NameNode answers CREATE with a 307 to a DataNode; curl asks `Expect: 100-continue`,
    // so it sends the body only once, to the DataNode, which -L follows with the same PUT.
    write: () =>
      processRow('curl write', 'write', 'curl', [
        '-sSfL',
        '-o',
        '/dev/null',
        '-T',
        source,
        `${webhdfs(path, 'CREATE')}&overwrite=true`,
      ]),
    read: () =>
      processRow('curl read', 'read', 'curl', ['-sSfL', '-o', '/dev/null', webhdfs(path, 'OPEN')]),
  };
}

function fsShellContender(path: string, got: string): Contender {
  const java = (...args: string[]) => [
    '-cp',
    `${CLUSTER_CONF}:${join(CLUSTER_JARS, '*')}`,
    'org.apache.hadoop.fs.FsShell',
    ...args,
  ];
  const env = { HADOOP_USER_NAME: user };
  return {
    name: 'FsShell',
    path,
    write: () => processRow('FsShell -put', 'write', 'java', java('-put', '-f', source, path), env),
    read: async () => {
      rmSync(got, { force: true });
      return processRow('FsShell -get', 'read', 'java', java('-get', path, got), env);
    },
  };
}

/** Runs the rounds; the exit code. */
async function measure(dir: string): Promise<number> {
  const down = await hdfsDown();
  if (down !== null) {
    // Nothing here runs without HDFS: a skip, not a failure, so `npm run bench` goes on.
    process.stdout.write(
      `bench/storage: skipped: HDFS is not up at ${url} (${down}); start it with \`npm run cluster -- up --services hdfs\`\n`,
    );
    return 0;
  }
  const notes: string[] = [];
  const hdfs = createWebHdfsStore({ url, user });
  const local = await createLocalStore({ root: join(dir, 'lake') });
  const base = `/bench/storage-${process.pid}`;
  const contenders: Contender[] = [
    storeContender('loglab WebHDFS', hdfs, `${base}/loglab.bin`),
    nodeHttpContender(`${base}/node-http.bin`),
  ];
  if (hasCommand('curl', ['--version'])) contenders.push(curlContender(`${base}/curl.bin`));
  else notes.push('curl: not installed, left out (apt-get install curl)');
  const got = join(dir, 'fsshell-get.bin');
  if (existsSync(CLUSTER_JARS) && existsSync(CLUSTER_CONF) && hasCommand('java', ['-version'])) {
    contenders.push(fsShellContender(`${base}/fsshell.bin`, got));
  } else {
    notes.push(`FsShell: left out (needs java and ${CLUSTER_JARS}, from npm run cluster -- up)`);
  }
  contenders.push(storeContender('loglab local', local, '/bench/local.bin'));

  process.stdout.write(`writing ${sizeMB} MB of random bytes to ${dir} …\n`);
  const digest = await makeFile(source);
  await hdfs.mkdirs(base);
  try {
    const samples = new Map<string, BenchRow[]>();
    const rounds = warmup + runs;
    for (let round = 0; round < rounds; round++) {
      const measured = round >= warmup;
      process.stdout.write(
        measured ? `round ${round - warmup + 1} of ${runs} …\n` : `warm-up round …\n`,
      );
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const c of order) {
        for (const task of [c.write, c.read]) {
          const row = await task();
          if (measured) samples.set(row.name, [...(samples.get(row.name) ?? []), row]);
        }
      }
    }
    // Writes first, then reads, each in the contenders' order.
    const merged = [...samples.values()].map(mergeRuns);
    const rows = ['write', 'read'].flatMap((group) =>
      contenders.flatMap((c) =>
        merged.filter((r) => r.group === group && r.name.startsWith(`${c.name} `)),
      ),
    );

    // Every copy, untimed: the bytes that arrived are the bytes sent.
    for (const c of contenders) {
      const store = c.name === 'loglab local' ? local : hdfs;
      const copy = await sha256Of(store, c.path);
      if (copy !== digest) throw new Error(`${c.name}: the copy's sha256 differs from the source`);
    }
    if (existsSync(got) && (await sha256OfFile(got)) !== digest) {
      throw new Error("FsShell -get: the file's sha256 differs from the source");
    }
    notes.push(`every copy checked by sha256 against the source (${digest.slice(0, 16)}…)`);

    const has = (name: string) => rows.some((r) => r.name === name);
    const ratios: Ratio[] = [];
    for (const [op, curl, fsshell] of [
      ['write', 'curl write', 'FsShell -put'],
      ['read', 'curl read', 'FsShell -get'],
    ] as const) {
      const subject = `loglab WebHDFS ${op}`;
      if (has(curl)) {
        ratios.push(ratio(rows, subject, curl, `loglab WebHDFS / curl, ${op}`, TARGET_VS_CURL));
      }
      if (has(fsshell)) {
        ratios.push(
          ratio(rows, subject, fsshell, `loglab WebHDFS / ${fsshell}`, TARGET_VS_FSSHELL),
        );
      }
      ratios.push(
        ratio(rows, subject, `node:http ${op}`, `loglab WebHDFS / bare node:http, ${op}`),
        ratio(rows, subject, `loglab local ${op}`, `loglab WebHDFS / local, ${op}`),
      );
    }
    notes.push(
      `one ${sizeMB} MB file of random bytes; ${runs === 1 ? 'one round' : `the mean of ${runs} rounds`} ` +
        `after ${warmup} warm-up round${warmup === 1 ? '' : 's'}, order reversed every other round; ` +
        `HDFS at ${url} (user ${user}); curl and FsShell are whole processes (FsShell: JVM start ` +
        'included; -get writes to the local disk); cpu ms is this process for the adapters, the ' +
        'child for curl and FsShell, never HDFS itself',
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}, free memory ${freeMemoryGiB()} GiB`,
    );
    const report = createReport('storage', rows, ratios, notes);
    process.stdout.write(formatReport(report));
    process.stdout.write(`results: ${writeReport(report)}\n`);
    return 0;
  } finally {
    await hdfs.delete(base, { recursive: true, missingOk: true });
    await hdfs.close();
    await local.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'loglab-bench-storage-'));
const source = join(dir, 'source.bin');
try {
  process.exitCode = await measure(dir);
} catch (err) {
  process.stderr.write(
    `bench/storage: ${isLoglabError(err) || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
