/**
 * The flags of a `bench/<name>.ts` script, read the same way in every script: `--help` prints the
 * script's usage and exits 0; an unknown flag, a flag without its value, or a count that is not a
 * whole number ≥ 1 is one line on stderr and exit code 2, before anything is measured.
 */
import { parseArgs } from 'node:util';

export interface BenchFlags {
  /** Flags that take a value, without their dashes ("lines" for --lines N). */
  readonly values?: readonly string[];
  /** Flags without a value ("no-cluster"). */
  readonly switches?: readonly string[];
}

export interface BenchArgs {
  /** The whole number ≥ `min` (default 1) given to --NAME, or `fallback` when it is absent. */
  count(name: string): number | undefined;
  count(name: string, fallback: number, min?: number): number;
  /** The text given to --NAME, or undefined. */
  text(name: string): string | undefined;
  /** Whether the switch --NAME was given. */
  on(name: string): boolean;
  /** One line on stderr (`bench/<script>: message`) and exit code 2. */
  fail(message: string): never;
}

/** Where a script's --help and errors go, and how it ends; the process's own by default. */
export interface BenchArgsIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => never;
}

const processIo: BenchArgsIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

export function benchArgs(
  script: string,
  usage: string,
  flags: BenchFlags,
  argv: readonly string[] = process.argv.slice(2),
  io: BenchArgsIo = processIo,
): BenchArgs {
  const fail = (message: string): never => {
    io.err(`bench/${script}: ${message}\n`);
    return io.exit(2);
  };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const name of flags.values ?? []) options[name] = { type: 'string' };
  for (const name of flags.switches ?? []) options[name] = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    // parseArgs says e.g. "Unknown option '--lnies'. To specify a positional argument, …": keep
    // the first sentence.
    return fail(`${(err as Error).message.split('. ')[0].replace(/\.$/, '')}; see --help`);
  }
  if (values.help === true) {
    io.out(`${usage.trim()}\n`);
    io.exit(0);
  }
  function count(name: string, fallback?: number, min = 1): number | undefined {
    const text = values[name];
    if (typeof text !== 'string') return fallback;
    const value = Number(text.replace(/_/g, ''));
    if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
      return fail(`--${name} needs a whole number ≥ ${min}, got "${text}"`);
    }
    return value;
  }
  return {
    count: count as BenchArgs['count'],
    text: (name) => {
      const text = values[name];
      return typeof text === 'string' ? text : undefined;
    },
    on: (name) => values[name] === true,
    fail,
  };
}
