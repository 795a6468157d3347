/**
 * One error type for every expected failure. A caller shows `message` as one line and exits;
 * `retriable` tells retry helpers whether trying again can help (a broker that is down) or not
 * (a bad flag). `code` is stable so tests and scripts can match on it.
 */
export type ErrorCode = 'BAD_FLAG' | 'BAD_INPUT' | 'NOT_FOUND' | 'IO' | 'SERVICE_DOWN' | 'INTERNAL';

export interface LoglabErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  /** Context such as a path, a line number or a topic. */
  context?: Record<string, string | number>;
}

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
