/**
 * The streams, environment and exit code of one `loglab` run: the process's own unless
 * `main(argv, io)` is given others, as the tests give them to run commands in the test's own
 * process.
 *
 * Commands ask `cliIo()` where the run's stdin, stdout and stderr are instead of reaching for
 * `process.stdout` and the like. The answer follows the run through every `await` (an
 * AsyncLocalStorage), so two runs that overlap in one process never see each other's streams,
 * and no command's signature has to carry it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable, Writable } from 'node:stream';

/** An output stream; a terminal says so with `isTTY` and tells its size. */
export type OutStream = Writable & { isTTY?: boolean; columns?: number; rows?: number };

/** A terminal: one of the process's own streams, with everything a terminal has. */
export function isTerminal(out: OutStream): out is NodeJS.WriteStream {
  return out.isTTY === true;
}

export interface CliIo {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** Where LOGLAB_ENGINE, LOGLAB_KAFKA_BROKERS, … are read. */
  readonly env: NodeJS.ProcessEnv;
  /** Set by a command that finished its output but must still fail (a quality gate). */
  exitCode: number | undefined;
}

/** The process's own streams and environment, with no exit code set yet. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    exitCode: undefined,
  };
}

const current = new AsyncLocalStorage<CliIo>();
let fallback: CliIo | null = null;

/** Runs `fn` (and everything it awaits) with `io` as the answer of `cliIo()`. */
export function withIo<T>(io: CliIo, fn: () => T): T {
  return current.run(io, fn);
}

/** The io of the run in progress; the process's own outside any run. */
export function cliIo(): CliIo {
  const io = current.getStore();
  if (io !== undefined) return io;
  fallback ??= processIo();
  return fallback;
}
