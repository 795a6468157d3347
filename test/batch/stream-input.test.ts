/**
 * A pipe, a FIFO, a character device or `-` (stdin) is a stream: one split read whole from its
 * start, by the main thread, while the workers take the splits of the files. Sized by its file
 * size (0), a FIFO was read as an empty file; anything else that is not a file or a directory is
 * refused in one line.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedRunner } from '../../src/batch/embedded-runner';
import { listInputFiles, makeSplits } from '../../src/batch/input';
import { JOB_NAMES } from '../../src/batch/jobs/index';
import type { RunResult } from '../../src/batch/runner';
import { defaultOptions, generateLines } from '../../src/generate/index';

const dir = mkdtempSync(join(tmpdir(), 'loglab-mr-streams-'));
const plain = join(dir, 'day.log');
const copy = join(dir, 'copy.log');
const third = join(dir, 'third.log');
const refs = JOB_NAMES.map((name) => ({ name }));
/** Writers blocked on a FIFO nobody opened (the runner before the fix): ended after the tests. */
const writers: ChildProcess[] = [];
let server: Server | null = null;

afterAll(() => {
  for (const w of writers) w.kill();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A FIFO at `path` that `bytes` are written into once a reader opens it. */
function fifoOf(path: string, bytes: Buffer): string {
  const made = spawnSync('mkfifo', [path]);
  expect(made.status).toBe(0);
  const source = `${path}.source`;
  writeFileSync(source, bytes);
  writers.push(spawn('sh', ['-c', 'exec cat "$1" > "$2"', 'sh', source, path]));
  return path;
}

function rows(r: RunResult): Record<string, unknown> {
  return Object.fromEntries(r.jobs.map((j) => [j.name, j.rows]));
}

let twice: RunResult;

beforeAll(async () => {
  const lines = [...generateLines(defaultOptions({ lines: 4000, seed: 7 }))];
  writeFileSync(plain, lines.map((l) => `${l}\n`).join(''));
  copyFileSync(plain, copy);
  copyFileSync(plain, third);
  twice = await createEmbeddedRunner({ workers: 1 }).run(refs, { paths: [plain, copy] });
});

describe('stream inputs', () => {
  it('lists a FIFO, a character device and - as streams of unknown size, in path order', () => {
    const fifo = join(dir, 'listed.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const size = statSync(plain).size;
    const half = Math.ceil(size / 2);
    const files = listInputFiles(['-', '/dev/null', fifo, plain]);
    expect(files).toEqual([
      { path: '-', size: 0, gzip: false, stream: true },
      { path: '/dev/null', size: 0, gzip: false, stream: true },
      { path: plain, size, gzip: false, stream: false },
      { path: fifo, size: 0, gzip: false, stream: true },
    ]);
    expect(makeSplits(files, half)).toEqual([
      { path: '-', start: 0, end: 0, gzip: false, stream: true },
      { path: '/dev/null', start: 0, end: 0, gzip: false, stream: true },
      { path: plain, start: 0, end: half, gzip: false, stream: false },
      { path: plain, start: half, end: size, gzip: false, stream: false },
      { path: fifo, start: 0, end: 0, gzip: false, stream: true },
    ]);
  });

  it('refuses a socket in one line', async () => {
    const socket = join(dir, 'listening.sock');
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(socket, resolve));
    expect(() => listInputFiles([socket])).toThrow(
      `cannot read ${socket}: not a regular file, directory, pipe or character device`,
    );
  });

  it('gives the rows of the file from a FIFO and from stdin, beside a file on 2 threads', async () => {
    expect(twice.counters.records).toBe(8000);
    const bytes = readFileSync(plain);
    const fifo = fifoOf(join(dir, 'day.fifo'), bytes);
    const r = await createEmbeddedRunner({
      workers: 2,
      splitBytes: 64 << 10,
      mainThreadSplits: 1,
      parallelReduceBytes: 1,
      stdin: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]),
    }).run(refs, { paths: ['-', fifo, plain] });
    const fileSplits = Math.ceil(bytes.length / (64 << 10));
    expect(r.counters).toEqual({
      records: 12000,
      rejects: 0,
      inputFiles: 3,
      inputBytes: 3 * bytes.length,
      splits: fileSplits + 2,
    });
    const thrice = await createEmbeddedRunner({ workers: 1 }).run(refs, {
      paths: [plain, copy, third],
    });
    expect(rows(r)).toEqual(rows(thrice));
    // Three copies count three times what two do: the rows tell the inputs apart.
    expect(rows(thrice)).not.toEqual(rows(twice));
  });

  it('gunzips a FIFO named .gz', async () => {
    const fifo = fifoOf(join(dir, 'day.fifo.gz'), gzipSync(readFileSync(plain)));
    const r = await createEmbeddedRunner({ workers: 1 }).run(refs, { paths: [fifo, copy] });
    expect(r.counters.records).toBe(8000);
    expect(rows(r)).toEqual(rows(twice));
  });

  it('names stdin as stdin when it fails', async () => {
    const broken = new Readable({
      read() {
        this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
    });
    await expect(
      createEmbeddedRunner({ workers: 1, stdin: broken }).run(refs, { paths: ['-'] }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'cannot read stdin: EIO: i/o error, read',
    });
  });
});
