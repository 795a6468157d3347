/**
 * Ctrl-C during `loglab report FILE`'s batch stage: the process ends with 130 and leaves no
 * spill folder of the embedded runner behind in the temporary folder.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeHostileDay } from '../report/hostile-day';
import { BIN } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-report-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** loglab's entries under `root` (tsx keeps its cache there too), relative to it. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) =>
    p.includes('loglab-'),
  );
}

describe('loglab report FILE interrupted', () => {
  it('removes the batch stage spill folder and ends with 130', async () => {
    const day = writeHostileDay(dir, 300_000, 1);
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const child = spawn(process.execPath, [BIN, 'report', day.log, '--out', join(dir, 'r.html')], {
      env: { ...process.env, FORCE_COLOR: '0', TMPDIR: tmp },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Wait until the batch stage has made its spill folder, then press Ctrl-C.
    const deadline = Date.now() + 60_000;
    while (!tree(tmp).some((p) => p.includes('loglab-mapreduce-')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(tree(tmp).some((p) => p.includes('loglab-mapreduce-'))).toBe(true);
    child.kill('SIGINT');
    const code = await ended;
    expect({ code, last: stderr.trimEnd().split('\n').at(-1) }).toEqual({
      code: 130,
      last: 'loglab report: interrupted',
    });
    expect({ left: tree(tmp), stderr }).toEqual({ left: [], stderr });
  }, 90_000);
});
