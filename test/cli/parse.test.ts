/** `loglab parse` end to end through the program's entry point: stdin or a file, exact outputs. */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-parse-'));

function loglab(args: string[], input?: string) {
  return runLoglab(['parse', ...args], { input });
}

const INPUT = [
  '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "ua"',
  '::1 - bob [10/Oct/2000:13:55:37 +0000] "-" 408 -',
  '',
  '5.6.7.8 - - [10/Oct/2000:13:55:38 +0000] "GET /b HTTP/1.1" - 5 "-" "ua"',
  '{"remote_addr":"9.9.9.9","time_iso8601":"2000-10-10T13:55:39+00:00","request":"HEAD / HTTP/1.0","status":"304","body_bytes_sent":"0"}',
].join('\n');

const RECORD_1 = `{"ip":"1.2.3.4","ident":null,"user":null,"time":${Date.UTC(2000, 9, 10, 20, 55, 36)},"method":"GET","path":"/a","protocol":"HTTP/1.1","status":200,"bytes":5,"referrer":null,"userAgent":"ua","durationMs":null}`;
const RECORD_2 = `{"ip":"::1","ident":null,"user":"bob","time":${Date.UTC(2000, 9, 10, 13, 55, 37)},"method":null,"path":null,"protocol":null,"status":408,"bytes":null,"referrer":null,"userAgent":null,"durationMs":null}`;
const RECORD_5 = `{"ip":"9.9.9.9","ident":null,"user":null,"time":${Date.UTC(2000, 9, 10, 13, 55, 39)},"method":"HEAD","path":"/","protocol":"HTTP/1.0","status":304,"bytes":0,"referrer":null,"userAgent":null,"durationMs":null}`;

describe('loglab parse', () => {
  it('writes records in input order and rejected lines with their line number and reason', async () => {
    const rejects = join(dir, 'rejects.ndjson');
    const run = await loglab(['--rejects', rejects, '-'], INPUT);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${RECORD_1}\n${RECORD_2}\n${RECORD_5}\n`);
    expect(readFileSync(rejects, 'utf8')).toBe(
      '{"line":3,"reason":"empty-line","raw":""}\n' +
        `{"line":4,"reason":"bad-status","raw":${JSON.stringify(INPUT.split('\n')[3])}}\n`,
    );
    expect(run.stderr).toBe(
      `loglab parse: 2 lines rejected (bad-status 1, empty-line 1); kept in ${rejects}\n` +
        'read 5, parsed 3, rejected 2\n',
    );
  });

  it('counts rejected lines without --rejects and says how to keep them', async () => {
    const run = await loglab([], INPUT);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').length).toBe(4);
    expect(run.stderr).toBe(
      'loglab parse: 2 lines rejected (bad-status 1, empty-line 1); add --rejects FILE to keep them with their reasons\n' +
        'read 5, parsed 3, rejected 2\n',
    );
  });

  it('reads a CRLF file named on the command line with a fixed format', async () => {
    const file = join(dir, 'crlf.log');
    writeFileSync(file, `${INPUT.split('\n').slice(0, 2).join('\r\n')}\r\n`);
    const combined = await loglab(['--format', 'combined', file]);
    expect(combined.stdout).toBe(`${RECORD_1}\n`);
    expect(combined.stderr.split('\n').at(-2)).toBe('read 2, parsed 1, rejected 1');
    const common = await loglab(['--format', 'common', file]);
    expect(common.stdout).toBe(`${RECORD_2}\n`);
  });

  it('reads the request time of a combined-time line (%D, µs) as durationMs, in auto and combined-time', async () => {
    const timed = `${INPUT.split('\n')[0]} 48213\n`;
    const want = `${RECORD_1.replace('"durationMs":null', '"durationMs":48.213')}\n`;
    expect((await loglab(['-'], timed)).stdout).toBe(want);
    expect((await loglab(['--format', 'combined-time', '-'], timed)).stdout).toBe(want);
    const plain = await loglab(['--format', 'combined-time', '-'], `${INPUT.split('\n')[0]}\n`);
    expect(plain.stdout).toBe('');
    expect(plain.stderr.split('\n').at(-2)).toBe('read 1, parsed 0, rejected 1');
  });

  it('writes a line cut off inside its user agent as a truncated record, and counts it', async () => {
    const cut =
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0 (cut';
    const run = await loglab(['-'], `${INPUT.split('\n')[0]}\n${cut}\n`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `${RECORD_1}\n${RECORD_1.replace('"ua","durationMs":null}', '"Mozilla/5.0 (cut","durationMs":null,"truncated":true}')}\n`,
    );
    expect(run.stderr).toBe('read 2, parsed 2, rejected 0, truncated 1\n');
  });

  it('prints nothing but the count for empty input', async () => {
    const run = await loglab(['-'], '');
    expect([run.code, run.stdout, run.stderr]).toEqual([0, '', 'read 0, parsed 0, rejected 0\n']);
  });

  it('keeps input order over many batches', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      lines.push(
        `10.0.0.${i % 250} - - [10/Oct/2000:13:55:36 +0000] "GET /p/${i} HTTP/1.1" 200 ${i} "-" "ua"`,
      );
    }
    const run = await loglab([], `${lines.join('\n')}\n`);
    const out = run.stdout.trimEnd().split('\n');
    expect(out.length).toBe(30_000);
    expect(out.every((l, i) => JSON.parse(l).bytes === i)).toBe(true);
    expect(run.stderr).toBe('read 30000, parsed 30000, rejected 0\n');
  });

  it('refuses a bad --format with one line and exit code 2', async () => {
    const run = await loglab(['--format', 'xml', '-'], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "loglab parse: option '--format <format>' argument 'xml' is invalid. Allowed choices are auto, combined, combined-time, common, json.\n",
    );
  });

  it('refuses a missing file with one line and exit code 2', async () => {
    const missing = join(dir, 'no-such.log');
    const run = await loglab([missing]);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      2,
      '',
      `loglab parse: cannot read ${missing}: no such file\n`,
    ]);
  });

  it('has --help with examples', async () => {
    const run = await loglab(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: loglab parse [options] [file]');
    expect(run.stdout).toContain('loglab parse access.log > records.ndjson');
  });

  it('Ctrl-C while reading stdin: what was read is written, then the count line, exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'parse', '-'], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    // stdin stays open: only the signal ends the run. Wait until both records are out.
    child.stdin.write(`${INPUT.split('\n').slice(0, 2).join('\n')}\n`);
    for (let i = 0; i < 300 && out.split('\n').length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    // Before, the signal ended the process at once: exit 130, no count line.
    expect([code, out, err]).toEqual([
      0,
      `${RECORD_1}\n${RECORD_2}\n`,
      'read 2, parsed 2, rejected 0\n',
    ]);
  });
});
