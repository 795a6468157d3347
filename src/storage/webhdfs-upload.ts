/**
 * A Writable that uploads one file through the `webhdfs` package's `createWriteStream`, with
 * the package's write defects wrapped (see webhdfs-store.ts): always piped, bytes held until the
 * upload is attached, a first answer that is no redirect is an error, and `final` waits for the
 * DataNode and then checks the length HDFS reports, so `finished()` means stored.
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

/**
 * A Writable that uploads to `path`. Its `final` waits for the DataNode's answer, then checks
 * that HDFS holds `base` + the bytes written, so `finished()` means stored.
 */
export function uploadStream(
  client: WebHdfsClient,
  target: UploadTarget,
  stat: (path: string) => Promise<StoreEntry | null>,
  mapError: (path: string, err: unknown) => LoglabError,
): Writable {
  const { path, append, overwrite, base } = target;
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
  let written = 0;
  let failure: LoglabError | null = null;
  let uploaded = false;
  let pendingFinal: ((err?: Error | null) => void) | null = null;

  const req = client.createWriteStream(path, append, append ? {} : { overwrite });
  const fail = (err: unknown) => {
    failure ??= mapError(path, err);
    if (pendingFinal === null) out.destroy(failure);
  };
  req.on('error', fail);
  req.on('response', (res) => {
    const status = res.statusCode ?? 0;
    // The package waits for a redirect forever when the answer is neither one nor an error.
    if (status !== 307 && status !== 301 && status < 400) {
      fail(new Error(`WebHDFS answered ${status} instead of redirecting to a DataNode`));
      settle();
    }
  });
  req.on('finish', () => {
    uploaded = true;
    settle();
  });
  // The package follows the redirect only for a piped source.
  feed.pipe(req);

  function settle(): void {
    const done = pendingFinal;
    if (done === null || (!uploaded && failure === null)) return;
    pendingFinal = null;
    if (failure !== null) {
      done(failure);
      return;
    }
    stat(path).then(
      (entry) => {
        const expected = base + written;
        if (entry?.size === expected) return done();
        done(
          ioError(
            path,
            `HDFS holds ${entry === null ? 'no file' : `${entry.size} bytes`} after ${expected} were written`,
          ),
        );
      },
      (err) => done(mapError(path, err)),
    );
  }

  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      whenAttached(() => {
        if (feed.write(chunk)) cb();
        else feed.once('drain', () => cb());
      });
    },
    final(cb) {
      pendingFinal = cb;
      whenAttached(() => feed.end());
      settle();
    },
    destroy(err, cb) {
      if (!uploaded) {
        feed.destroy();
        req.abort();
      }
      cb(err);
    },
  });
  return out;
}
