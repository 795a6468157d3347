/**
 * Two ways to run `loglab` in a test, with the same result shape.
 *
 * `runLoglab` runs the program's entry point, `main(argv, io)`, in the test's own process with
 * a stdin of its own and stdout and stderr collected: what a command prints and its exit code,
 * without the ~0.3 s a new Node process with tsx costs. Runs may overlap: each sees only its own
 * streams and environment.
 *
 * `spawnLoglab` starts `bin/loglab.mjs` as a child process, for what only a real process shows:
 * the exit code the shell sees, signals, a stdin pipe.
 *
 * Neither shows a stack trace for any outcome of a command, expected or not: both check.
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { main } from '../../src/cli/program';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'loglab.mjs');

export interface LoglabRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** What stdin holds; empty by default. */
  input?: string | Buffer;
  /** Variables over the test's own environment (FORCE_COLOR=0 and no LOGLAB_ENGINE before them). */
  env?: Record<string, string>;
}

function environment(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '', ...env };
}

/** A stream that keeps everything written to it. */
function collector(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** `loglab ARGS` through `main`, in this process. */
export async function runLoglab(args: string[], options: RunOptions = {}): Promise<LoglabRun> {
  const stdin = new PassThrough();
  stdin.end(options.input ?? '');
  const stdout = collector();
  const stderr = collector();
  const code = await main(args, {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: environment(options.env),
    exitCode: undefined,
  });
  const run = { code, stdout: stdout.text(), stderr: stderr.text() };
  expect(run.stderr).not.toMatch(/^ {4}at /m);
  return run;
}

/** `loglab ARGS` as a child process of its own, started from the repository's root. */
export function spawnLoglab(
  args: string[],
  options: RunOptions & Pick<SpawnSyncOptions, 'timeout'> = {},
): LoglabRun {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    env: environment(options.env),
    maxBuffer: 1 << 28,
    timeout: options.timeout,
  });
  expect(result.stderr).not.toMatch(/^ {4}at /m);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
