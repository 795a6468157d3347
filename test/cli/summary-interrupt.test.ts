/**
 * Ctrl-C (or SIGTERM) during `loglab summary`: one line saying no summary was printed (a summary
 * of the part read would be a wrong one: the peak hour, the top lists), exit 130; before, it
 * ended silently. The pipe is left open, so the signal comes while the summary reads (a file
 * on disk is read too fast to catch: 160 MB in under 2 s on two threads).
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './run-loglab';

/** `loglab summary ARGS`, signalled once `ready` says so; its exit code and output. */
async function interrupted(args: string[], signal: NodeJS.Signals, feed: boolean) {
  const child = spawn(process.execPath, [BIN, 'summary', ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  if (feed) {
    // Lines, and the pipe left open: the summary waits for more.
    const gen = spawnSync(process.execPath, [BIN, 'generate', '--lines', '2000'], { cwd: ROOT });
    child.stdin.write(gen.stdout);
  } else {
    child.stdin.end();
  }
  // Well into the reading (the program has started and taken its first lines).
  await new Promise((r) => setTimeout(r, 2500));
  expect(child.exitCode).toBe(null);
  child.kill(signal);
  return { code: await ended, stdout, stderr };
}

describe('loglab summary interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'says so in one line on %s while reading an open pipe, prints no summary, exit 130',
    async (signal) => {
      expect(await interrupted(['-'], signal, true)).toEqual({
        code: 130,
        stdout: '',
        stderr: 'loglab summary: interrupted, no summary printed\n',
      });
    },
    30_000,
  );
});
