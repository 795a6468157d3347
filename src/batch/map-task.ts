/**
 * The map side of a run, as one thread does it: claim the next split (parallel/claim.ts), read
 * its lines, parse each, hand every record to every job's `map`, and buffer the pairs per job
 * (map-buffer.ts). The main thread and each worker thread run this same loop; the main thread
 * first reads the stream inputs (input.ts), which are not claimed: stdin is its own.
 */

import { isAscii } from 'node:buffer';
import { closeSync, createReadStream, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { badInput, describeFsError, isLoglabError } from '../errors';
import { READ_CHUNK, readLines } from '../log/lines';
import { getParser, type ParseFormat, type Parser } from '../log/parser';
import { isRejection } from '../log/record';
import { claimNext, markDone } from '../parallel/claim';
import { blockBuffer, readBlockLines } from '../parallel/line-blocks';
import { createJobCounters, type JobCounters } from './counters';
import { inputName, type Split, STDIN } from './input';
import type { Emit, Job } from './job';
import { jobFailed, MapBuffer, type MemoryBudget, spillPrefix } from './map-buffer';
import type { Run } from './runs';

/** Slot of the shared counters after the claim slots: input KiB read so far. */
export const KIB_DONE = 2;

export interface MapSettings {
  /** The splits every thread claims: none of them a stream. */
  readonly splits: readonly Split[];
  readonly reducers: number;
  /** Bytes of buffered map output one thread may hold before it spills. */
  readonly memoryBytes: number;
  readonly spillDir: string;
  readonly format: ParseFormat;
  /** False: map output goes to the reducers as emitted, the jobs' combiners unused. */
  readonly combiners?: boolean;
}

export interface MapOutput {
  /** Runs per job, per partition. */
  runs: Run[][][];
  counters: JobCounters[];
  records: number;
  rejects: number;
  /** Splits claimed and mapped. */
  splits: number;
  /** Bytes read from stream inputs, whose size was not known before. */
  streamBytes: number;
}

/** What only the main thread is given. */
export interface MainThreadMap {
  /** Called after each split. */
  readonly onSplit?: () => void;
  /** Splits to claim at most (default: all). */
  readonly limit?: number;
  /** Stream inputs, read whole before any split is claimed. */
  readonly streams?: readonly Split[];
  /** What `-` reads. */
  readonly stdin?: () => Readable;
}

/** The records of one thread's splits, mapped by every job. */
class Mapper {
  records = 0;
  rejects = 0;
  private readonly emits: Emit[];
  private readonly parse: Parser;
  /** The job whose `map` runs now; -1 between records, so a failure there is the input's. */
  private current = -1;

  constructor(
    private readonly jobs: readonly Job[],
    buffers: readonly MapBuffer[],
    format: ParseFormat,
  ) {
    this.emits = buffers.map((b) => b.emit);
    this.parse = getParser(format);
  }

  /** Map one line (without LF or CR). */
  line(text: string): void {
    const outcome = this.parse(text);
    if (isRejection(outcome)) {
      this.rejects++;
      return;
    }
    this.records++;
    const jobs = this.jobs;
    const emits = this.emits;
    for (let j = 0; j < jobs.length; j++) {
      this.current = j;
      jobs[j].map(outcome, emits[j]);
    }
    this.current = -1;
  }

  /** Map the complete lines in buf[from..to) (each ended by LF but perhaps the last). */
  bytes(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    const bytes = buf.subarray(from, to);
    const text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    const n = text.length;
    let at = 0;
    while (at < n) {
      let lf = text.indexOf('\n', at);
      if (lf === -1) lf = n;
      const stop = lf > at && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
      this.line(text.slice(at, stop));
      at = lf + 1;
    }
  }

  /** A failure while reading `path`: a job's names the job, anything else is the input's. */
  failure(path: string, err: unknown): Error {
    if (this.current === -1) {
      if (isLoglabError(err)) return err;
      return badInput(`cannot read ${inputName(path)}: ${describeFsError(err)}`);
    }
    return jobFailed(this.jobs[this.current], 'map', err, ` on ${inputName(path)}`);
  }

  guard(path: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      throw this.failure(path, err);
    }
  }

  async guardAsync(path: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      throw this.failure(path, err);
    }
  }
}

/**
 * Map a split read whole through a stream (a .gz file, a pipe, a device or stdin); the bytes
 * read, before gunzip.
 */
async function mapWhole(mapper: Mapper, source: Readable, gzip: boolean): Promise<number> {
  let bytes = 0;
  async function* count(chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  async function map(chunks: AsyncIterable<Buffer>) {
    for await (const lines of readLines(chunks)) for (const l of lines) mapper.line(l);
  }
  if (gzip) await pipeline(source, count, createGunzip(), map);
  else await pipeline(source, count, map);
  return bytes;
}

/**
 * Let pending events run between two splits: mapping a split is synchronous, 0.2–0.4 s for 8 MiB
 * and every job, and on the main thread a Ctrl-C waits for it (cli/commands/mapreduce.ts).
 */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Map the stream inputs `main` gives, then splits until none is left (or `main.limit` are
 * done). `thread` names this thread's spill files.
 */
export async function runMapTasks(
  jobs: readonly Job[],
  settings: MapSettings,
  counters: Int32Array,
  thread: number,
  main: MainThreadMap = {},
): Promise<MapOutput> {
  const { onSplit, limit = Number.POSITIVE_INFINITY } = main;
  const jobCounters = jobs.map(() => createJobCounters());
  const buffers: MapBuffer[] = [];
  const budget: MemoryBudget = {
    used: 0,
    limit: settings.memoryBytes,
    spillAll() {
      for (const b of buffers) b.spill();
      budget.used = 0;
    },
  };
  jobs.forEach((job, j) => {
    buffers.push(
      new MapBuffer(
        settings.combiners === false ? { ...job, combine: undefined } : job,
        settings.reducers,
        budget,
        spillPrefix(settings.spillDir, thread, j),
        jobCounters[j],
      ),
    );
  });
  const mapper = new Mapper(jobs, buffers, settings.format);
  const splits = settings.splits;
  const largest = splits.reduce((m, s) => (s.gzip ? m : Math.max(m, s.end - s.start)), 0);
  const buf = largest > 0 ? blockBuffer(largest) : null;
  const open = (path: string): Readable =>
    path === STDIN
      ? (main.stdin?.() ?? process.stdin)
      : createReadStream(path, { highWaterMark: READ_CHUNK });
  let streamBytes = 0;
  for (const split of main.streams ?? []) {
    await mapper.guardAsync(split.path, async () => {
      streamBytes += await mapWhole(mapper, open(split.path), split.gzip);
    });
    onSplit?.();
  }
  let done = 0;
  while (done < limit) {
    const i = claimNext(counters, splits.length);
    if (i === -1) break;
    const split = splits[i];
    if (split.gzip) {
      await mapper.guardAsync(split.path, async () => {
        await mapWhole(mapper, open(split.path), true);
      });
    } else {
      const fd = openSync(split.path, 'r');
      try {
        mapper.guard(split.path, () => {
          readBlockLines(fd, split.start, split.end, buf as Buffer, (b, from, to) =>
            mapper.bytes(b, from, to),
          );
        });
      } finally {
        closeSync(fd);
      }
    }
    done++;
    Atomics.add(counters, KIB_DONE, Math.round((split.end - split.start) / 1024));
    markDone(counters);
    onSplit?.();
    await yieldToEvents();
  }
  return {
    runs: buffers.map((b) => b.finish()),
    counters: jobCounters,
    records: mapper.records,
    rejects: mapper.rejects,
    splits: done,
    streamBytes,
  };
}
