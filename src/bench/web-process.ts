/**
 * `loglab … --web` as a child process for the browser tests and bench/dashboard.ts: started on
 * a port of the caller's choosing, ready once it prints its URL, with its stdout (the alert
 * lines) collected as it comes, and stopped by Ctrl-C (SIGINT) the way a person stops it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'loglab.mjs');

export interface WebProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout holds a line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Ctrl-C, then the exit code (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
}

/** A port nobody listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startWeb(args: string[], input?: string): Promise<WebProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
    wake();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      wake();
      resolve(code);
    });
  });
  if (input !== undefined) child.stdin?.write(input);

  const until = async (check: () => string | null, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== null) return found;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`${what} never came; stderr: ${err}`);
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  const url = await until(
    () => /live dashboard at (http:\/\/\S+)/.exec(err)?.[1] ?? null,
    'the URL line',
    30_000,
  );
  return {
    child,
    url,
    stdout: () => out,
    stderr: () => err,
    waitForLine: (pattern, timeoutMs = 30_000) =>
      until(
        () => out.split('\n').find((l) => pattern.test(l)) ?? null,
        `a line like ${pattern}`,
        timeoutMs,
      ),
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
