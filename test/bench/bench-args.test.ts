/** The flags every bench script reads: --help, unknown flags, counts, switches and text. */
import { describe, expect, it } from 'vitest';
import { type BenchArgsIo, benchArgs } from '../../src/bench/args';

const USAGE =
  'usage: npx tsx bench/x.ts [--lines N] [--span D] [--no-process]\nWhat it measures.\n';
const FLAGS = { values: ['lines', 'span'], switches: ['no-process'] };

/** Runs benchArgs with `argv`; an exit becomes a thrown value carrying the code and the output. */
function run(argv: string[]) {
  const said = { out: '', err: '' };
  const io: BenchArgsIo = {
    out: (text) => {
      said.out += text;
    },
    err: (text) => {
      said.err += text;
    },
    exit: (code) => {
      throw { code, ...said };
    },
  };
  try {
    return { args: benchArgs('x', USAGE, FLAGS, argv, io), ...said };
  } catch (ended) {
    return ended as { code: number; out: string; err: string };
  }
}

describe('benchArgs', () => {
  it('prints the usage on stdout and exits 0 for --help and -h', () => {
    for (const flag of ['--help', '-h']) {
      expect(run(['--lines', '5', flag])).toEqual({ code: 0, out: USAGE, err: '' });
    }
  });

  it('refuses an unknown flag and a flag without its value, in one line with exit 2', () => {
    expect(run(['--lnies', '5'])).toEqual({
      code: 2,
      out: '',
      err: "bench/x: Unknown option '--lnies'; see --help\n",
    });
    expect(run(['--lines'])).toMatchObject({ code: 2, out: '' });
    expect((run(['--lines']) as { err: string }).err).toMatch(
      /^bench\/x: Option '--lines <value>' argument missing; see --help\n$/,
    );
    expect(run(['stray'])).toMatchObject({ code: 2, out: '' });
  });

  it('reads counts (with _ separators), falls back when absent, and refuses anything but a whole number ≥ 1', () => {
    const ok = run(['--lines', '1_000_000', '--span', '2h', '--no-process']);
    if (!('args' in ok)) throw new Error(`unexpected exit: ${JSON.stringify(ok)}`);
    expect(ok.args.count('lines')).toBe(1_000_000);
    expect(ok.args.text('span')).toBe('2h');
    expect(ok.args.on('no-process')).toBe(true);
    const none = run([]);
    if (!('args' in none)) throw new Error('unexpected exit');
    expect([
      none.args.count('lines'),
      none.args.count('lines', 7),
      none.args.on('no-process'),
    ]).toEqual([undefined, 7, false]);
    for (const bad of ['0', '1.5', 'x', '']) {
      const got = run(['--lines', bad]);
      if (!('args' in got)) throw new Error('unexpected exit');
      expect(() => got.args.count('lines')).toThrow(
        expect.objectContaining({
          code: 2,
          err: `bench/x: --lines needs a whole number ≥ 1, got "${bad}"\n`,
        }),
      );
    }
    // A value that looks like a flag is refused while the flags are read.
    expect(run(['--lines', '-3'])).toMatchObject({ code: 2, out: '' });
  });
});
