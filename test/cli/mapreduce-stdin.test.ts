/**
 * `loglab mapreduce run --input` on stdin and pipes, as the other commands read them: `-`, a
 * pipe named /dev/stdin and a FIFO give the rows and the counters of the file itself (a pipe
 * was read as an empty file, `-` was "no such file"); anything that is neither a file, a
 * directory, a pipe nor a character device is one line and exit 2, and so is `-` twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type LoglabRun, ROOT, runLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'day.log');
let log = '';
let fromFile: LoglabRun;

/** The counters line without its time, which differs from run to run. */
function counters(stderr: string): string {
  return stderr.replace(/ in [\d.]+ s;/, ' in T s;');
}

beforeAll(async () => {
  log = (await runLoglab(['generate', '--lines', '3000', '--seed', '5'])).stdout;
  writeFileSync(file, log);
  fromFile = await runLoglab(['mapreduce', 'run', 'all', '--json', '--input', file]);
  expect(fromFile.code).toBe(0);
  expect(counters(fromFile.stderr)).toBe(
    'loglab mapreduce: 9 jobs over 3000 records (0 rejected) from 1 file (795.4 KB, 1 split) in T s; map output 24000 records, shuffled 223.2 KB, spilled 0 B\n',
  );
});

describe('loglab mapreduce run --input on a stream', () => {
  it('reads - as stdin: the rows and counters of the file', async () => {
    const r = await runLoglab(['mapreduce', 'run', 'all', '--json', '--input', '-'], {
      input: log,
    });
    expect({ code: r.code, stdout: r.stdout, stderr: counters(r.stderr) }).toEqual({
      code: 0,
      stdout: fromFile.stdout,
      stderr: counters(fromFile.stderr),
    });
  });

  it('reads a pipe on stdin, named - or /dev/stdin, as `cat day.log | loglab …` gives it', () => {
    for (const input of ['-', '/dev/stdin']) {
      // Through sh: a child's stdin from Node is a socket pair, which /dev/stdin cannot open.
      const r = spawnSync(
        'sh',
        [
          '-c',
          'cat "$1" | "$2" "$3" mapreduce run all --json --input "$4"',
          'sh',
          file,
          process.execPath,
          BIN,
          input,
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, FORCE_COLOR: '0', LOGLAB_ENGINE: '' },
        },
      );
      expect({ input, code: r.status, stdout: r.stdout, stderr: counters(r.stderr) }).toEqual({
        input,
        code: 0,
        stdout: fromFile.stdout,
        stderr: counters(fromFile.stderr),
      });
    }
  });

  it('reads a FIFO: the rows and counters of the file', async () => {
    const fifo = join(dir, 'day.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // A writer of its own: it waits for the reader, and is ended if there never is one.
    const writer = spawn('sh', ['-c', 'exec cat "$1" > "$2"', 'sh', file, fifo]);
    try {
      const r = await runLoglab(['mapreduce', 'run', 'all', '--json', '--input', fifo]);
      expect({ code: r.code, stdout: r.stdout, stderr: counters(r.stderr) }).toEqual({
        code: 0,
        stdout: fromFile.stdout,
        stderr: counters(fromFile.stderr),
      });
    } finally {
      writer.kill();
    }
  });

  it('refuses a socket, - twice, and - on the hadoop engine in one line each', async () => {
    const socket = join(dir, 'listening.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const cases: [string[], string][] = [
        [
          ['--input', socket],
          `cannot read ${socket}: not a regular file, directory, pipe or character device`,
        ],
        [['--input', '-', file, '-'], '--input names - (stdin) 2 times: it is read once'],
        [
          ['--input', '-', '--engine', 'hadoop'],
          '--input - (stdin) is read by the embedded engine only, not hadoop',
        ],
      ];
      for (const [args, line] of cases) {
        const r = await runLoglab(['mapreduce', 'run', 'errors', ...args], { input: log });
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
          code: 2,
          stdout: '',
          stderr: `loglab mapreduce: ${line}\n`,
        });
      }
    } finally {
      server.close();
    }
  });
});
