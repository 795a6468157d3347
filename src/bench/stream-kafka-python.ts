/**
 * kafka-python, the client the classic Python system used, as a peer of the cluster stream
 * benchmark beside kafkajs and kcat: `bench/peers/kafka_python_peer.py` produces and consumes in
 * a process of its own, timed as a whole with its CPU time, as kcat is (stream-cluster.ts runs
 * it in the same rounds, on the same file, topic and partitions). The script's docblock lists
 * the settings that match the kafkajs side.
 *
 * kafka-python is not one of loglab's dependencies: the benchmark makes its own Python virtual
 * environment once (git-ignored, under `.cache/`) with the pinned version from PyPI, and reuses
 * it while it imports that version. Where python3, its venv module or PyPI is missing, the
 * benchmark says why in one note and runs without these rows.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Codec } from './codec';
import { type BenchRow, timeProcess } from './harness';

export const KAFKA_PYTHON_VERSION = '3.0.12';
/** The peer script, in the repository. */
export const KAFKA_PYTHON_SCRIPT = fileURLToPath(
  new URL('../../bench/peers/kafka_python_peer.py', import.meta.url),
);
/** Where the benchmark keeps its virtual environment unless told otherwise. */
export const DEFAULT_KAFKA_PYTHON_VENV = fileURLToPath(
  new URL(`../../.cache/kafka-python-${KAFKA_PYTHON_VERSION}`, import.meta.url),
);

export type KafkaPythonSetup =
  | { readonly kind: 'ready'; readonly python: string }
  | { readonly kind: 'missing'; readonly reason: string };

export function isReady(
  setup: KafkaPythonSetup,
): setup is Extract<KafkaPythonSetup, { kind: 'ready' }> {
  return setup.kind === 'ready';
}

export interface KafkaPythonOptions {
  /** The virtual environment's folder (`.cache/kafka-python-<version>` in the repository). */
  readonly venvDir?: string;
  /** The Python that makes it ('python3'). */
  readonly python?: string;
  readonly log?: (line: string) => void;
}

/** The last non-empty line a failed command wrote, for a one-line reason. */
function lastLine(r: SpawnSyncReturns<string>): string {
  if (r.error) return r.error.message;
  const text = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.trim().split('\n');
  return text.filter((l) => l.trim() !== '').pop() ?? `exit ${r.status}`;
}

function run(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs });
}

/** True when `python` imports the pinned kafka-python. */
function hasPinned(python: string): boolean {
  const check = `import kafka, sys; sys.exit(kafka.__version__ != '${KAFKA_PYTHON_VERSION}')`;
  return existsSync(python) && run(python, ['-c', check], 60_000).status === 0;
}

/**
 * The virtual environment's Python with kafka-python installed: made on first use (about half a
 * minute), reused after. Never throws: what is missing comes back as a reason.
 */
export function prepareKafkaPython(options: KafkaPythonOptions = {}): KafkaPythonSetup {
  const dir = options.venvDir ?? DEFAULT_KAFKA_PYTHON_VENV;
  const python = join(dir, 'bin', 'python');
  if (hasPinned(python)) return { kind: 'ready', python };
  const system = options.python ?? 'python3';
  options.log?.(`kafka-python: making a virtual environment in ${dir} (once)`);
  const venv = run(system, ['-m', 'venv', dir], 180_000);
  if (venv.status !== 0) {
    return { kind: 'missing', reason: `\`${system} -m venv\` failed: ${lastLine(venv)}` };
  }
  const pin = `kafka-python==${KAFKA_PYTHON_VERSION}`;
  const pip = run(python, ['-m', 'pip', 'install', '--quiet', pin], 300_000);
  if (pip.status !== 0) {
    return { kind: 'missing', reason: `\`pip install ${pin}\` failed: ${lastLine(pip)}` };
  }
  if (!hasPinned(python)) {
    return { kind: 'missing', reason: `${pin} installed but does not import` };
  }
  return { kind: 'ready', python };
}

export function kafkaPythonProduceRow(codec: Codec): string {
  return `kafka-python produce, ${codec}`;
}

export function kafkaPythonConsumeRow(codec: Codec): string {
  return `kafka-python consume, ${codec}`;
}

/** What the report says once about how these rows were made. */
export const KAFKA_PYTHON_NOTE = `kafka-python ${KAFKA_PYTHON_VERSION} (the classic Python system's client): whole processes like kcat, interpreter start-up included; producer idempotent, acks=all, one request in flight, linger 0, 48 KiB batches a partition (about 1,000 lines a request, as kafkajs's batch 1,000), murmur2 partitioner; consumer a fresh group from the beginning, read_committed, committing after every poll of up to 10,000`;

export interface KafkaPythonTask {
  readonly python: string;
  readonly address: string;
  readonly topic: string;
  readonly group: string;
  readonly messages: number;
  readonly bytes: number;
}

/** One timed run of the peer producing the first `messages` lines of the keyed file. */
export function timeKafkaPythonProduce(
  t: KafkaPythonTask & { readonly file: string; readonly codec: Codec },
): Promise<BenchRow> {
  return timeProcess({
    name: kafkaPythonProduceRow(t.codec),
    group: t.group,
    command: t.python,
    args: [
      KAFKA_PYTHON_SCRIPT,
      ...['produce', t.address, t.topic, t.file, String(t.messages), t.codec],
    ],
    runs: 1,
    warmupRuns: 0,
    per: { messages: t.messages, bytes: t.bytes },
  });
}

/** One timed run of the peer consuming `messages` messages as the new group `groupId`. */
export function timeKafkaPythonConsume(
  t: KafkaPythonTask & { readonly codec: Codec; readonly groupId: string },
): Promise<BenchRow> {
  return timeProcess({
    name: kafkaPythonConsumeRow(t.codec),
    group: t.group,
    command: t.python,
    args: [KAFKA_PYTHON_SCRIPT, 'consume', t.address, t.topic, t.groupId, String(t.messages)],
    runs: 1,
    warmupRuns: 0,
    per: { messages: t.messages, bytes: t.bytes },
  });
}
