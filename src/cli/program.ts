/**
 * The `loglab` command. Each command lives in `commands/<name>.ts` and registers itself on the
 * program; this file only wires them and turns expected failures into one line on stderr and
 * exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { isLoglabError } from '../errors';
import { registerDemo } from './commands/demo';
import { registerGenerate } from './commands/generate';
import { registerParse } from './commands/parse';
import { registerSummary } from './commands/summary';

export function buildProgram(): Command {
  const program = new Command('loglab')
    .description('Real-time web-server log analytics, stage by stage: generate, parse, summarise.')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // Commander's own errors ("unknown option", "missing argument") become one line.
      outputError: (text, write) => write(`loglab: ${text.replace(/^error: /, '').trim()}\n`),
    });
  registerGenerate(program);
  registerParse(program);
  registerSummary(program);
  registerDemo(program);
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({
      outputError: (text, write) =>
        write(`loglab ${cmd.name()}: ${text.replace(/^error: /, '').trim()}\n`),
    });
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isLoglabError(err)) {
      process.stderr.write(`loglab: ${err.message}\n`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return 0;
    process.stderr.write(
      `loglab: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    if (process.env.LOGLAB_DEBUG) console.error(err);
    return 1;
  }
}
