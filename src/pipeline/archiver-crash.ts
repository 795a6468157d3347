/**
 * Killing the archiver at a chosen moment, for the notebook and for tests that show why the
 * archive is exactly once: the moment is right after a roll's renames and before its commit, the
 * one where the lake is ahead of the group's committed offsets, while the other partitions'
 * files are half-written under `_tmp/`.
 *
 * - `crashArchiver` runs the archiver in this process and makes it fail there (an error thrown
 *   from `beforeCommit`): the consumer is closed without committing, the open files are left
 *   under `_tmp/`, as a killed process leaves them. Either engine.
 * - `killArchiverProcess` runs it as a child process on the cluster engine
 *   (archiver-process.ts) and SIGKILLs it there: nothing of it runs any more, not even a
 *   `finally`. A real Kafka group and HDFS are needed: the embedded broker lives in one process.
 *
 * Restarting is an ordinary `runArchiver` on the same group: it recovers from the lake.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LoglabError } from '../errors';
import type { Store } from '../storage/store';
import type { Broker } from '../stream/broker';
import type { Roll } from './archive-roller';
import { type RunArchiverOptions, runArchiver } from './run-archiver';

/** The roll that was renamed into the lake and never committed. */
export interface UncommittedRoll {
  readonly partition: number;
  readonly files: readonly string[];
  /** The offset the commit would have stored: the lake holds everything below it. */
  readonly nextOffset: number;
}

export interface CrashReport {
  readonly how: 'error thrown before the commit' | 'SIGKILL';
  /** Rolls renamed and committed before the crash. */
  readonly committedRolls: number;
  readonly uncommitted: UncommittedRoll;
}

export interface CrashOptions extends Omit<RunArchiverOptions, 'beforeCommit' | 'signal'> {
  /**
   * The archiver dies at this roll (1 = the first), after its renames, before its commit. A
   * child process on the cluster dies at the first roll from this one on that finds another
   * partition's file half-written under `_tmp/` (archiver-process.ts).
   */
  readonly crashAtRoll: number;
}

class ArchiverKilled extends Error {}

function uncommitted(roll: Roll): UncommittedRoll {
  return {
    partition: roll.partition,
    files: roll.files.map((f) => f.finalPath),
    nextOffset: roll.nextOffset,
  };
}

/** Runs the archiver in this process until it dies at roll `crashAtRoll`. */
export async function crashArchiver(
  broker: Broker,
  store: Store,
  options: CrashOptions,
): Promise<CrashReport> {
  let rolls = 0;
  let killedAt: Roll | undefined;
  try {
    await runArchiver(broker, store, {
      ...options,
      beforeCommit: (roll) => {
        rolls++;
        if (rolls === options.crashAtRoll) {
          killedAt = roll;
          throw new ArchiverKilled(`killed at roll ${rolls}`);
        }
      },
    });
  } catch (err) {
    if (!(err instanceof ArchiverKilled) || killedAt === undefined) throw err;
    return {
      how: 'error thrown before the commit',
      committedRolls: rolls - 1,
      uncommitted: uncommitted(killedAt),
    };
  }
  throw new LoglabError(
    'BAD_INPUT',
    `the archiver finished after ${rolls} rolls, before roll ${options.crashAtRoll}: nothing to kill`,
  );
}

/** What the child process is told (JSON in its one argument). */
export interface ArchiverProcessArgs {
  readonly topic: string;
  readonly groupId: string;
  readonly rollBytes: number;
  readonly crashAtRoll: number;
  /** Records per poll (the archiver's default when absent). */
  readonly pollRecords?: number;
  /**
   * Bytes one Kafka fetch takes from a partition. kafkajs takes up to 1 MB, so a small topic
   * comes one whole partition after the other; a few KB make the partitions interleave, as in
   * a live stream, and the other partitions have files open when the archiver is killed.
   */
  readonly fetchBytesPerPartition?: number;
}

export interface KillOptions extends ArchiverProcessArgs {
  /** Give up (and kill it anyway) when roll `crashAtRoll` has not come after this long. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./archiver-process.ts', import.meta.url));

/**
 * Starts the archiver as a child process on the cluster engine (LOGLAB_* from `env`), waits
 * until it reports roll `crashAtRoll` renamed, and SIGKILLs it before it can commit.
 */
export function killArchiverProcess(options: KillOptions): Promise<CrashReport> {
  const args: ArchiverProcessArgs = {
    topic: options.topic,
    groupId: options.groupId,
    rollBytes: options.rollBytes,
    crashAtRoll: options.crashAtRoll,
    pollRecords: options.pollRecords,
    fetchBytesPerPartition: options.fetchBytesPerPartition,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(args)], {
    cwd: ROOT,
    env: { ...(options.env ?? process.env), LOGLAB_ENGINE: 'cluster' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let rolls = 0;
    let held: UncommittedRoll | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      let nl = out.indexOf('\n');
      while (nl >= 0) {
        const message = JSON.parse(out.slice(0, nl)) as { roll: number; holding?: UncommittedRoll };
        out = out.slice(nl + 1);
        rolls = message.roll;
        if (message.holding !== undefined && held === undefined) {
          held = message.holding;
          child.kill('SIGKILL');
        }
        nl = out.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (held !== undefined && signal === 'SIGKILL') {
        resolve({ how: 'SIGKILL', committedRolls: rolls - 1, uncommitted: held });
        return;
      }
      const why = err.trim().split('\n').slice(-3).join(' ') || `exit ${code ?? signal}`;
      reject(
        new LoglabError(
          'INTERNAL',
          `the archiver process stopped before roll ${options.crashAtRoll} (after ${rolls}): ${why}`,
        ),
      );
    });
  });
}
