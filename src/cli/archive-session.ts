/**
 * The two runs of `loglab archive` (commands/archive.ts has the flags and help): a file into the
 * lake, or the archiver on a topic. Both open the engine's store the same way, show a progress
 * line on a terminal, stop on Ctrl-C after rolling their open files, and end with one line on
 * stderr that says what happened.
 */
import { badFlag, describeFsError, isLoglabError, LoglabError } from '../errors';
import type { ArchiverRun } from '../pipeline/run-archiver';
import type { Compression } from '../storage/lake-layout';
import type { Store } from '../storage/store';
import type { Engine } from '../stream/broker';
import { ARCHIVE_KAFKA_HINT, withCommandHint } from './broker-hint';
import { cliIo } from './context';
import { createStatusLine, handleInterrupts, thousands } from './streaming';

type Config = import('../config').LoglabConfig;

export interface ArchiveSettings {
  readonly engine: string | undefined;
  readonly lake: string | undefined;
  readonly topic: string;
  readonly rollBytes: number;
  readonly rollIntervalMs: number;
  readonly compression: Compression;
}

export interface TopicSettings {
  readonly group: string | undefined;
  readonly brokers: string | undefined;
  readonly idleExitMs: number | undefined;
  readonly maxLines: number | undefined;
  /** How long a broker that went away is waited for (--broker-wait). */
  readonly brokerWaitMs: number;
}

export const EMBEDDED_TOPIC_MESSAGE =
  'the embedded broker lives inside one process, so nothing outside it can feed a topic: ' +
  'archive a log with `loglab archive FILE`, or pipe one in: ' +
  '`loglab generate --lines 100000 | loglab archive -`';

export const HDFS_HINT =
  'start it with `npm run cluster -- up --services hdfs`, or point LOGLAB_HDFS_URL at one';

/** The config, with --brokers in place of LOGLAB_KAFKA_BROKERS when given. */
async function archiveConfig(brokers?: string): Promise<Config> {
  const { loadConfig } = await import('../config');
  const env = cliIo().env;
  if (brokers === undefined) return loadConfig(env);
  const wrong = () => badFlag(`--brokers must be host:port[,host:port…], got "${brokers}"`);
  if (brokers.trim() === '') throw wrong();
  try {
    return loadConfig({ ...env, LOGLAB_KAFKA_BROKERS: brokers });
  } catch (err) {
    if (isLoglabError(err) && err.message.startsWith('LOGLAB_KAFKA_BROKERS')) throw wrong();
    throw err;
  }
}

interface Lake {
  readonly store: Store;
  /** Where the last line says the lines went. */
  readonly where: string;
}

/**
 * The engine's store, checked to answer before anything is read: a lake directory that cannot
 * be made, or an HDFS that does not answer, is one line (exit 2) before a group is joined.
 */
async function openLake(engine: Engine, settings: ArchiveSettings, config: Config): Promise<Lake> {
  const { createStore, DEFAULT_LAKE_DIR, hdfsLakeDir } = await import('../config');
  if (engine === 'embedded') {
    const lake = settings.lake ?? DEFAULT_LAKE_DIR;
    const store = await createStore(engine, config, { lakeDir: lake }).catch((err: unknown) => {
      throw new LoglabError(
        'BAD_INPUT',
        `cannot use ${lake} as the lake directory: ${describeFsError(err)}`,
      );
    });
    return { store, where: lake };
  }
  const dir = settings.lake === undefined ? undefined : await hdfsLakeDir(settings.lake);
  const store = await createStore(engine, config, { hdfsDir: dir });
  try {
    // A first request: an HDFS that does not answer (or a --lake folder this user may not
    // make) is one line before a group is joined.
    if (dir === undefined) await store.stat('/');
    else await store.mkdirs('/');
  } catch (err) {
    await store.close();
    if (isLoglabError(err) && err.code === 'SERVICE_DOWN') {
      throw new LoglabError('SERVICE_DOWN', `${err.message}; ${HDFS_HINT}`, {
        retriable: true,
        cause: err,
      });
    }
    throw err;
  }
  const under = dir === undefined || dir === '/' ? '' : ` under ${dir}`;
  return { store, where: `HDFS at ${config.hdfs.url}${under}` };
}

/** Redraws `text()` on a terminal's stderr every 250 ms until the returned stop is called. */
function showProgress(text: () => string): () => void {
  const status = createStatusLine();
  if (!status.enabled) return () => {};
  const timer = setInterval(() => status.show(text()), 250);
  return () => {
    clearInterval(timer);
    status.clear();
  };
}

function rate(lines: number, since: number): string {
  const s = Math.max((performance.now() - since) / 1000, 0.001);
  return `${thousands(lines / s)} lines/s`;
}

