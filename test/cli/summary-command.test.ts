import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOptions, generateLines } from '../../src/generate/index';
import { splitLines } from '../../src/log/lines';
import { summarizeLines } from '../../src/summary/summarize';
import { runLoglab, spawnLoglab } from './run-loglab';

function run(args: string[], input?: string) {
  return runLoglab(['summary', ...args], { input });
}

/** The same through the real binary, whose stdin is a pipe. */
function runProcess(args: string[], input?: string) {
  return spawnLoglab(['summary', ...args], { input });
}

const dir = mkdtempSync(join(tmpdir(), 'loglab-summary-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'access.log');
const text = `${[...generateLines(defaultOptions({ lines: 2000, seed: 3, incidents: ['error-burst'] }))].join('\n')}\nnot a log line\n`;
writeFileSync(file, text);

describe('loglab summary', () => {
  it('prints the seed-style text summary of a file', async () => {
    const r = await run([file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Summary of ${file}`);
    expect(lines[1]).toMatch(
      /^ {2}requests +2000 {2}\(2001 lines read, 1 rejected: bad-timestamp 1\)$/,
    );
    for (const title of ['Requests per status code', 'Top 10 URLs', 'Top 10 IPs']) {
      expect(lines).toContain(title);
    }
    expect(lines).toContain('Error analysis (4xx and 5xx)');
  });

  it('prints one JSON object with the figures of the general path', async () => {
    const r = await run([file, '--json', '--top', '3']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const want = summarizeLines(splitLines(readFileSync(file, 'utf8'))).result({ top: 3 });
    expect(s).toEqual(want);
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining([
        'total',
        'statusCodes',
        'uniqueVisitors',
        'peakHour',
        'topUrls',
        'topIps',
      ]),
    );
    expect(s.topUrls).toHaveLength(3);
  });

  it('reads stdin given "-" or no file, with the same figures as the file', async () => {
    const fromFile = (await run([file, '--json'])).stdout;
    expect(runProcess(['-', '--json'], text).stdout).toBe(fromFile);
    expect((await run(['--json'], text)).stdout).toBe(fromFile);
  });

  it('reads other formats with --format', async () => {
    const clf = '10.0.0.1 - - [12/Mar/2024:10:00:00 +0000] "GET /a HTTP/1.1" 404 12\n';
    const r = await run(['-', '--json', '--format', 'common'], clf.repeat(3));
    const s = JSON.parse(r.stdout);
    expect([s.total, s.statusCodes, s.uniqueVisitors]).toEqual([3, { '404': 3 }, 0]);
  });

  it('shows control characters of paths and hosts as \\xHH, never as raw bytes', async () => {
    // The path's ESC as Apache writes it (`\x1b`, decoded by the parser), the host's raw: a
    // host field is not validated.
    const evil = join(dir, 'evil.log');
    const line = (host: string, status: number) =>
      `${host} - - [12/Mar/2024:10:00:00 +0000] "GET /a\\x1b[31m HTTP/1.1" ${status} 12 "-" "ua"`;
    writeFileSync(evil, `${line('10.0.0.1\x1b]0;pwned\x07', 500)}\n${line('10.0.0.2', 200)}\n`);
    const r = await run([evil]);
    expect(r.code).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(r.stdout.split('\n').slice(10)).toEqual([
      'Top 1 URLs',
      '  hits  url',
      '     2  /a\\x1b[31m',
      '',
      'Top 2 IPs',
      '  hits  ip',
      '     1  10.0.0.1\\x1b]0;pwned\\x07',
      '     1  10.0.0.2',
      '',
      'Error analysis (4xx and 5xx)',
      '  url         status  count',
      '  /a\\x1b[31m     500      1',
      '',
    ]);
  });

  it('shows bidirectional overrides as \\uXXXX, in the text and in --json (the same value)', async () => {
    // A right-to-left override turns the rest of the line around: /bidi‮cod.exe read /bidiexe.doc.
    const evil = join(dir, 'bidi.log');
    const path = '/bidi\u202ecod.exe\u2066x\u2069\u009bm';
    writeFileSync(
      evil,
      `10.0.0.1 - - [12/Mar/2024:10:00:00 +0000] "GET ${path} HTTP/1.1" 404 12 "-" "ua"\n`,
    );
    const r = await run([evil]);
    expect(r.stdout).not.toMatch(/[\u009b\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('     1  /bidi\\u202ecod.exe\\u2066x\\u2069\\x9bm\n');
    const json = await run([evil, '--json']);
    expect(json.stdout).not.toMatch(/[\u009b\u202a-\u202e\u2066-\u2069]/);
    expect(json.stdout).toContain('"/bidi\\u202ecod.exe\\u2066x\\u2069\\u009bm"');
    expect(JSON.parse(json.stdout).topUrls[0].key).toBe(path);
  });

  it('answers --help with an example', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: loglab summary [options] [file]');
    expect(r.stdout).toContain('$ loglab summary access.log');
  });

  it('gives one line and exit code 2 for unreadable input', async () => {
    const missing = await run([join(dir, 'missing.log')]);
    expect([missing.code, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toBe(
      `loglab summary: cannot read ${join(dir, 'missing.log')}: no such file\n`,
    );
    const directory = await run([dir]);
    expect([directory.code, directory.stderr]).toEqual([
      2,
      `loglab summary: cannot read ${dir}: it is a directory\n`,
    ]);
  });

  it('gives one line and exit code 2 for bad flags', async () => {
    for (const args of [
      [file, '--format', 'xml'],
      [file, '--top', '0'],
      [file, '--threads', 'two'],
      [file, '--nope'],
    ]) {
      const r = await run(args);
      expect({ args, code: r.code, lines: r.stderr.trimEnd().split('\n').length }).toEqual({
        args,
        code: 2,
        lines: 1,
      });
      expect(r.stdout).toBe('');
    }
  });
});
