/**
 * What the `webhdfs` package reports, in the Store port's terms. Two sources: a RemoteException
 * body read from the answer (mapped by its exception class, which the package itself drops), and
 * the package's own errors (a socket error, or HDFS's message with the Java stack appended),
 * mapped by code or by the message's first line.
 */
import { LoglabError } from '../errors';
import { alreadyExists, ioError, notEmpty, notFound } from './store-errors';

export interface RemoteException {
  readonly exception?: string;
  readonly message?: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
]);

/** The package's error (HDFS's message + Java stack, or a socket error) in the port's terms. */
export function webhdfsError(address: string, path: string, err: unknown): LoglabError {
  if (err instanceof LoglabError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new LoglabError('SERVICE_DOWN', `WebHDFS at ${address} did not answer (${code})`, {
      retriable: true,
      cause: err,
      context: { path },
    });
  }
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
  if (/already exists/i.test(message)) return alreadyExists(path, err);
  if (/does not exist|FileNotFound|not found/i.test(message)) return notFound(path, err);
  if (/non empty|not empty/i.test(message)) return notEmpty(path, err);
  if (/safe mode/i.test(message)) {
    return new LoglabError('SERVICE_DOWN', `HDFS is in safe mode: ${message}`, {
      retriable: true,
      cause: err,
      context: { path },
    });
  }
  // A NameNode back from a restart answers before its DataNode has registered again: an upload
  // then has nowhere to go for a few seconds, which is the outage still ending, not a refusal.
  if (/failed to find datanode/i.test(message)) {
    return new LoglabError('SERVICE_DOWN', `HDFS has no DataNode yet: ${message}`, {
      retriable: true,
      cause: err,
      context: { path },
    });
  }
  return ioError(path, `WebHDFS: ${message}`, err);
}

/** HDFS's exception class, which the package drops, in the port's terms. */
export function remoteError(address: string, path: string, remote: RemoteException): LoglabError {
  const message = String(remote.message ?? '')
    .split('\n')[0]
    .trim();
  const cause = Object.assign(new Error(message), { exception: remote.exception });
  switch (remote.exception) {
    case 'FileNotFoundException':
      return notFound(path, cause);
    case 'FileAlreadyExistsException':
      return alreadyExists(path, cause);
    case 'PathIsNotEmptyDirectoryException':
      return notEmpty(path, cause);
    case 'SafeModeException':
    case 'RetriableException':
    case 'StandbyException':
      return new LoglabError('SERVICE_DOWN', `HDFS cannot serve ${path} now: ${message}`, {
        retriable: true,
        cause,
        context: { path },
      });
    case 'AccessControlException':
      // What GETFILESTATUS answers for a path under a file: nothing is there.
      if (message.endsWith('(is not a directory)')) return notFound(path, cause);
      break;
  }
  return webhdfsError(address, path, cause);
}
