/**
 * `npm run lab` (scripts/lab.ts): a mistyped flag or a second lab number is refused instead of
 * ignored, and a run past its time limit is stopped with its workers and says why (a learner's
 * endless loop never yields to vitest's own test timeout, and the run hung without a word).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** Processes whose environment holds `mark` (the grader, vitest and vitest's workers). */
function processesWith(mark: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(mark)) found.push(Number(name));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

function lab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [TSX, 'scripts/lab.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run lab', () => {
  it('refuses an unknown argument and a second lab number, exit 2', () => {
    const typo = lab(['01', '--solutoin']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.split('\n')[0]).toBe('lab: unknown argument --solutoin');
    const two = lab(['01', '02']);
    expect([two.code, two.stderr]).toEqual([2, 'lab: one lab at a time, got 01 and 02\n']);
  });

  it('stops a run past LOGLAB_LAB_TIMEOUT, with its workers, and says why', () => {
    const before = Date.now();
    // Past vitest's start, so that its workers are running when the run is stopped.
    const mark = `lab-runner-${process.pid}-${Date.now()}`;
    const r = lab(['04', '--solution'], { LOGLAB_LAB_TIMEOUT: '1', LOGLAB_TEST_MARK: mark });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'Grading labs/04-exactly-once/solution.ts: the tests could not run.',
      '  the tests did not finish in 1 s and were stopped: is there a loop in solution.ts that never ends?',
    ]);
    expect(Date.now() - before).toBeLessThan(60_000);
    expect(processesWith(mark)).toEqual([]);
  });

  it('stops vitest and its workers when the grader itself is stopped (SIGTERM)', async () => {
    const mark = `lab-runner-term-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, [TSX, 'scripts/lab.ts', '04', '--solution'], {
      cwd: ROOT,
      env: { ...process.env, LOGLAB_TEST_MARK: mark },
      stdio: 'ignore',
    });
    // Until vitest's workers run (they carry the mark in their environment), then stop it.
    const deadline = Date.now() + 30_000;
    while (processesWith(mark).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesWith(mark).length).toBeGreaterThanOrEqual(3);
    const code = new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
    // tsx passes the signal on to the script it runs.
    child.kill('SIGTERM');
    expect(await code).toBe(143);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesWith(mark)).toEqual([]);
  }, 60_000);

  it('refuses a time limit that is not a number of seconds', () => {
    const r = lab(['01'], { LOGLAB_LAB_TIMEOUT: 'soon' });
    expect([r.code, r.stderr]).toEqual([
      2,
      'lab: LOGLAB_LAB_TIMEOUT must be a number of seconds from 0 to 2147483, got "soon"\n',
    ]);
  });
});
