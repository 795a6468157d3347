/**
 * Ctrl-C under `npx loglab` ends with the exit code the help promises (0), as it does when the
 * bin runs directly. A terminal sends SIGINT to its whole foreground process group: npm, the
 * shell npm starts, and loglab. npm also passes the signal on to its child, so loglab gets one
 * Ctrl-C twice; and a shell that stays in between (dash, Debian's /bin/sh) dies of it, which npm
 * reports as 130. The process is started the way a terminal runs it: `npx loglab …` as the leader
 * of its own process group, which then gets SIGINT as a group.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `npx loglab …` in a new process group; SIGINT to the group once stderr shows `ready`. */
function interruptUnderNpx(args: string[], ready: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['loglab', ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const pid = child.pid as number;
    const guard = setTimeout(() => {
      process.kill(-pid, 'SIGKILL');
      reject(new Error(`no end within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!sent && ready.test(stderr)) {
        sent = true;
        process.kill(-pid, 'SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('Ctrl-C under npx', () => {
  it('stream --rate: the consumer catches up, the summary ends "stopped by Ctrl-C", exit 0', async () => {
    const run = await interruptUnderNpx(['stream', '--rate', '200'], /^1\.\d s {2}produced /m);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('stopped    by Ctrl-C');
    expect(lines.at(-2)).toMatch(/^checksum {3}produced (\d+:\w+), consumed \1: equal$/);
  }, 70_000);
});
