/**
 * `npm run demo -- --out DIR` ends with the command that draws its report again, and that
 * command draws this run's record, not out/demo/run.json: end to end on the embedded engine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-demo-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The redraw command of the demo's `record:` line, as words. */
function redrawHint(stdout: string): { record: string; words: string[] } {
  const m = /^record: (\S+) \(npx (loglab report[^)]*) draws it again\)$/m.exec(stdout);
  if (m === null) throw new Error(`no record line in:\n${stdout}`);
  return { record: m[1], words: m[2].split(' ') };
}

describe('loglab demo --out DIR, then the report it points at', () => {
  it('names --run DIR/run.json, and report draws that record', async () => {
    const out = join(dir, 'elsewhere');
    const demo = await runLoglab([
      'demo',
      ...['--lines', '2000', '--seed', '3', '--out', out, '--lake', join(dir, 'lake')],
    ]);
    expect(demo.code, demo.stderr).toBe(0);
    const hint = redrawHint(demo.stdout);
    expect(hint).toEqual({
      record: join(out, 'run.json'),
      words: ['loglab', 'report', '--run', join(out, 'run.json')],
    });
    const page = join(dir, 'redrawn.html');
    const report = await runLoglab([...hint.words.slice(1), '--out', page]);
    expect(report.code).toBe(0);
    expect(report.stdout).toBe('');
    expect(report.stderr).toMatch(
      new RegExp(
        `^loglab report: wrote ${page} \\(\\d+ KB, 6 charts\\) from ${out}/run\\.json\\n$`,
      ),
    );
    expect(readFileSync(page, 'utf8')).toContain(
      '<title>loglab report: the generated day 2024-03-12 (seed 3, 2000 lines)</title>',
    );
  }, 120_000);

  it('names plain `npx loglab report` for the default out/demo', () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const r = spawnSync(process.execPath, [BIN, 'demo', '--lines', '2000', '--seed', '3'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(redrawHint(r.stdout)).toEqual({
      record: 'out/demo/run.json',
      words: ['loglab', 'report'],
    });
    expect(existsSync(join(cwd, 'out', 'demo', 'run.json'))).toBe(true);
  }, 120_000);

  it('refuses --run with a log FILE, and a --run that does not exist, in one line', async () => {
    expect(await runLoglab(['report', 'day.log', '--run', 'x.json'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'loglab report: give a log FILE or --run with a run record, not both\n',
    });
    const missing = join(dir, 'none.json');
    expect(await runLoglab(['report', '--run', missing])).toEqual({
      code: 2,
      stdout: '',
      stderr: `loglab report: cannot read ${missing}: no such file\n`,
    });
  });
});
