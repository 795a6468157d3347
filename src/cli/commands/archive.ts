/**
 * `loglab archive FILE|-`: puts a log's lines into the raw lake layout of a local lake
 * directory, without a broker (pipeline/archive-lines.ts): each line in the hour of its own
 * event time, unparseable ones in the dead-letter directory with their reason.
 */
import type { Command } from 'commander';
import { badInput, describeFsError } from '../../errors';
import { cliIo } from '../context';
import { parseCount } from '../flags';

interface ArchiveFlags {
  lake: string;
  rollSize: string;
}

const EXAMPLES = `
Examples:
  loglab archive access.log                      into out/lake
  loglab generate --lines 100000 | loglab archive --lake /data/lake -

Files land in LAKE/loglab/raw/date=YYYY-MM-DD/hour=HH/weblogs.raw+0+FIRST+LAST.log (the
event hour in UTC, FIRST and LAST the line offsets they hold); lines that do not parse go to
LAKE/loglab/deadletter/ as {"reason", "message", "line"}. A second run adds after the first.
The last line on stderr is: archived N lines into F files (offsets A..B)
`;

export function registerArchive(program: Command): void {
  program
    .command('archive')
    .description('Put a log file into the raw lake layout (hour partitions by event time).')
    .argument('[file]', 'log file to read, or - for stdin', '-')
    .option('--lake <dir>', 'lake directory', 'out/lake')
    .option('--roll-size <bytes>', 'start a new file once one holds this many bytes', '67108864')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: ArchiveFlags) => {
      const rollBytes = parseCount(flags.rollSize, '--roll-size', 1);
      const [io, { readLines }, { createLocalStore }, { archiveLines }] = await Promise.all([
        import('../io'),
        import('../../log/lines'),
        import('../../storage/local-store'),
        import('../../pipeline/archive-lines'),
      ]);
      if (file === '-' && cliIo().stdin.isTTY) {
        throw badInput('no input: name a FILE or pipe log lines into stdin');
      }
      const input = io.openInput(file);
      input.stream.on('error', () => {
        // Reported by the read below; this only keeps an unhandled 'error' from crashing.
      });
      const store = await createLocalStore({ root: flags.lake }).catch((err: unknown) => {
        throw badInput(`cannot use ${flags.lake} as the lake directory: ${describeFsError(err)}`);
      });
      try {
        const done = await archiveLines(store, readLines(input.stream), { rollBytes });
        const range =
          done.lines === 0
            ? 'nothing to add'
            : `offsets ${done.firstOffset}..${done.firstOffset + done.lines - 1}`;
        cliIo().stderr.write(
          `archived ${done.lines} lines into ${done.files} files (${range}) in ${flags.lake}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
