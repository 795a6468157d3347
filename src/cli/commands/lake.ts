/**
 * `loglab lake ls|du|cat`: what the lake holds, on either engine. `ls` lists a directory,
 * `du` totals bytes and files per hour partition and per Kafka partition (storage/lake-usage.ts),
 * `cat` streams a file's lines to stdout (gunzipped when it ends in .gz).
 *
 * The embedded engine is the default here, not the Kafka probe of the streaming commands: the
 * lake is read, nothing is streamed, and a lake directory that does not exist is an error
 * rather than one made empty, so `ls` never leaves an out/lake behind.
 */
import { existsSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { badInput } from '../../errors';
import type { Store } from '../../storage/store';
import { cliIo } from '../context';

interface LakeFlags {
  engine?: string;
  lake?: string;
  all?: boolean;
}

const EXAMPLES = `
Examples:
  loglab archive access.log && loglab lake du
  loglab lake ls /loglab/raw/date=2026-12-05
  loglab lake cat /loglab/raw/date=2026-12-05/hour=23/weblogs.raw+0+0+99.log | head
  loglab lake du --engine cluster                     HDFS at LOGLAB_HDFS_URL
  loglab lake du --engine cluster --lake /user/me/lake   the lake in that HDFS folder

PATH is a lake path: absolute, letters, digits and . _ = + - between slashes, no . or ..
(default /loglab/raw). The embedded engine reads the lake directory --lake (default out/lake);
the cluster engine reads HDFS through WebHDFS at LOGLAB_HDFS_URL (http://127.0.0.1:9870), under
the folder --lake when given (as \`loglab archive --engine cluster --lake DIR\` wrote it).
ls shows TYPE SIZE NAME, one entry a line, hiding _tmp and other names Hadoop skips (--all
shows them). du shows BYTES FILES and the hour partition, then BYTES FILES and the Kafka
partition (topic+partition, from the file names), then the total; _tmp is never counted.
cat writes a file's lines as stored (a .gz file decompressed); on a terminal their control
characters are shown as \\xHH, as \`loglab consume\` shows them, so a line cannot rewrite the screen.
`;

const DEFAULT_PATH = '/loglab/raw';

function engineOption(): Option {
  return new Option('--engine <engine>', 'embedded (a local lake directory) or cluster (HDFS)');
}

function lakeOption(): Option {
  return new Option(
    '--lake <dir>',
    'the lake: a local directory (embedded, default out/lake), or a folder on HDFS (cluster, default /)',
  );
}

/** Opens the engine's store, runs `fn` on it and closes it. */
async function withStore<T>(flags: LakeFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const { createStore, DEFAULT_LAKE_DIR, hdfsLakeDir, loadConfig, parseEngine } = await import(
    '../../config'
  );
  const config = loadConfig(cliIo().env);
  const engine =
    flags.engine !== undefined ? parseEngine(flags.engine) : (config.engine ?? 'embedded');
  const lakeDir = flags.lake ?? DEFAULT_LAKE_DIR;
  if (engine === 'embedded' && !(existsSync(lakeDir) && statSync(lakeDir).isDirectory())) {
    throw badInput(
      existsSync(lakeDir)
        ? `${lakeDir} is a file, not a lake directory (--lake names the folder loglab archive writes)`
        : `no lake directory ${lakeDir} (loglab archive makes one)`,
    );
  }
  const hdfsDir =
    engine === 'cluster' && flags.lake !== undefined ? await hdfsLakeDir(flags.lake) : undefined;
  const store = await createStore(engine, config, { lakeDir, hdfsDir });
  try {
    // As for a lake directory: a folder that is not there is said as such, not as a missing path.
    if (hdfsDir !== undefined && hdfsDir !== '/' && (await store.stat('/')) === null) {
      throw badInput(
        `no lake folder ${hdfsDir} on HDFS (loglab archive --engine cluster --lake ${hdfsDir} makes one)`,
      );
    }
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function lakePathArg(path: string): Promise<string> {
  const { lakePath } = await import('../../storage/lake-layout');
  return lakePath(path);
}

function padStart(text: string | number, width: number): string {
  return String(text).padStart(width);
}

async function ls(path: string, flags: LakeFlags): Promise<void> {
  const [target, { writeChunk }, { isHiddenName }] = await Promise.all([
    lakePathArg(path),
    import('../io'),
    import('../../storage/lake-layout'),
  ]);
  await withStore(flags, async (store) => {
    const entries = (await store.list(target)).filter(
      (e) => flags.all || e.path === target || !isHiddenName(e.name),
    );
    const width = Math.max(1, ...entries.map((e) => String(e.size).length));
    const out = cliIo().stdout;
    for (const e of entries) {
      const type = e.type === 'directory' ? 'dir ' : 'file';
      await writeChunk(out, `${type} ${padStart(e.size, width)} ${e.name}\n`);
    }
  });
}

async function du(path: string, flags: LakeFlags): Promise<void> {
  const [target, { lakeUsage }] = await Promise.all([
    lakePathArg(path),
    import('../../storage/lake-usage'),
  ]);
  const usage = await withStore(flags, (store) => lakeUsage(store, target));
  const rows = [...usage.partitions, ...usage.kafkaPartitions, usage.total];
  const bw = Math.max(5, ...rows.map((r) => String(r.bytes).length));
  const fw = Math.max(5, ...rows.map((r) => String(r.files).length));
  const line = (bytes: string | number, files: string | number, key: string) =>
    `${padStart(bytes, bw)} ${padStart(files, fw)} ${key}\n`;
  let text = line('BYTES', 'FILES', 'HOUR PARTITION');
  for (const r of usage.partitions) text += line(r.bytes, r.files, r.key);
  text += line('BYTES', 'FILES', 'KAFKA PARTITION');
  for (const r of usage.kafkaPartitions) text += line(r.bytes, r.files, r.key);
  if (usage.unnamed.files > 0) {
    text += line(usage.unnamed.bytes, usage.unnamed.files, '(not a raw file name)');
  }
  text += line(usage.total.bytes, usage.total.files, 'total');
  cliIo().stdout.write(text);
}

async function cat(path: string, flags: LakeFlags): Promise<void> {
  const [target, { pipeline }, { createGunzip }, { terminalLines }] = await Promise.all([
    lakePathArg(path),
    import('node:stream/promises'),
    import('node:zlib'),
    import('../io'),
  ]);
  await withStore(flags, async (store) => {
    const input = await store.open(target);
    const out = cliIo().stdout;
    // Lines come from anyone: on a terminal their control characters are shown as \xHH (ESC or
    // CSI would recolour or rewrite the screen, as in `consume`); into a pipe or a file as stored.
    const steps: NodeJS.ReadWriteStream[] = [];
    if (target.endsWith('.gz')) steps.push(createGunzip());
    if (out.isTTY === true) steps.push(terminalLines());
    // pipeline waits on the reader for each 'drain' of stdout (backpressure) and does not end
    // stdout; a reader gone away (EPIPE) rejects, which the program turns into exit 0.
    await pipeline([input, ...steps, out], { end: false });
  });
}

export function registerLake(program: Command): void {
  const lake = program
    .command('lake')
    .description("What the lake holds: ls, du (bytes per partition), cat (a file's lines).")
    .addHelpText('after', EXAMPLES);
  lake
    .command('ls')
    .description('List a lake directory: TYPE SIZE NAME.')
    .argument('[path]', 'lake path', DEFAULT_PATH)
    .addOption(engineOption())
    .addOption(lakeOption())
    .option('-a, --all', 'also show _tmp and other hidden names')
    .addHelpText('after', EXAMPLES)
    .action(ls);
  lake
    .command('du')
    .description('Bytes and files per hour partition and per Kafka partition, _tmp not counted.')
    .argument('[path]', 'lake path', DEFAULT_PATH)
    .addOption(engineOption())
    .addOption(lakeOption())
    .addHelpText('after', EXAMPLES)
    .action(du);
  lake
    .command('cat')
    .description('Stream a lake file to stdout (gunzipped when it ends in .gz).')
    .argument('<path>', 'lake path of a file')
    .addOption(engineOption())
    .addOption(lakeOption())
    .addHelpText('after', EXAMPLES)
    .action(cat);
  for (const sub of lake.commands) {
    sub.configureOutput({
      outputError: (text, write) => write(`loglab lake: ${text.replace(/^error: /, '').trim()}\n`),
    });
  }
}
