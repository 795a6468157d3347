/**
 * What every `loglab` command promises: --help on stdout with every flag, and each usage error or
 * unreadable path as exactly one line on stderr with exit code 2, never a stack trace. The
 * commands run in this process through the program's entry point; the help and a usage error
 * also go through the real binary, for the exit codes a shell sees.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_NAMES } from '../../src/cli/program';
import {
  DEFAULT_LINES,
  DEFAULT_SEED,
  DEFAULT_SPAN_MS,
  DEFAULT_START,
  formatDuration,
  INCIDENT_KINDS,
} from '../../src/generate/index';
import { PARSE_FORMATS } from '../../src/log/parser';
import { runLoglab as loglab, spawnLoglab } from './run-loglab';

const dir = mkdtempSync(join(tmpdir(), 'loglab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The flags of the stage-1 commands, pinned: a flag that disappears or is renamed fails here. */
const PINNED: Record<string, string[]> = {
  generate: [
    '--lines <n>',
    '--seed <s>',
    '--start <iso>',
    '--span <duration>',
    '--rate <r>',
    '--speedup <k>',
    '--incidents <list>',
    '--clients <n>',
    '--format <format>',
    '--truth <file>',
    '-o, --output <file>',
  ],
  parse: ['--format <format>', '--rejects <file>'],
  summary: ['--json', '--format <format>', '--top <n>', '--threads <n>'],
  demo: [
    '--lines <n>',
    '--seed <s>',
    '--cluster',
    '--no-start',
    '--topic <name>',
    '--lake <dir>',
    '--out <dir>',
    '--top <n>',
    '--broker-wait <duration>',
  ],
};

/** Every registered command with its flags, so a command added later is checked too. */
const COMMANDS = new Map(
  (await buildProgram()).commands.map((c) => [c.name(), c.options.map((o) => o.flags)] as const),
);

/** A misspelt flag of a command (its first long flag less one letter), or null when it has none. */
function nearMiss(flags: readonly string[]): string | null {
  const longs = flags.flatMap((f) => f.match(/--[\w-]+/g) ?? []);
  if (longs.length === 0) return null;
  const miss = longs[0].slice(0, -1);
  return longs.includes(miss) ? null : miss;
}

/** The help text with line wrapping undone, so a test does not depend on where commander wraps. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('loglab --help', () => {
  it('loads only the command that runs, every one for the list of commands', async () => {
    expect((await buildProgram('detect')).commands.map((c) => c.name())).toEqual(['detect']);
    expect([...COMMANDS.keys()]).toEqual([...COMMAND_NAMES]);
    expect(COMMAND_NAMES).toHaveLength(15);
  });

  it('registers the stage-1 commands with exactly their flags', () => {
    for (const [command, flags] of Object.entries(PINNED))
      expect(COMMANDS.get(command)).toEqual(flags);
  });

  it('lists every command on stdout with exit code 0', () => {
    const run = spawnLoglab(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.startsWith('Usage: loglab [options] [command]\n')).toBe(true);
    const section = run.stdout.slice(run.stdout.indexOf('\nCommands:\n'));
    const names = [...section.matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]);
    expect(names).toEqual([...COMMANDS.keys(), 'help']);
  });

  it('is the same text for `loglab help`', async () => {
    expect(await loglab(['help'])).toEqual(await loglab(['--help']));
  });

  for (const [command, flags] of COMMANDS) {
    it(`${command} --help shows every flag of ${command} on stdout with exit code 0`, async () => {
      const run = await loglab([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.startsWith(`Usage: loglab ${command} `)).toBe(true);
      for (const flag of [...flags, '-h, --help'])
        expect(run.stdout).toMatch(new RegExp(`^ {2}${escapeRegExp(flag)} `, 'm'));
    });
  }

  it('quotes the defaults and choices that the generator and the parsers use', async () => {
    const generate = flat((await loglab(['generate', '--help'])).stdout);
    expect(generate).toContain(`(default ${DEFAULT_LINES}; endless with --rate)`);
    expect(generate).toContain(`(default: "${DEFAULT_SEED}")`);
    expect(generate).toContain(`(default ${formatDuration(DEFAULT_SPAN_MS)})`);
    expect(generate).toContain(`(default ${new Date(DEFAULT_START).toISOString()})`);
    expect(generate).toContain(`comma-separated: ${INCIDENT_KINDS.join(', ')}, or all`);
    const parse = flat((await loglab(['parse', '--help'])).stdout);
    expect(parse).toContain(
      `(choices: ${PARSE_FORMATS.map((f) => `"${f}"`).join(', ')}, default: "auto")`,
    );
  });
});

describe('usage errors are one line on stderr and exit code 2', () => {
  for (const [command, flags] of COMMANDS) {
    it(`loglab ${command} with an unknown flag`, async () => {
      // A near miss is what made commander add "(Did you mean …?)" on a second line.
      const miss = nearMiss(flags);
      for (const flag of miss === null ? ['--no-such-flag'] : [miss, '--no-such-flag']) {
        const run = await loglab([command, flag]);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toBe(`loglab ${command}: unknown option '${flag}'\n`);
      }
    });
  }

  it('an unknown command, also with --help or after `help`', async () => {
    for (const [args, name] of [
      [['generat'], 'generat'],
      [['frobnicate', '--lines', '5'], 'frobnicate'],
      [['frobnicate', '--help'], 'frobnicate'],
      [['help', 'generat'], 'generat'],
    ] as const) {
      const run = await loglab([...args]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`loglab: unknown command '${name}'\n`);
    }
  });

  it('no command: the help on stderr, nothing on stdout', () => {
    const run = spawnLoglab([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(spawnLoglab(['--help']).stdout);
  });
});

describe('unreadable and unwritable paths are one line on stderr and exit code 2', () => {
  const missing = join(dir, 'missing.log');
  const inMissingDir = join(dir, 'no-dir', 'x.log');
  const file = join(dir, 'a-file');
  writeFileSync(file, '');

  for (const command of ['parse', 'summary']) {
    it(`loglab ${command} names what is missing`, async () => {
      for (const [path, reason] of [
        [missing, 'no such file'],
        [inMissingDir, `no such directory ${join(dir, 'no-dir')}`],
        [join(file, 'x.log'), `${file} is not a directory`],
      ]) {
        const run = await loglab([command, path]);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toBe(`loglab ${command}: cannot read ${path}: ${reason}\n`);
      }
    });
  }

  it('loglab generate -o, --truth and loglab parse --rejects name the missing directory', async () => {
    for (const args of [
      ['generate', '--lines', '10', '-o', inMissingDir],
      ['generate', '--lines', '10', '--truth', inMissingDir],
      ['parse', '--rejects', inMissingDir, '-'],
    ]) {
      const run = await loglab(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `loglab ${args[0]}: cannot write ${inMissingDir}: no such directory ${join(dir, 'no-dir')}\n`,
      );
    }
    const run = await loglab(['generate', '--lines', '10', '-o', join(file, 'x.log')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `loglab generate: cannot write ${join(file, 'x.log')}: ${file} is not a directory\n`,
    );
  });
});
