/**
 * Symbolic links in a `mapreduce` input directory are followed, as `cat dir/*` follows them (a
 * log directory often names today's file by a link): before, a linked file or directory was
 * skipped without a word. Each real file is read once, however many names lead to it, and a link
 * back up the tree is no loop.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listInputFiles } from '../../src/batch/input';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mapreduce input: symbolic links', () => {
  it('follows links to files and directories, reads each real file once, tells of broken links and FIFOs', () => {
    const logs = join(dir, 'logs');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(join(logs, 'sub'), { recursive: true });
    mkdirSync(elsewhere);
    writeFileSync(join(logs, 'a.log'), 'a\n');
    writeFileSync(join(logs, 'sub', 'b.log'), 'bb\n');
    writeFileSync(join(elsewhere, 'x.log'), 'xxx\n');
    symlinkSync('a.log', join(logs, 'current.log'));
    symlinkSync(join(elsewhere, 'x.log'), join(logs, 'ext.log'));
    symlinkSync('sub', join(logs, 'more'));
    symlinkSync('.', join(logs, 'loop'));
    symlinkSync('nowhere.log', join(logs, 'gone'));
    expect(spawnSync('mkfifo', [join(logs, 'pipe')]).status).toBe(0);
    const skipped: string[][] = [];
    const files = listInputFiles([logs], (path, why) => skipped.push([path, why]));
    expect(files.map((f) => [f.path.slice(logs.length + 1), f.size])).toEqual([
      ['a.log', 2],
      ['ext.log', 4],
      // sub/ is walked once, under the first of its names in name order.
      ['more/b.log', 3],
    ]);
    // What is not read is told, once each (a link back up the tree or to a file read already
    // is the same input, not one left out).
    expect(skipped).toEqual([
      [join(logs, 'gone'), 'a link to nothing readable (no such file)'],
      [join(logs, 'pipe'), 'not a regular file or directory (name it on its own to read a FIFO)'],
    ]);
  });

  it('reads a file once when inputs overlap: a folder and a file in it, a file and a link to it', () => {
    const logs = join(dir, 'overlap');
    mkdirSync(logs);
    writeFileSync(join(logs, 'a.log'), 'a\n');
    symlinkSync(join(logs, 'a.log'), join(dir, 'a-link.log'));
    const listed = (paths: string[]) => listInputFiles(paths).map((f) => f.path);
    expect(listed([logs, join(logs, 'a.log')])).toEqual([join(logs, 'a.log')]);
    expect(listed([join(logs, 'a.log'), join(dir, 'a-link.log')])).toEqual([join(logs, 'a.log')]);
    expect(listed([logs, `${dir}/./overlap`])).toEqual([join(logs, 'a.log')]);
  });
});
