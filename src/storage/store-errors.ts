/**
 * The Store port's failures, worded once for both adapters so a user reads the same sentence
 * whichever engine ran. Each carries the lake path in `context.path`.
 */
import { badInput, LoglabError } from '../errors';

export function notFound(path: string, cause?: unknown): LoglabError {
  return new LoglabError('NOT_FOUND', `${path}: no such file or directory in the lake`, {
    cause,
    context: { path },
  });
}

export function alreadyExists(path: string, cause?: unknown): LoglabError {
  return new LoglabError('ALREADY_EXISTS', `${path}: already exists in the lake`, {
    cause,
    context: { path },
  });
}

export function notEmpty(path: string, cause?: unknown): LoglabError {
  return new LoglabError('IO', `${path}: directory is not empty (delete it recursively)`, {
    cause,
    context: { path },
  });
}

export function isADirectory(path: string): LoglabError {
  return new LoglabError('IO', `${path}: is a directory, not a file`, { context: { path } });
}

export function rootNotDeletable(): LoglabError {
  return badInput('will not delete the root of the lake', { path: '/' });
}

/** Any other failure of one operation, in one line. */
export function ioError(path: string, what: string, cause?: unknown): LoglabError {
  return new LoglabError('IO', `${path}: ${what}`, { cause, context: { path } });
}
