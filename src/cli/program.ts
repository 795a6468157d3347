/**
 * The `loglab` command. Each command lives in `commands/<name>.ts` and registers itself on the
 * program; this file only wires them and turns expected failures into one line on stderr and
 * exit code 2.
 *
 * Messages on stderr name where they come from, one format everywhere:
 *
 *   loglab <command>: <message>   anything said while a command runs: its bad flags, its bad
 *                                 input, its warnings and its unexpected failures
 *   loglab: <message>             only when no command is known: an unknown command, a bad
 *                                 option before the command word
 *
 * A user who runs several commands in one pipeline (`loglab generate | loglab parse -`) learns
 * which of them complained; a script can still match the one line with `^loglab`. A command that
 * warns on its own (parse's rejected lines, consume's refused commit) writes the same prefix.
 *
 * Start-up time counts (`loglab summary` is timed as a whole process against GoAccess), so a
 * command module imports only what its flags and help need; the modules that do the work are
 * imported inside its action. Memory counts too (`loglab detect` on 10M lines has a peak-RSS
 * target): a run loads only the module of the command it runs, since the fifteen together, with
 * what their flags import (stream's archiver and producer settings, produce's), held some 16 MB
 * of resident memory more than detect's alone. Only the list of all commands (`loglab --help`,
 * an unknown or missing command) loads every one.
 */
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { isLoglabError } from '../errors';
import { withCommandHint } from './broker-hint';
import { type CliIo, cliIo, type OutStream, processIo, withIo } from './context';

/** A terminal's width, else commander's 80 columns. */
function helpWidth(out: OutStream): number {
  return (out.isTTY && out.columns) || 80;
}

/** `loglab <command>: `, or `loglab: ` when no command is known: the start of every stderr line. */
function commandPrefix(command?: string): string {
  return command === undefined ? 'loglab: ' : `loglab ${command}: `;
}

type Register = (program: Command) => void;

/** Every command, in the order `loglab --help` lists them, and how to load its module. */
const COMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['generate', async () => (await import('./commands/generate')).registerGenerate],
  ['parse', async () => (await import('./commands/parse')).registerParse],
  ['summary', async () => (await import('./commands/summary')).registerSummary],
  ['produce', async () => (await import('./commands/produce')).registerProduce],
  ['consume', async () => (await import('./commands/consume')).registerConsume],
  ['topics', async () => (await import('./commands/topics')).registerTopics],
  ['stream', async () => (await import('./commands/stream')).registerStream],
  ['detect', async () => (await import('./commands/detect')).registerDetect],
  ['dashboard', async () => (await import('./commands/dashboard')).registerDashboard],
  ['evaluate', async () => (await import('./commands/evaluate')).registerEvaluate],
  ['archive', async () => (await import('./commands/archive')).registerArchive],
  ['lake', async () => (await import('./commands/lake')).registerLake],
  ['mapreduce', async () => (await import('./commands/mapreduce')).registerMapreduce],
  ['report', async () => (await import('./commands/report')).registerReport],
  ['demo', async () => (await import('./commands/demo')).registerDemo],
];

/** The names of every command, without loading any. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map(([name]) => name);

/** The program with every command, or with the one named `only` (which must be a command's name). */
export async function buildProgram(only?: string): Promise<Command> {
  const registers = await Promise.all(
    COMMANDS.filter(([name]) => only === undefined || name === only).map(([, load]) => load()),
  );
  const program = new Command('loglab')
    .description(
      'Real-time web-server log analytics, stage by stage: generate, parse, summarise, stream, detect.',
    )
    .showHelpAfterError(false)
    // "(Did you mean …?)" would be a second line on stderr; an expected failure is one line.
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({
      // Help and errors go to the run's streams (commands made by .command() inherit this).
      writeOut: (text) => cliIo().stdout.write(text),
      writeErr: (text) => cliIo().stderr.write(text),
      getOutHelpWidth: () => helpWidth(cliIo().stdout),
      getErrHelpWidth: () => helpWidth(cliIo().stderr),
      // Commander's own errors ("unknown option", "missing argument") become one line.
      outputError: (text, write) =>
        write(`${commandPrefix()}${text.replace(/^error: /, '').trim()}\n`),
    });
  for (const register of registers) register(program);
  for (const cmd of program.commands) {
    cmd
      .showSuggestionAfterError(false)
      .exitOverride()
      .configureOutput({
        outputError: (text, write) =>
          write(`${commandPrefix(cmd.name())}${text.replace(/^error: /, '').trim()}\n`),
      });
  }
  return program;
}

/**
 * Run `loglab` with these arguments and return the exit code: 0, 2 for a usage error or bad input,
 * 1 for an unexpected failure.
 *
 * `loglab` without a command prints the help on stderr and exits 2, as for any other usage error:
 * a script that lost its command word should fail, and must not find the help in its data.
 * `loglab --help` and `loglab help` print it on stdout and exit 0.
 *
 * `io` is where the run reads and writes (see context.ts): the process's streams by default.
 */
export function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return withIo(io, () => run(argv, io));
}

async function run(argv: string[], io: CliIo): Promise<number> {
  // Commander answers `loglab NAME --help` and `loglab help NAME` for an unknown NAME with the
  // whole help (the first on stdout, exit code 0); parse NAME alone instead, so either is the one
  // line of any unknown command.
  const name = argv[0] === 'help' ? argv[1] : argv[0];
  const known = name !== undefined && COMMAND_NAMES.includes(name);
  const unknown = name !== undefined && !name.startsWith('-') && name !== 'help' && !known;
  const args = unknown ? [name] : argv;
  const program = await buildProgram(known ? name : undefined);
  // The command that runs, known once commander dispatches to it (before it parses its flags).
  let command: string | undefined;
  program.hook('preSubcommand', (_program, sub) => {
    command = sub.name();
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    // A command that finished its output but must still fail (a quality gate) sets exitCode.
    return io.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help ends through here too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isLoglabError(err)) {
      io.stderr.write(`${commandPrefix(command)}${withCommandHint(command, err.message)}\n`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return 0;
    io.stderr.write(
      `${commandPrefix(command)}unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    if (io.env.LOGLAB_DEBUG) io.stderr.write(`${inspect(err)}\n`);
    return 1;
  }
}
