import type { Command } from 'commander';

export function registerParse(program: Command): void {
  program.command('parse').description('(not yet written)');
}
