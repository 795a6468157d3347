import type { Command } from 'commander';

export function registerSummary(program: Command): void {
  program.command('summary').description('(not yet written)');
}
