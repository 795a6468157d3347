import { existsSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One error type for every expected failure. A caller shows `message` as one line and exits;
 * `retriable` tells retry helpers whether trying again can help (a broker that is down) or not
 * (a bad flag). `code` is stable so tests and scripts can match on it.
 */
export type ErrorCode =
  | 'BAD_FLAG'
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'IO'
  | 'SERVICE_DOWN'
  /** A MapReduce job failed: its own code threw (map, combine, reduce or finalize), or a Hadoop task. */
  | 'JOB_FAILED'
  | 'INTERNAL';

export interface LoglabErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  /** Context such as a path, a line number or a topic. */
  context?: Record<string, string | number>;
}

/**
 * Marks a LoglabError by a symbol of the global registry, so that an error made by another copy
 * of this module is told as one: a notebook loads the storage adapters through `import()` and
 * the pipeline through `require()`, two copies of this file whose classes `instanceof` cannot
 * match.
 */
const BRAND = Symbol.for('loglab.LoglabError');

export class LoglabError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: Record<string, string | number>;

  constructor(code: ErrorCode, message: string, options: LoglabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoglabError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a LoglabError of any copy of this module (see BRAND). */
  static [Symbol.hasInstance](value: unknown): boolean {
    // A subclass (none yet) keeps the ordinary test: `this` is the class `instanceof` asks about.
    // biome-ignore lint/complexity/noThisInStatic: the class asked about, not always this one
    if (this !== LoglabError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && BRAND in value;
  }
}

export function isLoglabError(value: unknown): value is LoglabError {
  return value instanceof LoglabError;
}

/** A flag or argument the user gave is wrong. */
export function badFlag(message: string): LoglabError {
  return new LoglabError('BAD_FLAG', message);
}

/** Input data cannot be used as asked. */
export function badInput(message: string, context?: Record<string, string | number>): LoglabError {
  return new LoglabError('BAD_INPUT', message, { context });
}

/** A file-system error in a few words; names the directory when that is what is missing. */
export function describeFsError(err: unknown): string {
  const { code, path } = (err ?? {}) as NodeJS.ErrnoException;
  const parent = typeof path === 'string' ? dirname(path) : null;
  switch (code) {
    case 'ENOENT':
      return parent !== null && !existsSync(parent)
        ? `no such directory ${parent}`
        : 'no such file';
    case 'ENOTDIR':
      return parent !== null ? `${nearestExisting(parent)} is not a directory` : 'not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EFBIG':
      return 'file too large';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** The path or its nearest existing ancestor: the file that stands where a directory should. */
function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}
