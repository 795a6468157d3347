/** `loglab archive` end to end through the program's entry point: exact files, exact errors. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-archive-'));

const A = '1.2.3.4 - - [05/Dec/2026:22:59:58 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"';
const B = '1.2.3.4 - - [05/Dec/2026:23:00:01 +0000] "GET /b HTTP/1.1" 200 5 "-" "ua"';
const C = '1.2.3.4 - - [05/Dec/2026:23:59:59 +0100] "GET /c HTTP/1.1" 200 5 "-" "ua"';

function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      out[path.slice(root.length)] = readFileSync(path, 'utf8');
    }
  }
  return out;
}

describe('loglab archive', () => {
  it('puts each line in the hour of its event time (UTC), bad lines in the dead letters', async () => {
    const lake = join(dir, 'lake1');
    const run = await runLoglab(['archive', '--lake', lake, '-'], {
      input: `${A}\n${B}\nnot a line\n${C}\n`,
    });
    expect(run.stderr).toBe(`archived 4 lines into 3 files (offsets 0..3) in ${lake}\n`);
    expect(run.code).toBe(0);
    expect(files(lake)).toEqual({
      // C's 23:59:59 +0100 is 22:59:59 UTC.
      '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+0+3.log': `${A}\n${C}\n`,
      '/loglab/raw/date=2026-12-05/hour=23/weblogs.raw+0+1+1.log': `${B}\n`,
      '/loglab/deadletter/weblogs.raw+0+2+2.log':
        '{"reason":"bad-timestamp","message":"no [timestamp] after host, ident and user","line":"not a line"}\n',
    });
  });

  it('adds a second file after the first: offsets go on from the lake', async () => {
    const lake = join(dir, 'lake2');
    const log = join(dir, 'one.log');
    writeFileSync(log, `${A}\n`);
    expect((await runLoglab(['archive', '--lake', lake, log])).code).toBe(0);
    const again = await runLoglab(['archive', '--lake', lake, log]);
    expect(again.stderr).toBe(`archived 1 lines into 1 files (offsets 1..1) in ${lake}\n`);
    expect(Object.keys(files(lake)).sort()).toEqual([
      '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+0+0.log',
      '/loglab/raw/date=2026-12-05/hour=22/weblogs.raw+0+1+1.log',
    ]);
  });

  it('says in one line what is wrong, exit 2', async () => {
    const missing = await runLoglab(['archive', '--lake', join(dir, 'l'), join(dir, 'nope.log')]);
    expect(missing.stderr).toBe(
      `loglab archive: cannot read ${join(dir, 'nope.log')}: no such file\n`,
    );
    expect(missing.code).toBe(2);
    const size = await runLoglab(['archive', '--roll-size', '0', '-'], { input: '' });
    expect(size.stderr).toBe('loglab archive: --roll-size must be a whole number ≥ 1, got "0"\n');
    expect(size.code).toBe(2);
    const notDir = join(dir, 'plain');
    writeFileSync(notDir, 'x');
    const lake = await runLoglab(['archive', '--lake', notDir, '-'], { input: `${A}\n` });
    expect(lake.stderr).toMatch(/^loglab archive: cannot use .*plain as the lake directory: .+\n$/);
    expect(lake.code).toBe(2);
  });
});
