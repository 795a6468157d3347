/**
 * Ctrl-C (or SIGTERM) during `loglab mapreduce run` on the embedded engine: the process ends with
 * 130 and one line saying no rows were printed, and leaves no spill folder behind in the
 * temporary folder (it left `loglab-mapreduce-*` with megabytes of runs, ended by the signal).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = join(dir, 'day.log');

/** loglab's entries under `root` (tsx keeps its cache there too), relative to it. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) =>
    p.includes('loglab-'),
  );
}

beforeAll(() => {
  // 200,000 lines (53 MB): with --memory 1 the run spills within a second and takes several.
  const fd = openSync(log, 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, 'generate', '--lines', '200000'], {
      cwd: ROOT,
      stdio: ['ignore', fd, 'pipe'],
    });
    expect(r.status).toBe(0);
  } finally {
    closeSync(fd);
  }
}, 60_000);

describe('loglab mapreduce run interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'removes its spill folder on %s and ends with 130',
    async (signal) => {
      const tmp = join(dir, `tmp-${signal}`);
      mkdirSync(tmp);
      const args = ['mapreduce', 'run', 'all', '--input', log, '--memory', '1', '--workers', '2'];
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '', TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
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
      // Wait until the map phase has spilled runs, then send the signal.
      const spilled = () => tree(tmp).some((p) => p.endsWith('.run'));
      const deadline = Date.now() + 60_000;
      while (!spilled() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(spilled()).toBe(true);
      child.kill(signal);
      const code = await ended;
      expect({ code, stdout, stderr, left: tree(tmp) }).toEqual({
        code: 130,
        stdout: '',
        stderr: 'loglab mapreduce: interrupted, no rows printed\n',
        left: [],
      });
    },
    90_000,
  );
});
