import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Readable, Transform, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { SingleBar } from 'cli-progress';
import { describeFsError, LoglabError } from '../errors';
import { isGzipFile } from '../log/gzip-file';
import { READ_CHUNK, readLines } from '../log/lines';
import { terminalLine } from '../log/terminal-text';
import { cliIo } from './context';

export { describeFsError };

/** An input named on the command line: a file path, or "-" for stdin. */
export interface Input {
  /** Its bytes; a gzip file's decompressed (isGzipFile). */
  stream: Readable;
  /** Size in bytes when known (a regular file, compressed if it is), for progress bars. */
  size: number | null;
  /** Bytes of the file read so far, as `size` counts them (0 for stdin). */
  bytesRead(): number;
  name: string;
}

export { isGzipFile };

/** Open FILE or "-" (stdin); an unreadable file is one clear error, not a stack trace. */
export function openInput(path: string | undefined): Input {
  if (path === undefined || path === '-') {
    return { stream: gunzipIfGzip(cliIo().stdin), size: null, bytesRead: () => 0, name: 'stdin' };
  }
  let size: number;
  let regular: boolean;
  try {
    const st = statSync(path);
    if (st.isDirectory())
      throw new LoglabError('BAD_INPUT', `cannot read ${path}: it is a directory`);
    size = st.size;
    regular = st.isFile();
  } catch (err) {
    if (err instanceof LoglabError) throw err;
    throw new LoglabError('BAD_INPUT', `cannot read ${path}: ${describeFsError(err)}`, {
      cause: err,
    });
  }
  const file = createReadStream(path, { highWaterMark: READ_CHUNK });
  const bytesRead = () => file.bytesRead;
  if (!regular || !isGzipFile(path)) return { stream: file, size, bytesRead, name: path };
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  // A read error of the file ends the decompressed stream with it, as the reader reports it.
  file.on('error', (err) => gunzip.destroy(err));
  return { stream: file.pipe(gunzip), size, bytesRead, name: path };
}

/**
 * `source`'s bytes, decompressed when they start with gzip's magic bytes (stdin, which cannot be
 * looked at without reading it: `loglab summary - < day.log.gz` read gzip as text, every line a
 * reject). Closing the result closes `source`, as a command ended by Ctrl-C closes its stdin.
 */
export function gunzipIfGzip(source: Readable): Readable {
  /** The first bytes, until two tell gzip from not; null once told. */
  let head: Buffer | null = Buffer.alloc(0);
  let gunzip: ReturnType<typeof createGunzip> | null = null;
  const out = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (head !== null) {
        head = Buffer.concat([head, bytes]);
        if (head.length < 2) return done();
        bytes = head;
        head = null;
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
          const g = createGunzip({ chunkSize: READ_CHUNK });
          g.on('data', (d: Buffer) => out.push(d));
          // Bytes that are not gzip after all, or gzip cut short: the reader's error.
          g.on('error', (err) => out.destroy(err));
          gunzip = g;
        }
      }
      if (gunzip === null) return done(null, bytes);
      if (gunzip.write(bytes)) done();
      else gunzip.once('drain', () => done());
    },
    flush(done) {
      if (head !== null && head.length > 0) this.push(head);
      if (gunzip === null) return done();
      gunzip.once('end', () => done());
      gunzip.end();
    },
  });
  source.on('error', (err) => out.destroy(err));
  out.once('close', () => source.destroy());
  return source.pipe(out);
}

/** Open FILE for writing, or stdout when path is undefined or "-". */
export function openOutput(path: string | undefined): Writable {
  if (path === undefined || path === '-') return cliIo().stdout;
  return createWriteStream(path);
}

