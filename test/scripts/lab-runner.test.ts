/**
 * `npm run lab` (scripts/lab.ts): a mistyped flag or a second lab number is refused instead of
 * ignored, and a run past its time limit is stopped with its workers and says why (a learner's
 * endless loop never yields to vitest's own test timeout, and the run hung without a word).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

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
    const r = lab(['01', '--solution'], { LOGLAB_LAB_TIMEOUT: '0.5' });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'Grading labs/01-parse/solution.ts: the tests could not run.',
      '  the tests did not finish in 0.5 s and were stopped: is there a loop in solution.ts that never ends?',
    ]);
    expect(Date.now() - before).toBeLessThan(60_000);
    const left = spawnSync('pgrep', ['-f', 'vitest.mjs run labs/01-parse'], { encoding: 'utf8' });
    expect(left.stdout).toBe('');
  });

  it('refuses a time limit that is not a number of seconds', () => {
    const r = lab(['01'], { LOGLAB_LAB_TIMEOUT: 'soon' });
    expect([r.code, r.stderr]).toEqual([
      2,
      'lab: LOGLAB_LAB_TIMEOUT must be a number of seconds, got "soon"\n',
    ]);
  });
});