/** `loglab archive FILE|-`. */
export async function archiveFile(file: string, settings: ArchiveSettings): Promise<void> {
  const [io, { archiveLines }] = await Promise.all([
    import('./io'),
    import('../pipeline/archive-lines'),
  ]);
  const config = await archiveConfig();
  const engine: Engine =
    settings.engine !== undefined ? (settings.engine as Engine) : (config.engine ?? 'embedded');
  if (file === '-' && cliIo().stdin.isTTY) {
    throw new LoglabError('BAD_INPUT', 'no input: name a FILE or pipe log lines into stdin');
  }
  const input = io.openInput(file);
  input.stream.on('error', () => {
    // Reported by the read below; this only keeps an unhandled 'error' from crashing.
  });
  let lake: Lake;
  try {
    lake = await openLake(engine, settings, config);
  } catch (err) {
    input.stream.destroy();
    throw err;
  }
  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  const started = performance.now();
  let progress = { lines: 0, files: 0 };
  const stopProgress = showProgress(
    () =>
      `archived ${thousands(progress.lines)} lines into ${thousands(progress.files)} files (${rate(progress.lines, started)})`,
  );
  try {
    const done = await archiveLines(lake.store, io.readLinesUntil(input, stop), {
      topic: settings.topic,
      rollBytes: settings.rollBytes,
      rollIntervalMs: settings.rollIntervalMs,
      compression: settings.compression,
      onProgress: (p) => {
        progress = p;
      },
    });
    stopProgress();
    const dead =
      done.deadLetters === 0
        ? ''
        : `; ${done.deadLetters} of them ${done.deadLetters === 1 ? 'a dead letter' : 'dead letters'}`;
    const range =
      done.lines === 0
        ? 'nothing to add'
        : `offsets ${done.firstOffset}..${done.firstOffset + done.lines - 1}${dead}`;
    const where = stop.aborted ? '; stopped by Ctrl-C' : '';
    cliIo().stderr.write(
      `archived ${done.lines} lines into ${done.files} files (${range}) in ${lake.where}${where}\n`,
    );
  } finally {
    stopProgress();
    interrupts.dispose();
    input.stream.destroy();
    await lake.store.close();
  }
}

/**
 * The Kafka broker of the topic archiver (the caller has refused the embedded engine): the
 * flag, else LOGLAB_ENGINE, else a broker that answers, as the streaming commands choose. The
 * streaming commands' hint offers --engine embedded, which is no way out here: this one does not.
 */
async function openTopicBroker(flag: string | undefined, config: Config) {
  const [{ chooseEngine, createBroker }, { kafkaAnswers }] = await Promise.all([
    import('../config'),
    import('../stream/kafka-broker'),
  ]);
  await chooseEngine(flag, config, 'cluster', async (brokers) => {
    if (await kafkaAnswers(brokers)) return true;
    throw new LoglabError(
      'SERVICE_DOWN',
      `no Kafka broker answers at ${brokers.join(',')}; ${ARCHIVE_KAFKA_HINT}`,
      { retriable: true },
    );
  });
  return createBroker('cluster', config);
}

/** The last line of a topic run. */
export function topicSummary(
  run: ArchiverRun,
  topic: string,
  group: string,
  where: string,
  idleExitMs?: number,
): string {
  const { rolledForward, discarded } = run.recovery;
  const gaps =
    run.gaps.length === 0
      ? 'no gaps'
      : `gaps before partition${run.gaps.length > 1 ? 's' : ''} ${run.gaps.join(', ')} (offsets the lake lacks)`;
  const why = {
    aborted: 'stopped by Ctrl-C',
    closed: 'the broker closed',
    idle: idleExitMs === undefined ? 'stopped when idle' : `nothing new for ${idleExitMs / 1000} s`,
    max: `reached --max ${run.lines}`,
  }[run.stoppedBy];
  const resumed =
    (run.resumes === 0 ? '' : `; resumed ${run.resumes} times after the store failed`) +
    (run.brokerResumes === 0
      ? ''
      : `; resumed ${run.brokerResumes} times after the broker was away`);
  return (
    `archived ${run.lines} lines into ${run.files} files from ${topic} (group ${group}) to ${where}; ` +
    `${run.skipped} records skipped as already in the lake; ` +
    `at start ${rolledForward} rolls finished, ${discarded} unfinished files discarded; ${gaps}${resumed}; ${why}`
  );
}

/** `loglab archive` without FILE: the archiver on a topic until Ctrl-C, --idle-exit or --max. */
export async function archiveTopic(
  settings: ArchiveSettings,
  topicSettings: TopicSettings,
): Promise<void> {
  const [{ runArchiver, ARCHIVER_GROUP }, { standardTopics }] = await Promise.all([
    import('../pipeline/run-archiver'),
    import('../stream/topics'),
  ]);
  const group = topicSettings.group ?? ARCHIVER_GROUP;
  if (group.trim() === '') throw badFlag('--group must not be empty');
  const config = await archiveConfig(topicSettings.brokers);
  if ((settings.engine ?? config.engine) === 'embedded') throw badFlag(EMBEDDED_TOPIC_MESSAGE);
  const { store, where } = await openLake('cluster', settings, config);
  let run: ArchiverRun;
  const interrupts = handleInterrupts(1);
  const [stop] = interrupts.stages;
  let progress = { lines: 0, skipped: 0, files: 0 };
  const started = performance.now();
  const stopProgress = showProgress(() => {
    const skipped = progress.skipped > 0 ? `, ${thousands(progress.skipped)} skipped` : '';
    return `archived ${thousands(progress.lines)} lines into ${thousands(progress.files)} files${skipped} (${rate(progress.lines, started)})`;
  });
  try {
    const broker = await openTopicBroker(settings.engine, config);
    try {
      const standard = standardTopics();
      if (standard.some((t) => t.name === settings.topic)) await broker.createTopics(standard);
      run = await runArchiver(broker, store, {
        topic: settings.topic,
        groupId: group,
        rollBytes: settings.rollBytes,
        rollIntervalMs: settings.rollIntervalMs,
        compression: settings.compression,
        idleExitMs: topicSettings.idleExitMs,
        maxLines: topicSettings.maxLines,
        brokerWaitMs: topicSettings.brokerWaitMs,
        signal: stop,
        log: (line) =>
          cliIo().stderr.write(`loglab archive: ${withCommandHint('archive', line)}\n`),
        onProgress: (p) => {
          progress = p;
        },
      });
    } finally {
      await broker.close();
    }
  } finally {
    stopProgress();
    interrupts.dispose();
    await store.close();
  }
  cliIo().stderr.write(
    `${topicSummary(run, settings.topic, group, where, topicSettings.idleExitMs)}\n`,
  );
}