/** A progress bar on stderr, shown only when stderr is a terminal; otherwise every call is a no-op. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function createProgress(total: number, unit: string): Progress {
  const stderr = cliIo().stderr;
  if (!stderr.isTTY || total <= 0) return { update() {}, stop() {} };
  // Loaded only for a terminal: piped and scripted runs do not pay for it at start-up.
  const { SingleBar: Bar } = createRequire(import.meta.url)('cli-progress') as {
    SingleBar: typeof SingleBar;
  };
  const bar = new Bar(
    {
      stream: stderr,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    undefined,
  );
  bar.start(total, 0);
  let last = 0;
  return {
    update(done: number) {
      // Redrawing on every record would cost more than the work; redraw every ~1%.
      if (done - last >= total / 100 || done === total) {
        last = done;
        bar.update(done);
      }
    },
    stop() {
      bar.stop();
    },
  };
}

/** Write text or bytes and wait when the stream asks us to (backpressure). */
export function writeChunk(out: Writable, chunk: string | Uint8Array): Promise<void> | undefined {
  if (out.write(chunk)) return undefined;
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      out.off('drain', onDrain);
      reject(err);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/** Finish a writable (not stdout) and wait until everything is flushed. */
export function endOutput(out: Writable): Promise<void> {
  if (out === cliIo().stdout) return Promise.resolve();
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** Open FILE for writing and wait until it is open, so an unwritable path fails up front. */
export async function openOutputFile(path: string): Promise<Writable> {
  const out = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (err) =>
      reject(
        new LoglabError('BAD_INPUT', `cannot write ${path}: ${describeFsError(err)}`, {
          cause: err,
        }),
      ),
    );
  });
  return out;
}

/**
 * Batches of lines from an input until it ends or `stop` aborts. Ctrl-C must also end a read
 * that waits on an idle stdin, so each read races the abort (see nextUnlessAborted). A read
 * error is one clear line.
 */
export async function* readLinesUntil(input: Input, stop: AbortSignal): AsyncGenerator<string[]> {
  const lines = readLines(input.stream)[Symbol.asyncIterator]();
  while (!stop.aborted) {
    let result: IteratorResult<string[]> | null;
    try {
      result = await nextUnlessAborted(lines, stop);
    } catch (err) {
      throw new LoglabError('IO', `cannot read ${input.name}: ${describeFsError(err)}`, {
        cause: err,
      });
    }
    if (result === null || result.done) return;
    yield result.value;
  }
}

/**
 * The next result of `it`, or null as soon as `stop` aborts. Each read gets a promise of its own
 * and takes its abort listener off when it settles. One never-settling "stopped" promise raced
 * by every read would gather a reaction per race, each holding that race's batch: the process
 * kept every line it read (heap after GC grew ~58 MB per 200,000 lines, 3 GB RSS for 10M).
 */
function nextUnlessAborted<T>(
  it: AsyncIterator<T>,
  stop: AbortSignal,
): Promise<IteratorResult<T> | null> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(null);
    stop.addEventListener('abort', onAbort, { once: true });
    // After an abort the read may still settle (or fail as the stream is destroyed); the
    // promise is settled by then, so that outcome is dropped, never an unhandled rejection.
    it.next().then(
      (result) => {
        stop.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (err: unknown) => {
        stop.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Remove `dir` while threads may still write spill files into it (on Ctrl-C they run until the
 * process exits): rmSync fails with ENOTEMPTY when a file appears between its listing and its
 * rmdir (its own maxRetries repeat the rmdir alone), so it is tried again, up to 2 s. Null once
 * removed, else why not.
 */
export function removeWhileWritten(dir: string): string | null {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return null;
    } catch (err) {
      if (attempt === 100) return describeFsError(err);
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

/**
 * Lines of text as a terminal should show them: control characters as `\xHH` (terminalLine),
 * newlines kept. For a stream of a file's bytes (`lake cat`) cut anywhere: a UTF-8 character
 * split between chunks is decoded whole. Each chunk is escaped as it comes, in time linear in
 * its length, however long a line runs without a newline.
 */
export function terminalLines(): Transform {
  const decoder = new StringDecoder('utf8');
  const shown = (text: string) => text.split('\n').map(terminalLine).join('\n');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, shown(decoder.write(chunk)));
    },
    flush(done) {
      const rest = decoder.end();
      done(null, rest === '' ? undefined : shown(rest));
    },
  });
}
