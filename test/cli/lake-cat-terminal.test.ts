/**
 * `loglab lake cat` shows a file's lines on a terminal with their control characters as \xHH
 * (a stored line is input from anyone: ESC or CSI would rewrite the screen), and writes them as
 * stored into a pipe; `terminalLines` keeps a line or a UTF-8 character cut between chunks whole.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { terminalLines } from '../../src/cli/io';
import { main } from '../../src/cli/program';

const dir = mkdtempSync(join(tmpdir(), 'loglab-lake-cat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 'loglab/raw/date=2026-12-05/hour=22';
/** A path with ESC [2J (clear the screen) and a CSI, and a user agent with a carriage return. */
const EVIL =
  '1.2.3.4 - - [05/Dec/2026:22:59:58 +0000] "GET /\u001b[2Jé\u009b HTTP/1.1" 200 5 "-" "ua\rx"';
const SHOWN =
  '1.2.3.4 - - [05/Dec/2026:22:59:58 +0000] "GET /\\x1b[2Jé\\x9b HTTP/1.1" 200 5 "-" "ua\\x0dx"';
const PLAIN = '1.2.3.4 - - [05/Dec/2026:22:59:59 +0000] "GET /b HTTP/1.1" 200 5 "-" "ua"';

async function cat(lake: string, path: string, terminal: boolean) {
  let out = '';
  const stdout = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    }),
    terminal ? { isTTY: true, columns: 100, rows: 30 } : {},
  );
  let err = '';
  const stderr = new Writable({
    write(chunk, _encoding, done) {
      err += String(chunk);
      done();
    },
  });
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(['lake', 'cat', '--lake', lake, path], {
    stdin,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: { ...process.env, FORCE_COLOR: '0' },
    exitCode: undefined,
  });
  return { code, out, err };
}

describe('loglab lake cat on a terminal', () => {
  const lake = join(dir, 'lake');
  mkdirSync(join(lake, HOUR), { recursive: true });
  const body = `${EVIL}\n${PLAIN}\n`;
  writeFileSync(join(lake, HOUR, 'weblogs.raw+0+0+1.log'), body);
  writeFileSync(join(lake, HOUR, 'weblogs.raw+0+2+3.log.gz'), gzipSync(body));

  it('shows control characters as \\xHH, plain and gzipped', async () => {
    for (const name of ['weblogs.raw+0+0+1.log', 'weblogs.raw+0+2+3.log.gz']) {
      expect(await cat(lake, `/${HOUR}/${name}`, true)).toEqual({
        code: 0,
        out: `${SHOWN}\n${PLAIN}\n`,
        err: '',
      });
    }
  });

  it('writes the lines as stored into a pipe', async () => {
    expect(await cat(lake, `/${HOUR}/weblogs.raw+0+0+1.log`, false)).toEqual({
      code: 0,
      out: body,
      err: '',
    });
  });
});

describe('terminalLines', () => {
  it('keeps a line and a UTF-8 character cut between chunks whole; a last line without newline too', async () => {
    const bytes = Buffer.from(`${EVIL}\n${PLAIN}\n${EVIL}`);
    // Cut at every byte: inside the two-byte é, between \r and x, right after each newline.
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const shown = await text(Readable.from(chunks).pipe(terminalLines()));
    expect(shown).toBe(`${SHOWN}\n${PLAIN}\n${SHOWN}`);
  });

  it('passes text without control characters through unchanged', async () => {
    const shown = await text(
      Readable.from([Buffer.from(`${PLAIN}\n\n${PLAIN}\n`)]).pipe(terminalLines()),
    );
    expect(shown).toBe(`${PLAIN}\n\n${PLAIN}\n`);
  });
});
