/**
 * Ctrl-C (or SIGTERM) during `loglab summary`: one line saying no summary was printed (a summary
 * of the part read would be a wrong one: the peak hour, the top lists), exit 130; before, it
 * ended silently. The pipe is left open, so the signal comes while the summary reads (a file
 * on disk is read too fast to catch: 160 MB in under 2 s on two threads).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './run-loglab';

/**
 * `loglab summary -` fed 2,000 lines (about 540 KB) through a pipe left open, signalled once it
 * has read them: the last write's callback runs once the pipe (64 KB) took its bytes, so the
 * program is in its read loop by then, its signal handler in place. Its exit code and output.
 */
async function interrupted(signal: NodeJS.Signals) {
  const child = spawn(process.execPath, [BIN, 'summary', '-'], {
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
  const gen = spawnSync(process.execPath, [BIN, 'generate', '--lines', '2000'], { cwd: ROOT });
  expect(gen.stdout.length).toBeGreaterThan(8 * 65_536);
  await new Promise<void>((resolve, reject) =>
    child.stdin.write(gen.stdout, (err) => (err ? reject(err) : resolve())),
  );
  expect(child.exitCode).toBe(null);
  child.kill(signal);
  return { code: await ended, stdout, stderr };
}

describe('loglab summary interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'says so in one line on %s while reading an open pipe, prints no summary, exit 130',
    async (signal) => {
      expect(await interrupted(signal)).toEqual({
        code: 130,
        stdout: '',
        stderr: 'loglab summary: interrupted, no summary printed\n',
      });
    },
    30_000,
  );

  it('says the summary was cut short when Ctrl-C comes while it is printed to a slow reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loglab-summary-int-'));
    try {
      const log = join(dir, 'day.log');
      // 40,000 distinct addresses and URLs, every one listed: megabytes of summary, far more
      // than a pipe holds, so the writer blocks on it.
      const lines = Array.from(
        { length: 40_000 },
        (_, i) =>
          `10.${i >> 16}.${(i >> 8) & 255}.${i & 255} - - [05/Dec/2026:22:59:58 +0000] "GET /page/${i} HTTP/1.1" 200 5 "-" "ua"\n`,
      );
      writeFileSync(log, lines.join(''));
      const child = spawn(process.execPath, [BIN, 'summary', log, '--top', '100000'], {
        cwd: ROOT,
        env: { ...process.env, FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += String(d);
      });
      const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
      // The first bytes of the summary: it is printing, and (nobody reading) blocked.
      await new Promise((resolve) => child.stdout.once('readable', resolve));
      child.kill('SIGINT');
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += String(d);
      });
      expect(await ended).toBe(130);
      expect(stderr).toBe(
        'loglab summary: interrupted while printing the summary, which is cut short\n',
      );
      const whole = spawnSync(process.execPath, [BIN, 'summary', log, '--top', '100000'], {
        cwd: ROOT,
        maxBuffer: 1 << 26,
      }).stdout.toString();
      expect(whole.length).toBeGreaterThan(16 * 65_536);
      expect(stdout.length).toBeLessThan(whole.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
