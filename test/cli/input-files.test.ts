/**
 * What the commands that read a log file make of files that are not plain log text: a gzip file
 * (a rotated access.log.1.gz) is read decompressed, a byte order mark at the start is not part
 * of the first client address, and a broken gzip file is one line and exit 2. Each command gives
 * the same figures as on the plain file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-input-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  '2600:1700:1:2::5 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"',
  '2600:1700:1:2::5 - - [10/Oct/2000:13:55:37 +0000] "GET /b HTTP/1.1" 404 5 "-" "ua"',
  '1.2.3.4 - - [10/Oct/2000:13:55:38 +0000] "GET /a HTTP/1.1" 500 5 "-" "ua"',
];
const TEXT = `${LINES.join('\n')}\n`;

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const plain = file('access.log', Buffer.from(TEXT));
const gzipped = file('access.log.1.gz', gzipSync(TEXT));
// No .gz in its name: the magic bytes say what it is.
const gzippedUnnamed = file('access.log.1', gzipSync(TEXT));
const BOM_TEXT = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]);
const withBom = file('bom.log', BOM_TEXT);
// Read as a stream (gzip), not cut into ranges: the stream reader drops the mark too.
const gzippedWithBom = file('bom.log.gz', gzipSync(BOM_TEXT));

describe('input files', () => {
  it('summary: a gzip file and a file with a byte order mark give the plain file figures', async () => {
    const expected = await runLoglab(['summary', '--json', plain]);
    expect(expected.code).toBe(0);
    expect(JSON.parse(expected.stdout)).toMatchObject({ total: 3, uniqueVisitors: 2 });
    for (const path of [gzipped, gzippedUnnamed, withBom, gzippedWithBom]) {
      const run = await runLoglab(['summary', '--json', path]);
      expect([run.code, run.stdout]).toEqual([0, expected.stdout]);
    }
  });

  it('parse and detect read a gzip file decompressed, and the first address without the mark', async () => {
    for (const path of [gzipped, withBom]) {
      const parsed = await runLoglab(['parse', path]);
      expect(parsed.stderr).toBe('read 3, parsed 3, rejected 0\n');
      expect(parsed.stdout.split('\n')[0]).toContain('"ip":"2600:1700:1:2::5"');
      const detected = await runLoglab(['detect', path]);
      expect(detected.code).toBe(0);
      expect(detected.stderr).toMatch(/^read 3, parsed 3, rejected 0, late 0, /m);
    }
  });

  it('a gzip file cut short: what was read, then one line and exit 2', async () => {
    const whole = gzipSync(TEXT.repeat(200));
    const cut = file('cut.log.gz', whole.subarray(0, whole.length - 40));
    const run = await runLoglab(['parse', cut]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`loglab parse: cannot read ${cut}: unexpected end of file\n`);
    // Before, summary said "unexpected failure" and exited 1.
    const summary = await runLoglab(['summary', cut]);
    expect([summary.code, summary.stderr]).toEqual([
      2,
      `loglab summary: cannot read ${cut}: unexpected end of file\n`,
    ]);
  });

  it('gzip on stdin is read decompressed too, told by its first bytes: parse, summary, detect, mapreduce', async () => {
    const zipped = gzipSync(TEXT);
    const parsed = await runLoglab(['parse', '-'], { input: zipped });
    expect([parsed.code, parsed.stderr]).toEqual([0, 'read 3, parsed 3, rejected 0\n']);
    expect(parsed.stdout).toBe((await runLoglab(['parse', plain])).stdout);
    const summary = await runLoglab(['summary', '--json', '-'], { input: zipped });
    expect([summary.code, summary.stdout]).toEqual([
      0,
      (await runLoglab(['summary', '--json', plain])).stdout,
    ]);
    const detected = await runLoglab(['detect', '-'], { input: zipped });
    expect(detected.stderr).toMatch(/^read 3, parsed 3, rejected 0, late 0, /m);
    const rows = await runLoglab(['mapreduce', 'run', 'errors', '--input', '-'], { input: zipped });
    expect([rows.code, rows.stdout]).toEqual([
      0,
      (await runLoglab(['mapreduce', 'run', 'errors', '--input', plain])).stdout,
    ]);
    // Plain text of one byte, or none, passes as it is.
    expect((await runLoglab(['parse', '-'], { input: 'x' })).stderr).toMatch(/read 1, parsed 0/);
    expect((await runLoglab(['parse', '-'], { input: '' })).stderr).toBe(
      'read 0, parsed 0, rejected 0\n',
    );
    // gzip cut short on stdin: one line, exit 2.
    const whole = gzipSync(TEXT.repeat(200));
    const cut = await runLoglab(['summary', '-'], { input: whole.subarray(0, whole.length - 40) });
    expect([cut.code, cut.stderr]).toEqual([
      2,
      'loglab summary: cannot read stdin: unexpected end of file\n',
    ]);
  });
});
