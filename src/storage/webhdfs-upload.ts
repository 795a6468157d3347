/**
 * A Writable that uploads one file through the `webhdfs` package's `createWriteStream`, with
 * the package's write defects wrapped (see webhdfs-store.ts): always piped, bytes held until the
 * upload is attached, a first answer that is no redirect is an error, and `final` waits for the
 * DataNode and then checks the length HDFS reports, so `finished()` means stored.
 *
 * An idle file is not an outage. An upload is one HTTP request, and a request whose socket sends
 * nothing for the client's timeout (60 s) is cut, which reads exactly like HDFS going away; the
 * archiver holds a file open while it waits for records, for up to its roll interval or longer.
 * So a file left idle for `idleMs` (under the timeout) has its upload ended, which stores what
 * it holds, and its next bytes go on in an APPEND of the same file: the stream the caller holds
 * stays one file. Chosen over the other ways out:
 * - keeping the request alive needs bytes on the wire, and a chunked upload has no empty chunk
 *   that is not its end; a byte of padding would be a byte of the file;
 * - a longer timeout only moves the cut, and the timeout is also what notices a DataNode that
 *   stopped answering, which must stay short;
 * - rolling the file when idle would fix the archiver only, and change its files' sizes and
 *   names with the traffic.
 * The price is one NameNode round trip per idle spell; a file written without a pause is one
 * request, as before.
 */
import { PassThrough, Writable } from 'node:stream';
import type { WebHdfsClient } from 'webhdfs';
import type { LoglabError } from '../errors';
import type { StoreEntry } from './store';
import { ioError } from './store-errors';

export interface UploadTarget {
  readonly path: string;
  /** APPEND instead of CREATE. */
  readonly append: boolean;
  /** CREATE replaces an existing file. */
  readonly overwrite: boolean;
  /** The file's length before the upload (0 for CREATE): HDFS must hold base + written after. */
  readonly base: number;
}

/** Half the client's request timeout: well before the socket's, with room for the round trip. */
export function idleCloseMs(requestTimeoutMs: number): number {
  return Math.max(1, Math.floor(requestTimeoutMs / 2));
}

/** One HTTP upload (CREATE or APPEND) of part of the file. */
interface Segment {
  write(chunk: Buffer, cb: () => void): void;
  /** Ends the upload; resolves once the DataNode answered that it has stored it. */
  end(): Promise<void>;
  abort(): void;
}

/**
 * A Writable that uploads to `path`. Its `final` waits for the DataNode's answer, then checks
 * that HDFS holds `base` + the bytes written, so `finished()` means stored. After `idleMs`
 * without a write the upload in progress is ended and the next write appends (see above).
 */
export function uploadStream(
  client: WebHdfsClient,
  target: UploadTarget,
  stat: (path: string) => Promise<StoreEntry | null>,
  mapError: (path: string, err: unknown) => LoglabError,
  idleMs: number = Number.POSITIVE_INFINITY,
): Writable {
  const { path, base } = target;
  let written = 0;
  let failure: LoglabError | null = null;
  let finalizing = false;
  const fail = (err: unknown) => {
    failure ??= mapError(path, err);
    if (!finalizing) out.destroy(failure);
  };

  function startSegment(append: boolean): Segment {
    const feed = new PassThrough();
    // The package pipes `feed` twice: into its first request (to learn the DataNode, pausing
    // and unpiping `feed` at once), then into the upload. Between the two, Readable.pipe has
    // already resumed `feed`, so a chunk written then is emitted to no listener and lost
    // (seen on a real HDFS: "0 bytes after 2 were written"). Hold every byte until the upload
    // is attached.
    let attached = false;
    const waiting: (() => void)[] = [];
    const whenAttached = (fn: () => void) => (attached ? fn() : waiting.push(fn));
    const pipe = feed.pipe.bind(feed);
    let pipes = 0;
    feed.pipe = <T extends NodeJS.WritableStream>(dest: T, opts?: { end?: boolean }): T => {
      const r = pipe(dest, opts);
      if (++pipes === 2) {
        attached = true;
        for (const fn of waiting.splice(0)) fn();
      }
      return r;
    };
    let uploaded = false;
    let segmentFailure: unknown = null;
    let onDone: ((err: unknown) => void) | null = null;
    const req = client.createWriteStream(
      path,
      append,
      append ? {} : { overwrite: target.overwrite },
    );
    const settle = (err: unknown) => {
      if (err !== null) segmentFailure ??= err;
      onDone?.(segmentFailure);
    };
    req.on('error', (err) => {
      settle(err);
      fail(err);
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // The package waits for a redirect forever when the answer is neither one nor an error.
      if (status !== 307 && status !== 301 && status < 400) {
        const err = new Error(`WebHDFS answered ${status} instead of redirecting to a DataNode`);
        settle(err);
        fail(err);
      }
    });
    req.on('finish', () => {
      uploaded = true;
      settle(null);
    });
    // The package follows the redirect only for a piped source.
    feed.pipe(req);
    return {
      write(chunk, cb) {
        whenAttached(() => {
          if (feed.write(chunk)) cb();
          else feed.once('drain', () => cb());
        });
      },
      end() {
        return new Promise<void>((resolve, reject) => {
          onDone = (err) => {
            if (err !== null) reject(err);
            else if (uploaded) resolve();
          };
          whenAttached(() => feed.end());
          if (segmentFailure !== null || uploaded) onDone(segmentFailure);
        });
      },
      abort() {
        if (uploaded) return;
        feed.destroy();
        req.abort();
      },
    };
  }

  let segment: Segment | null = startSegment(target.append);
  /** The upload ended for idleness, until the DataNode says it stored it. */
  let ending: Promise<void> | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  const clearIdle = () => {
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = null;
  };
  const armIdle = () => {
    clearIdle();
    if (!Number.isFinite(idleMs)) return;
    idleTimer = setTimeout(() => {
      idleTimer = null;
      const idle = segment;
      if (idle === null || failure !== null) return;
      segment = null;
      ending = idle.end();
      ending.catch(fail);
    }, idleMs);
    idleTimer.unref();
  };
  armIdle();

  /** The upload to write into: the current one, or an APPEND once the idle one is stored. */
  async function current(): Promise<Segment> {
    if (segment !== null) return segment;
    await ending;
    ending = null;
    segment ??= startSegment(true);
    return segment;
  }

  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      clearIdle();
      written += chunk.length;
      current().then(
        (s) =>
          s.write(chunk, () => {
            armIdle();
            cb();
          }),
        (err) => cb(failure ?? mapError(path, err)),
      );
    },
    final(cb) {
      clearIdle();
      finalizing = true;
      const stored = segment !== null ? segment.end() : (ending ?? Promise.resolve());
      segment = null;
      stored
        .then(() => stat(path))
        .then(
          (entry) => {
            if (failure !== null) return cb(failure);
            const expected = base + written;
            if (entry?.size === expected) return cb();
            cb(
              ioError(
                path,
                `HDFS holds ${entry === null ? 'no file' : `${entry.size} bytes`} after ${expected} were written`,
              ),
            );
          },
          (err) => cb(failure ?? mapError(path, err)),
        );
    },
    destroy(err, cb) {
      clearIdle();
      segment?.abort();
      cb(err);
    },
  });
  return out;
}
