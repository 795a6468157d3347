/**
 * Summaries of whole inputs.
 *
 * - A regular file is cut into blocks (blocks.ts) that the main thread and worker threads claim
 *   from a shared counter; each thread fills its own counters and the workers post theirs back to
 *   be merged. A worker needs a moment to boot, so a small file is done by the main thread before
 *   any worker is ready: a worker that claimed nothing is stopped and not waited for.
 * - A stream (stdin) is read chunk by chunk on the main thread.
 * Both count lines with the fast path of scan.ts when the format is combined or auto.
 *
 * This module starts workers by file URL, so it stays out of src/summary/index.ts: notebooks
 * compile the library as CommonJS, where `import.meta` does not exist.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeFsError, LoglabError } from '../errors';
import { PendingLine, withoutBom } from '../log/lines';
import { getParser, type ParseFormat } from '../log/parser';
import { startWorker } from '../parallel/worker-thread';
import { createSummaryState, mergeSummaryState, type SummaryState } from './aggregator';
import { DEFAULT_BLOCK_SIZE } from './blocks';
import { BLOCKS_DONE, countClaimedBlocks } from './claim';
import { countBytes } from './scan';

/** What a worker is given (workerData). */
export interface WorkerJob {
  path: string;
  size: number;
  blockSize: number;
  shared: SharedArrayBuffer;
  format: ParseFormat;
  fast: boolean;
}

export interface SummarizeOptions {
  /** Parser for every line (default auto: combined, common or JSON, decided per line). */
  format?: ParseFormat;
  /** Threads to use for a regular file, the main thread included (default: all cores). */
  threads?: number;
  /** Bytes per block (default 8 MiB). */
  blockSize?: number;
  /** Files smaller than this are counted by the main thread alone (default 16 MiB). */
  minParallelBytes?: number;
  /** Called now and then with the bytes counted so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Blocks the main thread may count at most (default: all); tests use it to make workers work. */
  mainThreadBlocks?: number;
}

/**
 * Below this size the main thread is done before a worker has booted (about 0.1–0.2 s with the
 * TypeScript loader), so starting one would only cost.
 */
const MIN_PARALLEL_BYTES = 16 << 20;

/** The format's parser, and whether the plain-combined fast path applies to it. */
function parserFor(format: ParseFormat) {
  return { parse: getParser(format), fast: format === 'combined' || format === 'auto' };
}

/** Summarise a regular file, on several threads when it is large enough. */
export async function summarizeFile(
  path: string,
  options: SummarizeOptions = {},
): Promise<SummaryState> {
  const format = options.format ?? 'auto';
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const { parse, fast } = parserFor(format);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new LoglabError('BAD_INPUT', `cannot read ${path}: ${describeFsError(err)}`, {
      cause: err,
    });
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory())
      throw new LoglabError('BAD_INPUT', `cannot read ${path}: it is a directory`);
    const size = stat.size;
    const shared = new SharedArrayBuffer(8);
    const counters = new Int32Array(shared);
    const blocks = Math.ceil(size / blockSize);
    // More threads than blocks would boot for nothing; past 8, boot time outweighs the gain.
    const threads = Math.min(
      blocks,
      Math.max(1, options.threads ?? Math.min(8, availableParallelism())),
    );
    const workers: Promise<SummaryState | null>[] = [];
    const stops: (() => void)[] = [];
    if (threads > 1 && size >= (options.minParallelBytes ?? MIN_PARALLEL_BYTES)) {
      const job: WorkerJob = { path, size, blockSize, shared, format, fast };
      for (let t = 1; t < threads; t++) {
        const { result, stop } = startWorker<SummaryState>(WORKER_ENTRY, job, 'summary worker');
        workers.push(result);
        stops.push(stop);
      }
    }
    const st = createSummaryState();
    const progress = options.onProgress;
    let mine: number;
    try {
      mine = countClaimedBlocks(
        st,
        { fd, size, blockSize, counters, parse, fast },
        progress
          ? () => progress(Math.min(size, Atomics.load(counters, BLOCKS_DONE) * blockSize), size)
          : undefined,
        workers.length > 0 ? options.mainThreadBlocks : undefined,
      );
    } catch (err) {
      for (const stop of stops) stop();
      throw err;
    }
    if (mine === blocks) {
      // Every block was ours: the workers never got one, so they need not be waited for.
      for (const stop of stops) stop();
      return st;
    }
    for (const other of await Promise.all(workers)) if (other) mergeSummaryState(st, other);
    return st;
  } finally {
    closeSync(fd);
  }
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * Summarise a stream of bytes (stdin, a pipe, a gzip file) on the main thread. As every line
 * reader (log/lines.ts): a byte order mark at its start is dropped, and a line keeps at most
 * MAX_READ_LINE bytes, the rest dropped up to its line end (the lines inside one chunk, at most
 * a chunk long, are counted as they are).
 */
export async function summarizeStream(
  stream: AsyncIterable<Buffer | Uint8Array | string>,
  options: Pick<SummarizeOptions, 'format' | 'onProgress'> = {},
): Promise<SummaryState> {
  const { parse, fast } = parserFor(options.format ?? 'auto');
  const st = createSummaryState();
  const pending = new PendingLine();
  let done = 0;
  for await (const buf of withoutBom(stream)) {
    done += buf.length;
    const firstLf = buf.indexOf(10);
    if (firstLf === -1) {
      pending.keep(buf, 0, buf.length);
      continue;
    }
    let from = 0;
    if (pending.open) {
      // The line begun before ends at this chunk's first LF.
      pending.keep(buf, 0, firstLf);
      const whole = pending.take();
      countBytes(st, whole, 0, whole.length, parse, fast);
      from = firstLf + 1;
    }
    const lastLf = buf.lastIndexOf(10);
    if (lastLf >= from) countBytes(st, buf, from, lastLf + 1, parse, fast);
    if (lastLf + 1 < buf.length) pending.keep(buf, lastLf + 1, buf.length);
    options.onProgress?.(done, 0);
  }
  if (pending.open) {
    const whole = pending.take();
    countBytes(st, whole, 0, whole.length, parse, fast);
  }
  return st;
}
